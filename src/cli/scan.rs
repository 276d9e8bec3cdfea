//! `mfgcheck scan`: `check` for whole trees, with reports for CI systems.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::ValueEnum;

use mfgcheck::network::connect::{self, Target};
use mfgcheck::report::{ScanFormat, ScanWriter, summary_words};
use mfgcheck::scan::{self, ScanOptions, Summary};
use mfgcheck::{CheckOptions, Shared};

use super::{AtArg, BatchPasswordArgs, Fatal, ListArgs, WarnArg, max_input_bytes, read_text};

/// Servers asked at once by default: they wait on the network, not on the cores.
const ENDPOINT_JOBS: usize = 16;

/// Servers asked at once at most, whatever --jobs says: each is a thread and a socket.
const MAX_ENDPOINT_JOBS: usize = 256;

pub(super) const EXAMPLES: &str = "\
Examples:
  Every bundle below a config repository, as a table:
    mfgcheck scan certs/

  In CI: JUnit for the test tab, SARIF for code scanning, warnings failing the build:
    mfgcheck scan certs/ --format junit --output mfgcheck.xml --fail-on warning
    mfgcheck scan certs/ --format sarif --output mfgcheck.sarif

  Leaf certificates whose intermediates live in one shared directory:
    mfgcheck scan leaves/ --chain-dir intermediates/ --format jsonl

Files without certificates are counted and skipped; a file that cannot be read or
checked is an error for that file, and the scan goes on. PFX files are opened with
the password options (no prompt); without them, the empty and absent passwords.
A file holding only CA certificates (a vendor's intermediate) is an issuer file: its
certificates join the pool of every bundle in its directory. A file named like a
certificate file (.cer .crt .pem .der .p7b .p7c .pfx .p12) without a certificate is an
error; other files are sniffed and skipped when they are not certificate material.

  Only the production bundles, not the archive:
    mfgcheck scan certs/ --include 'prod/**' --exclude '**/old/*'

  Every endpoint a team serves, from CI (endpoints.txt, one per line):
      mail.contoso.com                   # OWA, EWS, Autodiscover: 443
      mail.contoso.com starttls=smtp     # Exchange transport: 25
      sip.contoso.com:5061               # Lync Edge federation, plain TLS
    mfgcheck scan --connect-list endpoints.txt --format junit --output endpoints.xml

Exit status: 0 all accepted (warnings too, unless --fail-on warning), 1 any rejected or
undetermined, 2 any file or server could not be read or checked, nothing to check (unless
--allow-empty), or the arguments or allowlist were bad.";

#[derive(Debug, clap::Args)]
pub(super) struct ScanArgs {
    /// Files and directories (walked recursively; links are followed only to files
    /// inside the tree).
    #[arg(value_name = "PATH", required_unless_present = "connect_list")]
    paths: Vec<PathBuf>,

    /// CA certificates every bundle may use as issuers (all files below DIR).
    #[arg(long, value_name = "DIR", help_heading = "Input")]
    chain_dir: Option<PathBuf>,

    /// Check only files whose path below the scan root matches GLOB (repeatable;
    /// `*` crosses directories: --include '*.pem' --include 'prod/**'; on Windows case
    /// is ignored, as in its file names).
    #[arg(long, value_name = "GLOB", help_heading = "Input")]
    include: Vec<String>,

    /// Skip files whose path below the scan root matches GLOB (repeatable; wins over
    /// --include): --exclude 'archive/**'.
    #[arg(long, value_name = "GLOB", help_heading = "Input")]
    exclude: Vec<String>,

    /// Threads to check files with (at most 4 per core): the calling thread lists
    /// directories and writes the report beside them; with 1, it does all of the work
    /// itself. Servers of --connect-list are asked this many at once (up to 256).
    /// [default: one per core for files, 16 for servers]
    #[arg(long, value_name = "N", help_heading = "Input")]
    jobs: Option<std::num::NonZeroUsize>,

    #[command(flatten)]
    password: BatchPasswordArgs,

    #[command(flatten)]
    list: ListArgs,

    #[command(flatten)]
    at: AtArg,

    #[command(flatten)]
    warn: WarnArg,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ScanFormatArg::Text, help_heading = "Output")]
    format: ScanFormatArg,

    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    output: Option<PathBuf>,

    /// Exit 0 when no file holds a bundle to check (by default that is exit 2,
    /// "nothing to check": a wrong path or pattern should not pass CI).
    #[arg(long, help_heading = "Output")]
    allow_empty: bool,

    /// Exit 1 on rejected files only (error, the default), or also on warnings.
    #[arg(long, value_enum, default_value_t = FailOn::Error, help_heading = "Output")]
    fail_on: FailOn,

    /// Also check the chain each server of FILE presents (or - for standard input): one
    /// `HOST[:PORT] [starttls=smtp] [servername=NAME]` per line, # comments. Each server
    /// is a record whose path is that line's endpoint; one that cannot be reached is an
    /// error record and the scan goes on.
    #[arg(long, value_name = "FILE", help_heading = "Network")]
    connect_list: Option<PathBuf>,

    /// Fetch issuers missing from a path from the addresses the certificates name for
    /// them (AIA caIssuers, http:// only; HTTP_PROXY is honoured), each address once
    /// per scan. Without it, nothing is fetched.
    #[arg(long, help_heading = "Network")]
    fetch_missing: bool,

    /// Give up on a server of --connect-list (name, connection, STARTTLS and handshake,
    /// the retry for old servers included) after this many seconds in all.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, help_heading = "Network",
          value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,

    /// Give up on one issuer fetch (--fetch-missing, redirects included) after this many
    /// seconds in all.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, help_heading = "Network",
          value_parser = clap::value_parser!(u64).range(1..=600))]
    fetch_timeout: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ScanFormatArg {
    Text,
    Jsonl,
    Json,
    Junit,
    Sarif,
}

impl From<ScanFormatArg> for ScanFormat {
    fn from(f: ScanFormatArg) -> Self {
        match f {
            ScanFormatArg::Text => Self::Text,
            ScanFormatArg::Jsonl => Self::Jsonl,
            ScanFormatArg::Json => Self::Json,
            ScanFormatArg::Junit => Self::Junit,
            ScanFormatArg::Sarif => Self::Sarif,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
}

/// Threads worth starting: `--jobs 0` is one per core; more than four per core only
/// costs memory and start-up time (a typo like --jobs 1000000 must not take minutes),
/// so larger values are lowered, and said so.
/// This machine's cores: `--jobs`'s default for files.
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

fn bounded_jobs(asked: usize) -> usize {
    let cores = cores();
    let most = (cores * 4).clamp(4, 256);
    if asked > most {
        let _ = writeln!(
            anstream::stderr(),
            "mfgcheck: note: --jobs {asked} is more than this machine can use ({cores} cores); using {most}"
        );
        most
    } else {
        asked
    }
}

/// A progress line on stderr, for people: only on a terminal, only for big scans.
struct Progress {
    /// The files to check, when a progress line is wanted.
    total: Option<usize>,
    shown: bool,
}

impl Progress {
    const MIN_FILES: usize = 1000;

    /// Counts the files below `paths` first, when stderr is a terminal: a walk that
    /// only lists directories, about 10 ms for 10,000 files.
    fn new(paths: &[PathBuf], filter: &scan::Filter) -> Self {
        let total = io::stderr()
            .is_terminal()
            .then(|| scan::Walk::new(paths, filter).count())
            .filter(|&n| n >= Self::MIN_FILES);
        Self {
            total,
            shown: false,
        }
    }

    fn update(&mut self, done: usize) {
        let Some(total) = self.total else {
            return;
        };
        let width = 30;
        let filled = (done * width / total.max(1)).min(width);
        let mut err = io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {done}/{} files",
            "#".repeat(filled),
            " ".repeat(width - filled),
            total
        );
        let _ = err.flush();
        self.shown = true;
    }

    fn clear(&self) {
        if self.shown {
            let _ = write!(io::stderr().lock(), "\r\x1b[K");
        }
    }
}

/// What every bundle of the scan is checked with, which files are read, and the extra
/// CAs of --chain-dir, in the order their errors are reported.
fn setup(args: &ScanArgs) -> Result<(ScanOptions, scan::Filter, Shared), Fatal> {
    let mut check = CheckOptions::at(args.at.get());
    check.warn_days = args.warn.days;
    check.profile = args.list.profile();
    check.password = args.password.read()?;
    // Records carry findings, not the next steps a single check ends with.
    check.next_steps = false;
    let options = ScanOptions {
        check,
        jobs: bounded_jobs(args.jobs.map_or_else(cores, std::num::NonZeroUsize::get)),
        max_file_bytes: max_input_bytes(),
        issuers: args.fetch_missing.then(|| {
            std::sync::Arc::new(mfgcheck::network::aia::Client::new(
                std::time::Duration::from_secs(args.fetch_timeout),
            )) as std::sync::Arc<dyn mfgcheck::IssuerSource>
        }),
    };
    let filter = scan::Filter::new(&args.include, &args.exclude)?;
    let extras = match &args.chain_dir {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(Fatal::new(format!(
                    "--chain-dir {}: not a directory",
                    dir.display()
                )));
            }
            scan::load_chain_dir(dir, max_input_bytes())?
        }
        None => Vec::new(),
    };
    let shared = Shared {
        extras,
        ..Shared::default()
    };
    Ok((options, filter, shared))
}

/// Where the report goes: the file of --output, or standard output; only the text
/// report has colours, and never in a file.
fn destination(output: Option<&std::path::Path>, text: bool) -> Result<Box<dyn Write>, Fatal> {
    Ok(match output {
        Some(path) => {
            let file = File::create(path)
                .map_err(|e| Fatal::of(path.display(), format_args!("cannot write: {e}")))?;
            if text {
                Box::new(BufWriter::new(anstream::AutoStream::never(file)))
            } else {
                Box::new(BufWriter::new(file))
            }
        }
        None if text => Box::new(BufWriter::new(anstream::stdout())),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

pub(super) fn run(args: ScanArgs) -> Result<ExitCode, Fatal> {
    let started = Instant::now();
    let allowlist = args.list.load()?;
    let (options, filter, shared) = setup(&args)?;
    let endpoints = match &args.connect_list {
        Some(list) => read_list(list)?,
        None => Vec::new(),
    };
    let format = ScanFormat::from(args.format);

    let out = destination(args.output.as_deref(), format == ScanFormat::Text)?;
    let fail_on_warning = args.fail_on == FailOn::Warning;
    let servers = Servers {
        endpoints: &endpoints,
        // Servers wait on the network, not the cores: the cap on file threads (four a
        // core) does not apply; --jobs is taken up to MAX_ENDPOINT_JOBS.
        jobs: match args.jobs {
            None => ENDPOINT_JOBS.min(endpoints.len()).max(1),
            Some(jobs) => jobs.get().min(MAX_ENDPOINT_JOBS),
        },
        timeout: std::time::Duration::from_secs(args.timeout),
    };
    let summary = report(
        ScanWriter::new(out, format, fail_on_warning),
        scan::Walk::new(&args.paths, &filter),
        Progress::new(&args.paths, &filter),
        &servers,
        &allowlist,
        &options,
        &shared,
    );
    let summary = match summary {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::from(1)),
        Err(e) => return Err(Fatal::new(format!("cannot write the report: {e}"))),
    };
    // The text report ends with the same line; on one terminal, once is enough.
    let text_on_terminal =
        format == ScanFormat::Text && args.output.is_none() && io::stdout().is_terminal();
    if !text_on_terminal {
        let _ = writeln!(
            anstream::stderr(),
            "mfgcheck: {} ({:.2} s)",
            summary_words(&summary),
            started.elapsed().as_secs_f64()
        );
    }
    let checked = summary.accepted + summary.rejected + summary.undetermined;
    if summary.errors == 0 && checked == 0 && !args.allow_empty {
        let mut places: Vec<String> = args
            .paths
            .iter()
            .map(|p| {
                format!(
                    "{} ({})",
                    p.display(),
                    mfgcheck::report::count(summary.files, "file read", "files read")
                )
            })
            .collect();
        if let Some(list) = &args.connect_list {
            places.push(format!("{} (no endpoint listed)", list.display()));
        }
        return Err(Fatal::new(format!(
            "nothing to check: no certificate bundle in {}; check the paths, --include/--exclude and --connect-list, or pass --allow-empty",
            places.join(", ")
        )));
    }
    Ok(if summary.errors > 0 {
        ExitCode::from(2)
    } else if summary.rejected > 0
        || summary.undetermined > 0
        || (args.fail_on == FailOn::Warning && summary.accepted_with_warnings > 0)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The servers of `--connect-list`, and how to ask them.
struct Servers<'a> {
    endpoints: &'a [Target],
    jobs: usize,
    timeout: std::time::Duration,
}

/// Reads `--connect-list`; a line that cannot be read stops the scan before any
/// server is asked (a typo in a monitoring list should fail loudly).
fn read_list(path: &Path) -> Result<Vec<Target>, Fatal> {
    let (name, text) = read_text(path)?;
    connect::parse_list(&text).map_err(|e| Fatal::of(&name, e))
}

/// The chain a server presents, for a scan record; why not, when it presents none.
fn fetch(target: &Target, timeout: std::time::Duration) -> Result<Vec<u8>, String> {
    let options = connect::Options {
        timeout,
        servername: target.servername.clone(),
        starttls: target.starttls,
    };
    connect::fetch(&target.endpoint, &options)
        .map(|presented| presented.certificates.concat())
        .map_err(|e| e.problem.to_string())
}

/// Scans, writing each record as it comes: files first (paths that cannot be walked
/// in scan order with the rest), then the servers in the order of their list.
fn report<W: Write>(
    mut writer: ScanWriter<W>,
    walk: scan::Walk<'_>,
    mut progress: Progress,
    servers: &Servers<'_>,
    allowlist: &mfgcheck::policy::Allowlist,
    options: &ScanOptions,
    shared: &Shared,
) -> io::Result<Summary> {
    writer.begin()?;
    let mut failed: Option<io::Error> = None;
    let mut summary = scan::scan(
        walk,
        allowlist,
        options,
        shared,
        |record| {
            if failed.is_none()
                && let Err(err) = writer.record(record)
            {
                failed = Some(err);
            }
        },
        |done| progress.update(done),
    );
    progress.clear();
    if let Some(err) = failed.take() {
        return Err(err);
    }
    if !servers.endpoints.is_empty() {
        let options = ScanOptions {
            jobs: servers.jobs,
            ..options.clone()
        };
        let fetched = scan::scan_endpoints(
            servers.endpoints,
            |target| fetch(target, servers.timeout),
            allowlist,
            &options,
            shared,
            |record| {
                if failed.is_none()
                    && let Err(err) = writer.record(record)
                {
                    failed = Some(err);
                }
            },
        );
        summary.add(&fetched);
    }
    if let Some(err) = failed {
        return Err(err);
    }
    writer.finish(&summary)?;
    Ok(summary)
}
