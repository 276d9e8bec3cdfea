//! Command-line layer: parse arguments, read inputs, call the library, render.
//! No certificate logic lives here.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;

use mfgcheck::chain::LeafSelector;
use mfgcheck::load::{LoadError, Password, Problem};
use mfgcheck::model::Thumbprint;
use mfgcheck::model::date::parse_day;
use mfgcheck::model::hex::{clean_hex, length_hint};
use mfgcheck::policy::{Allowlist, Verdict};
use mfgcheck::report::{self, TextOptions};
use mfgcheck::{CheckOptions, Input};

/// Inputs larger than this are refused: no certificate bundle comes near it.
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

const CHECK_EXAMPLES: &str = "\
Examples:
  Check a certificate with the CA's intermediate, as the vendor sent them:
    mfgcheck check mail.contoso.com.cer intermediate.cer

  Check a bundle as it was on a given day (dates, and when CAs joined the list):
    mfgcheck check bundle.p7b --at 2010-12-01

  Pick the certificate by the thumbprint Get-ExchangeCertificate shows:
    mfgcheck check bundle.pem --leaf 7C4656C3061F7F4C0D67B319A855F60EBC11FC44

  Read standard input, report JSON for a pipeline:
    Get-Content cert.pem | mfgcheck check - --format json

  Check the .pfx you will import (asks for the password on a terminal):
    mfgcheck check federation.pfx
    mfgcheck check federation.pfx --password-file pfx-password.txt
    $env:PFX_PASSWORD = Get-Secret PfxPassword -AsPlainText
    mfgcheck check federation.pfx --password-env PFX_PASSWORD

Exit status: 0 accepted, 1 rejected, 2 the input, the allowlist or the arguments could not be used.";

/// Will the Microsoft Federation Gateway accept this certificate?
///
/// Checks a federation certificate against the rules of the Microsoft Federation Gateway
/// (MFG) used by Exchange 2010 New-FederationTrust: issued directly by a listed CA, Subject
/// Key Identifier present, RSA key, valid dates, an end-entity certificate.
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
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Certificate files; `-` reads standard input (also read when no file is given and
    /// input is piped).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Use this allowlist (YAML) instead of the built-in Exchange 2010 list.
    #[arg(long, value_name = "FILE")]
    allowlist: Option<PathBuf>,

    /// Evaluate at this time instead of now: YYYY-MM-DD (midnight UTC) or RFC 3339
    /// (2010-12-01T09:30:00Z). Applies to every date check and to the allowlist's
    /// since/until dates.
    #[arg(long, value_name = "DATE", value_parser = parse_at)]
    at: Option<OffsetDateTime>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// The certificate to check, by SHA-1 or SHA-256 thumbprint (spaces, colons and
    /// invisible characters copied from Windows are ignored). Default: the end-entity
    /// certificate that issued no other.
    #[arg(long, value_name = "THUMBPRINT", value_parser = parse_leaf)]
    leaf: Option<LeafSelector>,

    /// Warn (expires-soon) when the certificate expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    warn_days: u32,

    #[command(flatten)]
    password: PasswordArgs,
}

/// Where a PFX password comes from. There is deliberately no option that takes the
/// password itself: it would show in the process list and the shell history.
#[derive(Debug, clap::Args)]
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
        if let Some(path) = &self.password_file {
            let input = read_input(path)?;
            let bytes = zeroize::Zeroizing::new(input.bytes);
            return Ok(Some(Password::from_file_contents(&bytes)));
        }
        if let Some(var) = &self.password_env {
            return match std::env::var(var) {
                Ok(value) => Ok(Some(Password::new(value))),
                Err(std::env::VarError::NotPresent) => Err(Fatal(format!(
                    "--password-env {var}: the environment variable is not set"
                ))),
                Err(std::env::VarError::NotUnicode(_)) => Err(Fatal(format!(
                    "--password-env {var}: the value is not valid Unicode"
                ))),
            };
        }
        Ok(None)
    }
}

/// Interactive password attempts before giving up, as sudo does.
const PROMPT_ATTEMPTS: usize = 3;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339.
fn parse_at(text: &str) -> Result<OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t);
    }
    parse_day(text)
        .map(|d| d.midnight().assume_utc())
        .ok_or_else(|| {
            "expected YYYY-MM-DD or an RFC 3339 time such as 2010-12-01T09:30:00Z".to_owned()
        })
}

/// A SHA-1 (20 bytes) or SHA-256 (32 bytes) thumbprint, however it was pasted.
fn parse_leaf(text: &str) -> Result<LeafSelector, String> {
    let clean = clean_hex(text).map_err(|e| e.to_string())?;
    let bytes = clean.bytes.as_slice();
    match bytes.len() {
        20 => Thumbprint::try_from(bytes)
            .map(LeafSelector::Sha1)
            .map_err(|e| e.to_string()),
        32 => Thumbprint::try_from(bytes)
            .map(LeafSelector::Sha256)
            .map_err(|e| e.to_string()),
        n => Err(format!(
            "{n} bytes is neither a SHA-1 (20 bytes) nor a SHA-256 (32 bytes) thumbprint{}",
            length_hint(n)
        )),
    }
}

/// An error that ends the run with exit status 2, already worded for the user.
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

/// Runs the command line; returns the process exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    let result = match cli.command {
        Command::Check(args) => check(args),
    };
    match result {
        Ok(code) => code,
        Err(Fatal(message)) => {
            let _ = writeln!(anstream::stderr(), "mfgcheck: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn check(args: CheckArgs) -> Result<ExitCode, Fatal> {
    let allowlist = match &args.allowlist {
        Some(path) => {
            let input = read_input(path)?;
            let text = mfgcheck::load::decode_text(&input.bytes);
            Allowlist::parse(&text, &input.name)?
        }
        None => Allowlist::embedded()?,
    };
    let inputs = read_inputs(&args.files)?;
    let mut options = CheckOptions::at(args.at.unwrap_or_else(OffsetDateTime::now_utc));
    options.warn_days = args.warn_days;
    options.leaf = args.leaf;
    options.password = args.password.read()?;
    let outcome = check_with_prompt(&inputs, &allowlist, options, &args.password)?;

    let rendered = match args.format {
        Format::Text => report::text(
            &outcome,
            &allowlist,
            TextOptions {
                width: terminal_width(),
            },
        ),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report::json(&outcome, &allowlist))?;
            s.push('\n');
            s
        }
    };
    write_stdout(&rendered)?;
    Ok(match outcome.assessment.verdict {
        Verdict::Accepted => ExitCode::SUCCESS,
        Verdict::Rejected => ExitCode::from(1),
    })
}

/// Runs the check; when a PFX needs a password that no option gave and a person is
/// at the terminal, asks for it without echo and tries again.
fn check_with_prompt(
    inputs: &[Input],
    allowlist: &Allowlist,
    mut options: CheckOptions,
    source: &PasswordArgs,
) -> Result<mfgcheck::Outcome, Fatal> {
    let interactive = options.password.is_none() && io::stdin().is_terminal();
    let mut attempts = 0;
    loop {
        let err = match mfgcheck::check(inputs, allowlist, &options) {
            Ok(outcome) => return Ok(outcome),
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
                return Err(Fatal(format!(
                    "{file}: this PKCS#12 file needs a password (neither the empty nor the absent \
                     password opens it): give it with --password-file FILE or --password-env VAR"
                )));
            }
            Problem::WrongPassword => {
                let from = match (&source.password_file, &source.password_env) {
                    (Some(f), _) => format!(" (from --password-file {})", f.display()),
                    (None, Some(v)) => format!(" (from --password-env {v})"),
                    (None, None) if attempts > 0 => format!(" ({attempts} attempts)"),
                    (None, None) => String::new(),
                };
                return Err(Fatal(format!("{err}{from}")));
            }
            _ => false,
        };
        if !retry {
            return Err(err.into());
        }
        attempts += 1;
        let typed = rpassword::prompt_password(format!("Password for {file}: "))
            .map_err(|e| Fatal(format!("cannot read the password from the terminal: {e}")))?;
        options.password = Some(Password::new(typed));
    }
}

/// Writes the report; a closed pipe (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<(), Fatal> {
    let mut out = anstream::stdout();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Fatal(format!("cannot write output: {e}")))
        }
        _ => Ok(()),
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100)
}

fn read_inputs(files: &[PathBuf]) -> Result<Vec<Input>, Fatal> {
    if files.is_empty() {
        if io::stdin().is_terminal() {
            return Err(Fatal(
                "no input: give a certificate file, or - to read standard input (see mfgcheck check --help)".into(),
            ));
        }
        return Ok(vec![read_input(Path::new("-"))?]);
    }
    if files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Fatal("standard input (-) can be read only once".into()));
    }
    files.iter().map(|f| read_input(f)).collect()
}

/// Reads a file (or stdin for `-`) whole, refusing directories and oversized inputs.
fn read_input(path: &Path) -> Result<Input, Fatal> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    let fail = |what: String| Fatal(format!("{name}: {what}"));
    let mut bytes = Vec::new();
    let read = if stdin {
        io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        if path.is_dir() {
            return Err(fail(
                "is a directory; give the certificate files in it".into(),
            ));
        }
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| {
        fail(match e.kind() {
            io::ErrorKind::NotFound => "no such file".into(),
            io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => format!("cannot read: {e}"),
        })
    })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(fail(format!(
            "larger than {} MiB; this is not a certificate file",
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    Ok(Input { name, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_accepts_dates_and_rfc3339() {
        assert_eq!(
            parse_at("2010-12-01").unwrap(),
            time::macros::datetime!(2010-12-01 0:00 UTC)
        );
        assert_eq!(
            parse_at("2010-12-01T09:30:00+01:00").unwrap(),
            time::macros::datetime!(2010-12-01 8:30 UTC)
        );
        assert!(parse_at("12/01/2010").is_err());
    }

    #[test]
    fn leaf_thumbprints_by_length() {
        assert!(matches!(
            parse_leaf("\u{200E}7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44"),
            Ok(LeafSelector::Sha1(_))
        ));
        assert!(matches!(
            parse_leaf(&"AB".repeat(32)),
            Ok(LeafSelector::Sha256(_))
        ));
        let err = parse_leaf("083B:E056:9042:46B1:A175:6AC9:5991:C74A").unwrap_err();
        assert!(err.contains("serial number"), "{err}");
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
