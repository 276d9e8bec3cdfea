#!/usr/bin/env python3
"""Runs a command and prints what it cost, to the microsecond: wall seconds, user and
system CPU seconds, and peak RSS in KB (`?` without GNU time), as one line
`WALL USER SYS RSS`. The command's output goes to /dev/null; the exit status is the
command's.

Why not GNU time: its %e, %U and %S print hundredths of a second, cut off rather than
rounded. On a 0.2 s scan that is up to 5% of the wall time (2.5% on average) in the
scan's favour, and as much again on the CPU time, whose user and system parts are each
cut; a best of three picks the luckiest cut. The child's own rusage (wait4) is exact.

The peak RSS is still GNU time's (%M, in KB, exact): a process started from this
script inherits the script's own peak (Linux keeps a process's high-water mark across
exec), so the command runs under GNU time. Its own start costs about a millisecond of
CPU and of wall time, counted with the command's, the same on every run: 0.1 us a
bundle on a 10,000-bundle scan, against the scan.

Usage: bench/timed.py COMMAND [ARG]...
"""

import os
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def main() -> int:
    argv = sys.argv[1:]
    if not argv:
        print("usage: bench/timed.py COMMAND [ARG]...", file=sys.stderr)
        return 2
    rss = None
    if os.access(GNU_TIME, os.X_OK):
        fd, rss = tempfile.mkstemp()
        os.close(fd)
        argv = [GNU_TIME, "-f", "%M", "-o", rss, "--", *argv]
    try:
        return run(argv, rss)
    finally:
        if rss is not None:
            os.unlink(rss)


def run(argv: list[str], rss: str | None) -> int:
    """Runs `argv` and prints its costs; `rss` is where GNU time writes the peak."""
    null = os.open(os.devnull, os.O_WRONLY)
    actions = [
        (os.POSIX_SPAWN_DUP2, null, 1),
        (os.POSIX_SPAWN_DUP2, null, 2),
    ]
    start = time.perf_counter()
    try:
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    except OSError as e:
        print(f"bench/timed.py: {argv[0]}: {e.strerror}", file=sys.stderr)
        return 2
    finally:
        os.close(null)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    peak = "?"
    if rss is not None:
        with open(rss, encoding="ascii") as f:
            # After "Command exited with non-zero status N", when it did.
            words = f.read().split()
        if words and words[-1].isdigit():
            peak = words[-1]
    print(f"{wall:.6f} {usage.ru_utime:.6f} {usage.ru_stime:.6f} {peak}")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
