//! `mfgcheck check`: the verdict.

use std::path::PathBuf;
use std::process::ExitCode;

use mfgcheck::CheckOptions;
use mfgcheck::policy::Verdict;
use mfgcheck::report::{self, TextOptions};

use super::{
    AtArg, Fatal, Format, FormatArg, LeafArg, ListArgs, PasswordArgs, Verbosity, WarnArg,
    terminal_width, with_password, write_stdout,
};

pub(super) const EXAMPLES: &str = "\
Examples:
  Check a certificate with the CA's intermediate, as the vendor sent them:
    mfgcheck check mail.contoso.com.cer intermediate.cer

  Check a bundle as it was on a given day (dates, and when CAs joined the list):
    mfgcheck check bundle.p7b --at 2010-12-01

  Only the .cer from a ticket: fetch the missing issuers from the addresses it names:
    mfgcheck check ticket.cer --fetch-missing

  Pick the certificate by the thumbprint Get-ExchangeCertificate shows:
    mfgcheck check bundle.pem --leaf 7C4656C3061F7F4C0D67B319A855F60EBC11FC44

  Read standard input, report JSON for a pipeline:
    Get-Content cert.pem | mfgcheck check - --format json

  The verdict and the one thing to do, for a ticket (at most 10 lines):
    mfgcheck check mail.cer intermediate.cer --brief

  Check the .pfx you will import (asks for the password on a terminal):
    mfgcheck check federation.pfx
    mfgcheck check federation.pfx --password-file pfx-password.txt
    $env:PFX_PASSWORD = Get-Secret PfxPassword -AsPlainText
    mfgcheck check federation.pfx --password-env PFX_PASSWORD

  A self-signed federation certificate on Exchange 2010 SP2 or later:
    mfgcheck check federation.pfx --profile exchange2010-sp2

  Check what a server presents (HTTPS: OWA, EWS, Autodiscover on the CAS):
    mfgcheck check --connect mail.contoso.com

  Exchange transport (SMTP on 25, or 587 for clients), through STARTTLS:
    mfgcheck check --connect mail.contoso.com:25 --starttls smtp

  A Lync Edge's federation port (SIP over TLS, 5061), keeping the chain it sends:
    mfgcheck check --connect sip.contoso.com:5061 --save edge-chain.pem

Exit status: 0 accepted, 1 rejected or undetermined (the input lacks the evidence, e.g. the
issuer's certificate), 2 the input, the allowlist or the arguments could not be used.";

#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    /// Certificate files; `-` reads standard input (also read when no file is given and
    /// input is piped).
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

    #[command(flatten)]
    warn: WarnArg,

    #[command(flatten)]
    format: FormatArg,

    /// At most 10 lines: the verdict, the finding that decides it with its fix, and the
    /// next command (text only).
    #[arg(long, conflicts_with_all = ["quiet", "verbose"], help_heading = "Output")]
    brief: bool,

    #[command(flatten)]
    verbosity: Verbosity,

    #[command(flatten)]
    save: super::connect::SaveArg,

    #[command(flatten)]
    connect: super::connect::ConnectArgs,
}

pub(super) fn run(args: CheckArgs) -> Result<ExitCode, Fatal> {
    let allowlist = args.list.load()?;
    let (inputs, presented) =
        super::connect::inputs(&args.connect, args.save.path(), &args.files, "check")?;
    let mut options = CheckOptions::at(args.at.get());
    options.warn_days = args.warn.days;
    options.leaf = args.leaf.leaf;
    options.profile = args.list.profile();
    options.trace = args.verbosity.verbose;
    let outcome = with_password(&args.password, |password| {
        options.password = password.cloned();
        args.connect.check(&inputs, &allowlist, &options)
    })?;

    let rendered = match args.format.format {
        Format::Text if args.brief => report::brief(&outcome, terminal_width(), &full_command()),
        Format::Text if args.verbosity.quiet => format!("{}\n", report::verdict_line(&outcome)),
        Format::Text => {
            super::connect::describe(&presented, terminal_width())
                + &report::text(
                    &outcome,
                    &allowlist,
                    TextOptions {
                        width: terminal_width(),
                    },
                )
                + &if args.verbosity.verbose {
                    report::search_text(&outcome, terminal_width())
                } else {
                    String::new()
                }
        }
        Format::Json => {
            let mut doc = report::json(&outcome, &allowlist);
            doc.connections = super::connect::connections(&presented);
            report::to_text(&doc)
        }
    };
    write_stdout(&rendered)?;
    Ok(match outcome.assessment.verdict {
        Verdict::Accepted => ExitCode::SUCCESS,
        Verdict::Rejected | Verdict::Undetermined => ExitCode::from(1),
    })
}

/// This command line without --brief: the one that prints the whole report.
fn full_command() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--brief")
        .map(|a| {
            if a.is_empty() || a.contains([' ', '"', '\'']) {
                format!("\"{a}\"")
            } else {
                a
            }
        })
        .collect();
    format!("mfgcheck {}", args.join(" "))
}

#[cfg(test)]
mod tests {
    use mfgcheck::chain::LeafSelector;

    #[test]
    fn leaf_thumbprints_by_length() {
        assert!(matches!(
            LeafSelector::parse(
                "\u{200E}7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44"
            ),
            Ok(LeafSelector::Sha1(_))
        ));
        assert!(matches!(
            LeafSelector::parse(&"AB".repeat(32)),
            Ok(LeafSelector::Sha256(_))
        ));
        // Technet's DigiCert value is the root's serial number: taken as one.
        assert!(matches!(
            LeafSelector::parse("083B:E056:9042:46B1:A175:6AC9:5991:C74A"),
            Ok(LeafSelector::Serial(_))
        ));
        let err = LeafSelector::parse(&"AB".repeat(24)).unwrap_err();
        assert!(err.contains("serial number"), "{err}");
    }
}
