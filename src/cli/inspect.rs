//! `mfgcheck inspect`: what is in the files, with no verdict.

use std::path::PathBuf;
use std::process::ExitCode;

use mfgcheck::report;

use super::{
    AllowlistArg, AtArg, Fatal, Format, FormatArg, PasswordArgs, Verbosity, with_password,
    write_stdout,
};

pub(super) const EXAMPLES: &str = "\
Examples:
  Everything in a bundle a vendor sent, and who issued whom:
    mfgcheck inspect bundle.p7b

  The .pfx you are about to import (key, provider, friendly name):
    mfgcheck inspect federation.pfx --password-file pfx-password.txt

  Days left judged at another date, as JSON:
    mfgcheck inspect cert.cer --at 2011-06-01 --format json

  Only the leaf from a ticket: fetch its issuers from the addresses it names:
    mfgcheck inspect ticket.cer --fetch-missing

Exit status: 0 everything loaded, 2 an input, the allowlist or the arguments could not be used.";

#[derive(Debug, clap::Args)]
pub(super) struct InspectArgs {
    /// Certificate files (any format `check` reads); `-` reads standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,

    #[command(flatten)]
    password: PasswordArgs,

    #[command(flatten)]
    allowlist: AllowlistArg,

    #[command(flatten)]
    at: AtArg,

    #[command(flatten)]
    format: FormatArg,

    #[command(flatten)]
    verbosity: Verbosity,

    #[command(flatten)]
    save: super::connect::SaveArg,

    #[command(flatten)]
    connect: super::connect::ConnectArgs,
}

pub(super) fn run(args: InspectArgs) -> Result<ExitCode, Fatal> {
    let allowlist = args.allowlist.load()?;
    let (inputs, presented) =
        super::connect::inputs(&args.connect, args.save.path(), &args.files, "inspect")?;
    let at = args.at.get();
    let issuers = args.connect.issuer_source();
    let inspection = with_password(&args.password, |password| match &issuers {
        Some(source) => mfgcheck::inspect_fetching(&inputs, password, source),
        None => mfgcheck::inspect(&inputs, password),
    })?;
    let rendered = match args.format.format {
        Format::Text if args.verbosity.quiet => report::inspect_line(&inspection),
        Format::Text => {
            super::connect::describe(&presented, super::terminal_width())
                + &report::inspect_text(&inspection, &allowlist, at, super::terminal_width())
                + &if args.verbosity.verbose {
                    report::forest_text(&inspection, super::terminal_width())
                } else {
                    String::new()
                }
        }
        Format::Json => {
            let mut doc = report::inspect_json(&inspection, &allowlist, at);
            doc.connections = super::connect::connections(&presented);
            report::to_text(&doc)
        }
    };
    write_stdout(&rendered)?;
    Ok(ExitCode::SUCCESS)
}
