//! `mfgcheck allowlist`: the list of accepted CAs, to read, search and validate.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use time::OffsetDateTime;

use mfgcheck::policy::Allowlist;
use mfgcheck::report;

use super::ProfileArg;
use super::{Fatal, Format, load_allowlist, parse_at, read_text, terminal_width, write_stdout};

pub(super) const EXAMPLES: &str = "\
Examples:
  Which CAs may issue a federation certificate (built-in Exchange 2010 list):
    mfgcheck allowlist

  Everything known about one of them, with the notes:
    mfgcheck allowlist show \"DigiCert Global Root CA\"

  Where does Comodo stand?
    mfgcheck allowlist search comodo

  The later list (Exchange 2010 SP2/SP3 and 2013), roots a certificate must chain to:
    mfgcheck allowlist --profile exchange2010-sp2

  Validate your own list before using it with --allowlist:
    mfgcheck allowlist lint my-allowlist.yaml

Exit status: 0 done (lint: the file is valid), 1 search found nothing, 2 a file could not be
used (lint: the problems are listed) or the arguments were wrong.";

#[derive(Debug, clap::Args)]
pub(super) struct AllowlistArgs {
    #[command(subcommand)]
    action: Option<Action>,

    /// Read this allowlist (YAML) instead of the built-in Exchange 2010 list.
    #[arg(long, value_name = "FILE", global = true)]
    allowlist: Option<PathBuf>,

    /// Which built-in list: exchange2010 (the RTM list, the default) or exchange2010-sp2
    /// (the later list of Exchange 2010 SP2/SP3 and 2013, roots to chain to).
    #[arg(long, value_enum, default_value_t = ProfileArg::Exchange2010, global = true)]
    profile: ProfileArg,

    /// Show standing (accepted, not yet, ended) at this date instead of now.
    #[arg(long, value_name = "DATE", value_parser = parse_at, global = true)]
    at: Option<OffsetDateTime>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Every authority with kind, status, dates and identities (the default).
    List,
    /// One authority, by name or a unique part of it, with its notes.
    Show {
        #[arg(value_name = "NAME", required = true)]
        name: Vec<String>,
    },
    /// Authorities whose name, subject or notes contain TEXT (case-insensitive).
    Search {
        #[arg(value_name = "TEXT", required = true)]
        text: Vec<String>,
    },
    /// Validate an allowlist file: every problem, with its line.
    Lint {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub(super) fn run(args: AllowlistArgs) -> Result<ExitCode, Fatal> {
    let at = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let width = terminal_width();
    let json = matches!(args.format, Format::Json);
    match args.action.unwrap_or(Action::List) {
        Action::Lint { file } => {
            let (name, text) = read_text(&file)?;
            let result = Allowlist::parse(&text, &name);
            write_stdout(&if json {
                report::to_text(&report::lint_json(&name, &result))
            } else {
                report::lint_text(&name, &result)
            })?;
            Ok(if result.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Action::List => {
            let list = load_allowlist(args.allowlist.as_deref(), args.profile.into())?;
            let all: Vec<usize> = (0..list.authorities().len()).collect();
            write_stdout(&if json {
                report::to_text(&report::allowlist_json(&list, &all, at))
            } else {
                report::allowlist_text(&list, None, at, width)
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Search { text } => {
            let list = load_allowlist(args.allowlist.as_deref(), args.profile.into())?;
            let hits = list.search(&text.join(" "));
            let indexes: Vec<usize> = hits.iter().map(|(i, _)| *i).collect();
            write_stdout(&if json {
                report::to_text(&report::allowlist_json(&list, &indexes, at))
            } else {
                report::allowlist_text(&list, Some(&hits), at, width)
            })?;
            Ok(if hits.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Action::Show { name } => {
            let list = load_allowlist(args.allowlist.as_deref(), args.profile.into())?;
            let name = name.join(" ");
            let index = list.find(&name).map_err(|candidates| {
                let names: Vec<&str> = candidates
                    .iter()
                    .map(|&i| list.authority(i).name.as_str())
                    .collect();
                if names.is_empty() {
                    Fatal::new(format!(
                        "no authority named \"{name}\" in {} (see mfgcheck allowlist list, or search)",
                        list.source()
                    ))
                } else {
                    Fatal::new(format!(
                        "\"{name}\" matches several authorities: {}",
                        names.join("; ")
                    ))
                }
            })?;
            write_stdout(&if json {
                report::to_text(&report::allowlist_json(&list, &[index], at))
            } else {
                report::authority_text(&list, index, at, width)
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
