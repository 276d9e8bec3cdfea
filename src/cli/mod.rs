//! Command-line layer: parse arguments, read inputs, call the library, render.
//! No certificate logic lives here; each subcommand has its own small module.

mod allowlist;
mod bundle;
mod check;
mod connect;
mod inspect;
mod scan;
#[cfg(feature = "serve")]
mod serve;
mod thumbprint;
mod triage;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;

use mfgcheck::Input;
use mfgcheck::chain::LeafSelector;
use mfgcheck::load::{LoadError, Password, Problem};
use mfgcheck::model::date::parse_at;
use mfgcheck::policy::{Allowlist, Profile};

/// Inputs larger than this are refused by default: no certificate bundle comes near it.
const DEFAULT_MAX_FILE_MIB: u64 = 16;

/// The size limit in force (`--max-file-size`), set once at start-up.
static MAX_FILE_BYTES: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

fn max_input_bytes() -> u64 {
    *MAX_FILE_BYTES.get_or_init(|| DEFAULT_MAX_FILE_MIB * 1024 * 1024)
}

/// Will the Microsoft Federation Gateway accept this certificate?
///
/// Checks a federation certificate against the rules of the Microsoft Federation Gateway
/// (MFG) used by Exchange 2010 New-FederationTrust: issued directly by a listed CA, Subject
/// Key Identifier present, RSA key in a CryptoAPI provider, valid dates, an end-entity
/// certificate. Also reads what live servers present (--connect), fetches missing issuers
/// (--fetch-missing), writes repaired bundles, inspects certificate and PFX files, explains
/// pasted thumbprints, errors and Exchange Management Shell output, scans whole trees and
/// endpoint lists for CI, serves a page for the helpdesk, and checks Lync's federation
/// settings with Windows Live.
#[derive(Debug, Parser)]
#[command(
    name = "mfgcheck",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,

    /// Refuse input files larger than this many MiB (they cannot be certificate files).
    #[arg(long, global = true, value_name = "MIB", default_value_t = DEFAULT_MAX_FILE_MIB,
          value_parser = clap::value_parser!(u64).range(1..=4096))]
    max_file_size: u64,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a certificate and its chain; give the MFG verdict with reasons and fixes.
    ///
    /// Files are pooled into one bag of certificates (the certificate plus the vendor's
    /// intermediates, in any order). PEM, DER, bare base64, PKCS#7 (.p7b/.p7c) and
    /// PKCS#12 (.pfx/.p12) are recognised from their content, whatever the file is
    /// called. For a PFX, the certificate checked is the one its private key belongs to,
    /// and the key's provider is checked too.
    #[command(after_help = check::EXAMPLES)]
    Check(check::CheckArgs),
    /// Show every certificate and key in the inputs, and the issuer tree; no verdict.
    ///
    /// For each certificate: subject, issuer, serial, SHA-1 and SHA-256 thumbprints (Windows
    /// and colon forms), key identifiers, key, signature algorithm, validity with the days
    /// left, CA flag, DNS names, and the allowlist entry it is, if any.
    #[command(after_help = inspect::EXAMPLES)]
    Inspect(inspect::InspectArgs),
    /// Make sense of a pasted thumbprint: clean it, say what it is and whose it is.
    ///
    /// Removes spaces, colons, dashes, labels such as "SHA1 Fingerprint=" and the invisible
    /// characters the Windows certificate dialog adds; classifies the length; looks the value
    /// up in the allowlist (thumbprints, serial numbers, key identifiers and the values
    /// Technet published); with --file, compares it with your certificates.
    #[command(after_help = thumbprint::EXAMPLES)]
    Thumbprint(thumbprint::ThumbprintArgs),
    /// Write the chain to deploy: leaf first, each issuer in path order, nothing else.
    ///
    /// Reads what check reads (files in any order and format, --connect, --fetch-missing)
    /// and writes the path check found, as PEM or a .p7b: no unrelated or duplicate
    /// certificates, the root only with --include-root, never a private key.
    #[command(after_help = bundle::EXAMPLES)]
    Bundle(bundle::BundleArgs),
    /// List, show, search or lint the allowlist of accepted CAs.
    #[command(after_help = allowlist::EXAMPLES)]
    Allowlist(allowlist::AllowlistArgs),
    /// Check every certificate bundle below directories, in parallel, for CI.
    ///
    /// Each file holding certificates is checked as one bundle, as `check` would, with the
    /// CA-only files of its directory as issuers; results come directory by directory,
    /// whatever the number of threads. Formats: text (a table and a summary), jsonl,
    /// json, junit and sarif.
    #[command(after_help = scan::EXAMPLES)]
    Scan(scan::ScanArgs),
    /// Explain a pasted error (Exchange federation 403s, SIP 488 with Windows Live, ...).
    ///
    /// Reads any text (a shell transcript, an event, a SIP trace, a mail thread with >
    /// quoting and wrapped lines, UTF-16 files from PowerShell), pulls out thumbprints,
    /// cmdlets, error ids, SIP headers, and says for each known error what happened, why,
    /// the fix as commands, and the next mfgcheck command to run.
    #[command(after_help = triage::TRIAGE_EXAMPLES)]
    Triage(triage::TriageArgs),
    /// The helpdesk's page in the browser, and an HTTP API with the CLI's JSON.
    ///
    /// Drop certificate files or paste an error, a thumbprint or shell output: the page
    /// shows the same verdict, findings, fixes and next steps as the CLI. Serves
    /// 127.0.0.1 by default; nothing uploaded is stored or logged.
    #[cfg(feature = "serve")]
    #[command(after_help = serve::EXAMPLES)]
    Serve(serve::ServeArgs),
    /// Check Lync's settings for public IM and A/V federation with Windows Live.
    ///
    /// Reads Get-CsExternalAccessPolicy and Get-CsMediaConfiguration output and, per scope
    /// (Global, Site:..., Tag:...), says whether IM and A/V with Windows Live can work, with
    /// the Set-Cs commands for the scopes that need them.
    #[command(after_help = triage::LYNC_EXAMPLES)]
    Lync(triage::LyncArgs),
}

/// Text or JSON, for every subcommand.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// `--profile` values, named as users type them.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ProfileArg {
    #[value(name = "exchange2010")]
    Exchange2010,
    #[value(name = "exchange2010-sp2")]
    Exchange2010Sp2,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::Exchange2010 => Profile::Exchange2010,
            ProfileArg::Exchange2010Sp2 => Profile::Exchange2010Sp2,
        }
    }
}

/// `--allowlist FILE` for the subcommands that only look CAs up (inspect, thumbprint):
/// no profile to choose, so the built-in list is always the RTM one.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Judging")]
struct AllowlistArg {
    /// Use this allowlist (YAML) instead of the built-in Exchange 2010 RTM list.
    #[arg(long, value_name = "FILE")]
    allowlist: Option<PathBuf>,
}

impl AllowlistArg {
    /// The file given, or the built-in Exchange 2010 RTM list.
    fn load(&self) -> Result<Allowlist, Fatal> {
        load_allowlist(self.allowlist.as_deref(), Profile::Exchange2010)
    }
}

/// `--allowlist FILE` and `--profile`, for the subcommands that judge: which rules apply
/// and which CAs are accepted.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Judging")]
struct ListArgs {
    /// Use this allowlist (YAML) instead of the built-in list of --profile.
    #[arg(long, value_name = "FILE")]
    allowlist: Option<PathBuf>,

    /// Which Exchange release's rules apply: exchange2010 (RTM: issued directly by a
    /// listed CA; built-in list: the RTM list) or exchange2010-sp2 (SP2, SP3 and
    /// Exchange 2013: built-in list: the later list, whose roots a certificate must
    /// chain to; or the self-signed certificate of the New Federation Trust wizard).
    #[arg(long, value_enum, default_value_t = ProfileArg::Exchange2010)]
    profile: ProfileArg,
}

impl ListArgs {
    fn profile(&self) -> Profile {
        self.profile.into()
    }

    /// The file given, or the built-in list of the profile.
    fn load(&self) -> Result<Allowlist, Fatal> {
        load_allowlist(self.allowlist.as_deref(), self.profile())
    }
}

/// The allowlist in `path`, or the built-in one of `profile` (the later list for
/// exchange2010-sp2).
fn load_allowlist(path: Option<&Path>, profile: Profile) -> Result<Allowlist, Fatal> {
    match path {
        Some(path) => {
            let (name, text) = read_text(path)?;
            Ok(Allowlist::parse(&text, &name)?)
        }
        None => Ok(Allowlist::embedded_for(profile)?),
    }
}

/// A file (or `-`) as text, whatever its encoding (UTF-8, UTF-16 with BOM), with its
/// name for messages.
fn read_text(path: &Path) -> Result<(String, String), Fatal> {
    let input = read_input(path)?;
    let text = mfgcheck::load::decode_text(&input.bytes).into_owned();
    Ok((input.name, text))
}

/// `--format`, for the subcommands that write a text report or one JSON document.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Output")]
struct FormatArg {
    /// Output format: text for people, or json (one document with schema_version) for
    /// scripts; an error is then a JSON document too.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `-q` and `-v`, for the subcommands whose report has a shorter and a longer form.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Output")]
struct Verbosity {
    /// One line instead of the report (text; JSON is unchanged): for scripts and prompts.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,

    /// After the report, how it was reached: every signature check and its result, and
    /// why a candidate issuer was set aside (text only).
    #[arg(short, long)]
    verbose: bool,
}

/// `--warn-days`, for the subcommands that judge how long a certificate has left.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Judging")]
struct WarnArg {
    /// Warn (expires-soon) when a certificate expires within this many days.
    #[arg(long = "warn-days", value_name = "DAYS", default_value_t = 30)]
    days: u32,
}

/// `--leaf`, shared by `check` and `bundle`: which certificate of the input to start from.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Input")]
struct LeafArg {
    /// The certificate to check, by SHA-1 or SHA-256 thumbprint or by serial number
    /// (spaces, colons and invisible characters copied from Windows are ignored; 20
    /// bytes are a SHA-1 thumbprint first). Default: the certificate a PFX's private key
    /// belongs to, else the end-entity certificate that issued no other.
    #[arg(long, value_name = "THUMBPRINT|SERIAL", value_parser = LeafSelector::parse)]
    leaf: Option<LeafSelector>,
}

/// `--at DATE`, shared by the subcommands that judge dates.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Judging")]
struct AtArg {
    /// Evaluate at this time instead of now: YYYY-MM-DD (midnight UTC) or RFC 3339
    /// (2010-12-01T09:30:00Z). Applies to every date check and to the allowlist's
    /// since/until dates.
    #[arg(long, value_name = "DATE", value_parser = parse_at)]
    at: Option<OffsetDateTime>,
}

impl AtArg {
    fn get(&self) -> OffsetDateTime {
        self.at.unwrap_or_else(OffsetDateTime::now_utc)
    }
}

/// Where a PFX password comes from, for the commands that ask on a terminal when no
/// option gives one. There is deliberately no option that takes the password itself: it
/// would show in the process list and the shell history.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Input")]
struct PasswordArgs {
    /// Read the PFX password from the first line of this file (a trailing CR/LF is
    /// removed; UTF-8 or UTF-16 as PowerShell writes it).
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    password_file: Option<PathBuf>,

    /// Read the PFX password from this environment variable. Without either option,
    /// the empty and absent passwords are tried, then you are asked on a terminal.
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
}

impl PasswordArgs {
    fn read(&self) -> Result<Option<Password>, Fatal> {
        read_password(self.password_file.as_deref(), self.password_env.as_deref())
    }
}

/// [`PasswordArgs`] for `scan`, which never asks: a PFX that needs another password
/// is an error record, and the scan goes on.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Input")]
struct BatchPasswordArgs {
    /// Read the password of the PFX files from the first line of this file (a trailing
    /// CR/LF is removed; UTF-8 or UTF-16 as PowerShell writes it).
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    password_file: Option<PathBuf>,

    /// Read the password of the PFX files from this environment variable. Without
    /// either option, the empty and absent passwords are tried; nothing is asked.
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
}

impl BatchPasswordArgs {
    fn read(&self) -> Result<Option<Password>, Fatal> {
        read_password(self.password_file.as_deref(), self.password_env.as_deref())
    }
}

/// The password in `file`'s first line, or in the variable `env`; `None` without either.
fn read_password(file: Option<&Path>, env: Option<&str>) -> Result<Option<Password>, Fatal> {
    if let Some(path) = file {
        let input = read_input(path)?;
        let bytes = zeroize::Zeroizing::new(input.bytes);
        let (password, ansi) = Password::from_file(&bytes);
        if ansi {
            let _ = writeln!(
                anstream::stderr(),
                "mfgcheck: note: {} is not UTF-8: its password was read as Windows-1252 (\"ANSI\", as Notepad and Windows PowerShell 5.1 save it)",
                input.name
            );
        }
        return Ok(Some(password));
    }
    if let Some(var) = env {
        return match std::env::var(var) {
            Ok(value) => Ok(Some(Password::new(value))),
            Err(std::env::VarError::NotPresent) => Err(Fatal::new(format!(
                "--password-env {var}: the environment variable is not set"
            ))),
            Err(std::env::VarError::NotUnicode(_)) => Err(Fatal::new(format!(
                "--password-env {var}: the value is not valid Unicode"
            ))),
        };
    }
    Ok(None)
}

/// Interactive password attempts before giving up, as sudo does.
const PROMPT_ATTEMPTS: usize = 3;

/// Runs `load` with the password the options give; when a PFX needs one that no
/// option gave and a person is at the terminal, asks for it without echo and
/// tries again.
fn with_password<T>(
    source: &PasswordArgs,
    mut load: impl FnMut(Option<&Password>) -> Result<T, mfgcheck::Error>,
) -> Result<T, Fatal> {
    let mut password = source.read()?;
    let interactive = password.is_none() && io::stdin().is_terminal();
    let mut attempts = 0;
    loop {
        let err = match load(password.as_ref()) {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        let mfgcheck::Error::Load(LoadError { file, problem }) = &err else {
            return Err(err.into());
        };
        let retry = match problem {
            Problem::PasswordNeeded if interactive && attempts == 0 => true,
            Problem::WrongPassword if interactive && attempts < PROMPT_ATTEMPTS => {
                let _ = writeln!(anstream::stderr(), "mfgcheck: wrong password for {file}");
                true
            }
            Problem::PasswordNeeded => {
                return Err(Fatal {
                    message: format!(
                        "{}: give it with --password-file FILE or --password-env VAR",
                        mfgcheck::load::password_needed(file)
                    ),
                    input: Some(file.to_owned()),
                });
            }
            Problem::WrongPassword => {
                let from = match (&source.password_file, &source.password_env) {
                    (Some(f), _) => format!(" (from --password-file {})", f.display()),
                    (None, Some(v)) => format!(" (from --password-env {v})"),
                    (None, None) if attempts > 0 => format!(" ({attempts} attempts)"),
                    (None, None) => String::new(),
                };
                return Err(Fatal {
                    message: format!("{err}{from}"),
                    input: Some(file.to_owned()),
                });
            }
            _ => false,
        };
        if !retry {
            return Err(err.into());
        }
        attempts += 1;
        let typed = rpassword::prompt_password(format!("Password for {file}: "))
            .map_err(|e| Fatal::new(format!("cannot read the password from the terminal: {e}")))?;
        password = Some(Password::new(typed));
    }
}

/// An error that ends the run with exit status 2: its words for the user and, when it
/// concerns one input (a file, `<stdin>`, a server, an address), that input, which a
/// JSON error names in `input`.
#[derive(Debug)]
struct Fatal {
    message: String,
    input: Option<String>,
}

impl Fatal {
    /// An error about the run itself (the arguments, the terminal, the output).
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            input: None,
        }
    }

    /// An error about `input`: "INPUT: problem".
    fn of(input: impl std::fmt::Display, problem: impl std::fmt::Display) -> Self {
        let input = input.to_string();
        Self {
            message: format!("{input}: {problem}"),
            input: Some(input),
        }
    }
}

impl From<mfgcheck::load::LoadError> for Fatal {
    fn from(e: mfgcheck::load::LoadError) -> Self {
        Self::of(&e.file, &e.problem)
    }
}

impl From<mfgcheck::Error> for Fatal {
    fn from(e: mfgcheck::Error) -> Self {
        let input = match &e {
            mfgcheck::Error::Load(load) => Some(load.file.clone()),
            mfgcheck::Error::Parse(parse) => Some(parse.origin.file.to_string()),
            mfgcheck::Error::KeyOnly { files }
            | mfgcheck::Error::TooManyCertificates { files, .. } => Some(files.clone()),
            mfgcheck::Error::Leaf(_) | mfgcheck::Error::NoInput => None,
        };
        Self {
            message: e.to_string(),
            input,
        }
    }
}

impl From<mfgcheck::triage::KbError> for Fatal {
    fn from(e: mfgcheck::triage::KbError) -> Self {
        Self {
            message: e.to_string(),
            input: Some(e.file.clone()),
        }
    }
}

impl From<mfgcheck::lync::LyncError> for Fatal {
    fn from(e: mfgcheck::lync::LyncError) -> Self {
        Self {
            message: e.to_string(),
            input: Some(e.file.clone()),
        }
    }
}

impl From<mfgcheck::scan::FilterError> for Fatal {
    fn from(e: mfgcheck::scan::FilterError) -> Self {
        Self::new(e.to_string())
    }
}

impl From<mfgcheck::policy::AllowlistError> for Fatal {
    fn from(e: mfgcheck::policy::AllowlistError) -> Self {
        Self {
            message: e.to_string(),
            input: Some(e.file),
        }
    }
}

/// The command line, with what only this machine knows written into its help: the
/// number of cores `scan --jobs` uses by default.
fn command() -> clap::Command {
    use clap::CommandFactory;
    let cores = scan::cores();
    Cli::command().mut_subcommand("scan", |scan| {
        scan.mut_arg("jobs", |jobs| {
            let words = format!("one per core ({cores} here) for files, 16 for servers");
            let help = jobs.get_help().map(|h| {
                h.to_string()
                    .replace("one per core for files, 16 for servers", &words)
            });
            match help {
                Some(help) => jobs.help(help),
                None => jobs,
            }
        })
    })
}

/// Runs the command line; returns the process exit status.
pub fn main() -> ExitCode {
    // Parsed as the system gave it, so that a file whose name is not UTF-8 is read;
    // the lossy copy only looks for --format json and names inputs in JSON errors.
    let argv_os: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let argv: Vec<String> = argv_os
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let json = wants_json(&argv);
    let parsed = command()
        .try_get_matches_from(&argv_os)
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not failures; usage errors are exit 2.
            if json && e.exit_code() == 2 {
                // clap's message runs to the blank line before "Usage:", the missing
                // argument on a line of its own: one line here, nothing lost.
                let text = e.to_string();
                let message: Vec<&str> = text
                    .lines()
                    .map(str::trim)
                    .take_while(|l| !l.is_empty())
                    .collect();
                let message = message.join(" ");
                let message = message.strip_prefix("error: ").unwrap_or(&message);
                let _ = write_stdout(&json_error(message, None));
            }
            e.exit();
        }
    };
    let _ = MAX_FILE_BYTES.set(cli.max_file_size * 1024 * 1024);
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Bundle(args) => bundle::run(args),
        Command::Thumbprint(args) => thumbprint::run(args),
        Command::Allowlist(args) => allowlist::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Triage(args) => triage::triage(args),
        Command::Lync(args) => triage::lync(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(fatal) => {
            let _ = writeln!(anstream::stderr(), "mfgcheck: error: {}", fatal.message);
            if json {
                let _ = write_stdout(&json_error(&fatal.message, fatal.input.as_deref()));
            }
            ExitCode::from(2)
        }
    }
}

/// Whether the command line asks for JSON (`--format json` or `--format=json`): then a
/// failure is also a JSON document on standard output, so that a pipeline reading it
/// never gets nothing.
fn wants_json(argv: &[String]) -> bool {
    argv.windows(2)
        .any(|w| matches!(w, [flag, value] if flag == "--format" && value == "json"))
        || argv.iter().any(|a| a == "--format=json")
}

/// The error document (`schema_version`, `error`, `input`).
fn json_error(message: &str, input: Option<&str>) -> String {
    mfgcheck::report::to_text(&mfgcheck::report::ErrorDocument::new(
        message,
        input.map(str::to_owned),
    ))
}

/// Writes the report; a closed pipe (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<(), Fatal> {
    let mut out = anstream::stdout();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Fatal::new(format!("cannot write output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Columns to wrap text at: `COLUMNS` when set, else the terminal's width, else 80
/// (a log, a ticket, a pipe: 80 columns read everywhere).
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(80)
}

fn read_inputs(files: &[PathBuf], command: &str) -> Result<Vec<Input>, Fatal> {
    if files.is_empty() {
        if io::stdin().is_terminal() {
            return Err(Fatal::new(format!(
                "no input: give a certificate file, or - to read standard input (see mfgcheck {command} --help)"
            )));
        }
        return Ok(vec![read_input(Path::new("-"))?]);
    }
    if files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Fatal::new("standard input (-) can be read only once"));
    }
    files.iter().map(|f| read_input(f)).collect()
}

/// Whether `output` names one of the `inputs` (the same path, or the same file by
/// another path): a command must never write over what it reads.
fn is_input(output: &Path, inputs: &[PathBuf]) -> bool {
    inputs.iter().any(|f| {
        f == output
            || matches!(
                (std::fs::canonicalize(f), std::fs::canonicalize(output)),
                (Ok(a), Ok(b)) if a == b
            )
    })
}

/// Reads a file (or stdin for `-`) whole, refusing directories and oversized inputs.
fn read_input(path: &Path) -> Result<Input, Fatal> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    let fail = |what: String| Fatal::of(&name, what);
    let mut bytes = Vec::new();
    let read = if stdin {
        io::stdin()
            .lock()
            .take(max_input_bytes() + 1)
            .read_to_end(&mut bytes)
    } else {
        if path.is_dir() {
            return Err(fail(
                "is a directory; give the certificate files in it".into(),
            ));
        }
        std::fs::File::open(path)
            .and_then(|f| f.take(max_input_bytes() + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| {
        fail(match e.kind() {
            io::ErrorKind::NotFound => "no such file".into(),
            io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => format!("cannot read: {e}"),
        })
    })?;
    if bytes.len() as u64 > max_input_bytes() {
        return Err(fail(format!(
            "larger than {} MiB; this is not a certificate file",
            max_input_bytes() / (1024 * 1024)
        )));
    }
    Ok(Input { name, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
