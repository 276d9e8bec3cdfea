//! `mfgcheck triage` and `mfgcheck lync`: the helpdesk's commands.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use mfgcheck::report;
use mfgcheck::triage::KnowledgeBase;

use super::{AtArg, Fatal, Format, FormatArg, ListArgs, read_text, terminal_width, write_stdout};

pub(super) const TRIAGE_EXAMPLES: &str = "\
Examples:
  A shell transcript saved from the Exchange Management Shell:
    mfgcheck triage ticket-4711.txt

  Paste the text (end with Ctrl+D, or Ctrl+Z and Enter on Windows):
    mfgcheck triage

  From the clipboard, with your own knowledge base added:
    Get-Clipboard | mfgcheck triage - --kb our-errors.yaml

  Exchange Management Shell output pasted into a ticket, judged as of the ticket's day:
    Get-ExchangeCertificate | fl; Get-FederationTrust | fl; Test-FederationTrust
    mfgcheck triage ticket.txt --at 2013-03-20

Exit status: 0 something was recognised (or Exchange Management Shell output was read),
1 nothing was (the known errors are listed), 2 the input or a knowledge base could not be
used.";

pub(super) const LYNC_EXAMPLES: &str = "\
Examples:
  Save the settings on the Front End, then check them:
    Get-CsExternalAccessPolicy | Format-List > policy.txt
    Get-CsMediaConfiguration | Format-List > media.txt
    mfgcheck lync policy.txt media.txt

  Export-Csv output works too:
    mfgcheck lync policies.csv media.csv --format json

Exit status: 0 ready, 1 changes needed (the Set-Cs commands are printed) or incomplete (one
of the two outputs is missing: both are needed to say ready), 2 the input could not be used.";

#[derive(Debug, clap::Args)]
pub(super) struct TriageArgs {
    /// The text: a transcript, an event, a SIP trace, a mail; `-` or nothing reads
    /// standard input.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,

    /// Add the entries of this knowledge base (YAML, the schema of the built-in one);
    /// may be given several times.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    kb: Vec<PathBuf>,

    #[command(flatten)]
    list: ListArgs,

    #[command(flatten)]
    at: AtArg,

    #[command(flatten)]
    format: FormatArg,
}

#[derive(Debug, clap::Args)]
pub(super) struct LyncArgs {
    /// Outputs of Get-CsExternalAccessPolicy and Get-CsMediaConfiguration (Format-List or
    /// Export-Csv), in any order; `-` reads standard input.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,

    #[command(flatten)]
    format: FormatArg,
}

pub(super) fn triage(args: TriageArgs) -> Result<ExitCode, Fatal> {
    let allowlist = args.list.load()?;
    let mut kb = KnowledgeBase::embedded()?;
    for path in &args.kb {
        let (name, text) = read_text(path)?;
        kb.extend(&text, &name)?;
    }
    let path = args.file.unwrap_or_else(|| PathBuf::from("-"));
    if path.as_os_str() == "-" && io::stdin().is_terminal() {
        let _ = writeln!(
            io::stderr(),
            "Paste the text, then press Ctrl+D (Ctrl+Z and Enter on Windows):"
        );
    }
    let (name, text) = read_text(&path)?;
    if text.trim().is_empty() {
        return Err(Fatal::of(&name, "the text is empty"));
    }
    let options = mfgcheck::triage::TriageOptions {
        at: args.at.get(),
        profile: args.list.profile(),
    };
    let t = mfgcheck::triage::triage(&text, &kb, &allowlist, options);
    write_stdout(&match args.format.format {
        Format::Text => report::triage_text(&t, &kb, terminal_width()),
        Format::Json => report::to_text(&report::triage_json(&t, &kb)),
    })?;
    // Exchange Management Shell output read and found in order is an answer too.
    Ok(if t.recognised.is_empty() && t.facts.shell.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub(super) fn lync(args: LyncArgs) -> Result<ExitCode, Fatal> {
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Fatal::new("standard input (-) can be read only once"));
    }
    let mut objects = Vec::new();
    let mut names = Vec::new();
    for path in &args.files {
        let (name, text) = read_text(path)?;
        objects.extend(mfgcheck::lync::parse(&text, &name)?);
        names.push(name);
    }
    let Some(r) = mfgcheck::lync::assess(&objects) else {
        return Err(Fatal::of(
            names.join(", "),
            "no Get-CsExternalAccessPolicy or Get-CsMediaConfiguration output found (save it with | Format-List or Export-Csv)",
        ));
    };
    write_stdout(&match args.format.format {
        Format::Text => report::lync_text(&r, terminal_width()),
        Format::Json => report::to_text(&report::lync_json(&r)),
    })?;
    Ok(if r.ready {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
