#!/usr/bin/env python3
"""Load on `mfgcheck serve`: CLIENTS concurrent clients send REQUESTS mixed requests
(check of a 3-certificate bundle, of a PFX with its password, triage of a transcript,
a thumbprint, the accepted CAs, healthz) and the figures are printed: requests/s,
p50/p99 latency, failures, the server's peak RSS. Not a test: a measurement.

Usage: bench/serve.py URL PID [CLIENTS] [REQUESTS]   (bench/serve.sh starts the server)
"""
import sys, time, threading, urllib.request, uuid, pathlib, statistics

url, pid = sys.argv[1].rstrip("/"), int(sys.argv[2])
clients = int(sys.argv[3]) if len(sys.argv) > 3 else 32
total = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
root = pathlib.Path(__file__).resolve().parent.parent
data = root / "certs-testdata"

def form(parts):
    boundary = uuid.uuid4().hex
    body = b""
    for name, filename, value in parts:
        body += b"--" + boundary.encode() + b"\r\n"
        if filename:
            body += f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n\r\n'.encode()
        else:
            body += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        body += value + b"\r\n"
    body += b"--" + boundary.encode() + b"--\r\n"
    return body, "multipart/form-data; boundary=" + boundary

bundle = (data / "story-bundle.pem").read_bytes()
pfx = (data / "story-legacy.pfx").read_bytes()
password = (data / "pfx-password.txt").read_text().strip().encode()
transcript = (root / "tests/data/triage/new-federationtrust-403.txt").read_bytes()
check_body = form([("file", "story-bundle.pem", bundle), ("at", None, b"2011-06-01")])
pfx_body = form([("file", "story-legacy.pfx", pfx), ("password", None, password), ("at", None, b"2011-06-01")])
mix = [
    ("POST", "/api/check", check_body[0], check_body[1]),
    ("POST", "/api/check", check_body[0], check_body[1]),
    ("POST", "/api/check", pfx_body[0], pfx_body[1]),
    ("POST", "/api/triage", transcript, "text/plain"),
    ("POST", "/api/thumbprint", b"7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44", "text/plain"),
    ("GET", "/api/allowlist", None, None),
    ("GET", "/healthz", None, None),
]

lock = threading.Lock()
latencies, failures, next_index = [], [], [0]

def client():
    while True:
        with lock:
            i = next_index[0]
            if i >= total:
                return
            next_index[0] += 1
        method, path, body, ctype = mix[i % len(mix)]
        request = urllib.request.Request(url + path, data=body, method=method)
        if ctype:
            request.add_header("Content-Type", ctype)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                r.read()
                ok = r.status == 200
        except Exception as e:  # noqa: BLE001 - every failure counts
            with lock:
                failures.append(f"{path}: {e}")
            ok = True  # counted already
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            if not ok:
                failures.append(f"{path}: not 200")

def peak_rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0

started = time.perf_counter()
threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
wall = time.perf_counter() - started
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(f"{total} requests, {clients} clients: {total / wall:.0f} requests/s, "
      f"p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms, max {latencies[-1] * 1000:.1f} ms, "
      f"{len(failures)} failures, server peak RSS {peak_rss_kib() / 1024:.1f} MiB")
for f in failures[:5]:
    print("  failure:", f)
sys.exit(1 if failures else 0)
