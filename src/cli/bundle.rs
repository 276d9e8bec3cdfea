//! `mfgcheck bundle`: the chain to deploy, repaired: leaf first, then each issuer in
//! path order, nothing unrelated, nothing twice, the root only when asked for.

use std::fs::OpenOptions;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use mfgcheck::policy::Verdict;
use mfgcheck::report;
use mfgcheck::{CheckOptions, Outcome};

use super::{AtArg, Fatal, LeafArg, ListArgs, PasswordArgs, terminal_width, with_password};

pub(super) const EXAMPLES: &str = "\
Examples:
  A vendor's files in any order, as one PEM for IIS, Exchange or a load balancer:
    mfgcheck bundle mail.cer intermediate.cer root.cer -o mail-chain.pem

  Only the leaf from a ticket: fetch its issuers and write the whole chain:
    mfgcheck bundle ticket.cer --fetch-missing -o mail-chain.pem

  A .p7b for the Windows certificate import wizard, root included:
    mfgcheck bundle mail.pem --fetch-missing --include-root --format p7b -o mail.p7b

  What a server should send, from what it sends now:
    mfgcheck bundle --connect mail.contoso.com --fetch-missing -o fixed.pem

The verdict (as check --brief gives it) goes to standard error; the chain to FILE, or to
standard output (PEM only on a terminal). Certificates only: a PFX's private key is never
written. Exit status: 0 accepted, 1 rejected or undetermined (the chain is written either
way), 2 the input, the arguments or the output could not be used.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum BundleFormat {
    /// PEM blocks, leaf first.
    Pem,
    /// DER PKCS#7 certs-only (.p7b), as the Windows import wizard takes it.
    P7b,
}

#[derive(Debug, clap::Args)]
pub(super) struct BundleArgs {
    /// Certificate files (any format check reads); `-` reads standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,

    #[command(flatten)]
    leaf: LeafArg,

    #[command(flatten)]
    password: PasswordArgs,

    #[command(flatten)]
    list: ListArgs,

    #[command(flatten)]
    at: AtArg,

    /// Write the chain to FILE (default: standard output).
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = BundleFormat::Pem, help_heading = "Output")]
    format: BundleFormat,

    /// Also write the self-signed root at the top of the path (servers need not send
    /// it; an import on a machine that lacks it needs it).
    #[arg(long, help_heading = "Output")]
    include_root: bool,

    /// Replace FILE when it exists (never an input file).
    #[arg(long, help_heading = "Output")]
    force: bool,

    #[command(flatten)]
    connect: super::connect::ConnectArgs,
}

pub(super) fn run(args: BundleArgs) -> Result<ExitCode, Fatal> {
    if let Some(output) = &args.output {
        refuse_output(output, &args.files, args.force)?;
    } else if args.format == BundleFormat::P7b && io::stdout().is_terminal() {
        return Err(Fatal::new(
            "a .p7b is binary: give -o FILE, or --format pem for the terminal",
        ));
    }
    let allowlist = args.list.load()?;
    let (inputs, _) = super::connect::inputs(&args.connect, None, &args.files, "bundle")?;
    let mut options = CheckOptions::at(args.at.get());
    options.leaf = args.leaf.leaf;
    options.profile = args.list.profile();
    let outcome = with_password(&args.password, |password| {
        options.password = password.cloned();
        args.connect.check(&inputs, &allowlist, &options)
    })?;

    let chosen = outcome.chain.to_send(args.include_root);
    let ders = || chosen.iter().map(|&id| outcome.pool.get(id).der());
    let bytes = match args.format {
        BundleFormat::Pem => report::bundle::pem(ders()).into_bytes(),
        BundleFormat::P7b => report::bundle::pkcs7(ders()),
    };
    match &args.output {
        Some(path) => write_new(path, &bytes, args.force)?,
        None => {
            let mut out = io::stdout().lock();
            match out.write_all(&bytes).and_then(|()| out.flush()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    return Err(Fatal::new(format!("cannot write output: {e}")));
                }
                _ => {}
            }
        }
    }
    let mut err = anstream::stderr();
    let _ = write!(
        err,
        "{}{}",
        report::brief(&outcome, terminal_width(), &check_command()),
        summary(&outcome, chosen, args.output.as_deref(), args.include_root)
    );
    Ok(match outcome.assessment.verdict {
        Verdict::Accepted => ExitCode::SUCCESS,
        Verdict::Rejected | Verdict::Undetermined => ExitCode::from(1),
    })
}

/// This command line as the `check` that prints the whole report: `bundle` becomes
/// `check`, and the options only `bundle` has are left out.
fn check_command() -> String {
    let mut words = vec!["mfgcheck".to_owned()];
    let mut args = std::env::args().skip(1);
    let mut renamed = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "bundle" if !renamed => {
                renamed = true;
                words.push("check".to_owned());
            }
            "-o" | "--output" | "--format" => {
                args.next();
            }
            "--include-root" | "--force" => {}
            _ if a.starts_with("--output=") || a.starts_with("--format=") => {}
            _ if a.is_empty() || a.contains([' ', '"', '\'']) => words.push(format!("\"{a}\"")),
            _ => words.push(a),
        }
    }
    words.join(" ")
}

/// What was written and what was left out, in one or two lines.
fn summary(
    outcome: &Outcome,
    chosen: &[mfgcheck::chain::CertId],
    output: Option<&Path>,
    include_root: bool,
) -> String {
    let pool = &outcome.pool;
    let names: Vec<String> = chosen
        .iter()
        .map(|&id| pool.get(id).subject().short().to_string())
        .collect();
    let mut left_out = Vec::new();
    if !include_root && chosen.len() < outcome.chain.path.len() {
        left_out.push("the root (--include-root writes it)".to_owned());
    }
    if !outcome.chain.unused.is_empty() {
        left_out.push(report::count(
            outcome.chain.unused.len(),
            "certificate not on the path",
            "certificates not on the path",
        ));
    }
    if !pool.duplicates().is_empty() {
        left_out.push(report::count(
            pool.duplicates().len(),
            "duplicate",
            "duplicates",
        ));
    }
    let mut out = format!(
        "Wrote {} to {}: {}.\n",
        report::count(chosen.len(), "certificate", "certificates"),
        output.map_or_else(|| "standard output".to_owned(), |p| p.display().to_string()),
        names.join(" <- ")
    );
    if !left_out.is_empty() {
        out.push_str(&format!("Left out: {}.\n", left_out.join("; ")));
    }
    out
}

/// Never over an input file; over an existing file only with --force.
fn refuse_output(output: &Path, files: &[PathBuf], force: bool) -> Result<(), Fatal> {
    if super::is_input(output, files) {
        return Err(Fatal::of(
            output.display(),
            "-o would overwrite an input file; give another name",
        ));
    }
    if !force && output.exists() {
        return Err(Fatal::of(
            output.display(),
            "exists; give --force to replace it",
        ));
    }
    Ok(())
}

/// Writes `bytes` to `path`, creating it (or, with --force, replacing it).
fn write_new(path: &Path, bytes: &[u8], force: bool) -> Result<(), Fatal> {
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()))
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => {
                Fatal::of(path.display(), "exists; give --force to replace it")
            }
            _ => Fatal::of(path.display(), format_args!("cannot write: {e}")),
        })
}
