//! `mfgcheck serve`: the arguments; the server itself is `crate::web`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use mfgcheck::policy::{Allowlist, Profile};
use mfgcheck::triage::KnowledgeBase;

use super::ProfileArg;
use super::{Fatal, load_allowlist, read_text};

pub(super) const EXAMPLES: &str = "\
Examples:
  The page for this machine's browser (http://127.0.0.1:8480/):
    mfgcheck serve --open

  One instance for the helpdesk team on an internal server (anyone who can reach it can
  use it; nothing uploaded is stored or logged):
    mfgcheck serve --listen 0.0.0.0:8480 --allowlist ours.yaml

  The API, as the CLI's JSON:
    curl -F file=@mail.cer -F file=@intermediate.cer http://127.0.0.1:8480/api/check
    curl --data-binary @ticket.txt http://127.0.0.1:8480/api/triage

Ctrl-C (or SIGTERM) stops it after the requests in flight.";

#[derive(Debug, clap::Args)]
pub(super) struct ServeArgs {
    /// Address and port to listen on; port 0 picks a free one (the URL is printed).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8480")]
    listen: SocketAddr,

    /// Use this allowlist (YAML) instead of the built-in ones, for every profile.
    /// Answers name it by its file name, never its path on the server.
    #[arg(long, value_name = "FILE")]
    allowlist: Option<PathBuf>,

    /// The name answers give the --allowlist file (default: its file name).
    #[arg(long, value_name = "NAME", requires = "allowlist")]
    allowlist_label: Option<String>,

    /// Add the entries of this knowledge base to triage's (repeatable).
    #[arg(long, value_name = "FILE")]
    kb: Vec<PathBuf>,

    /// The profile when a request names none.
    #[arg(long, value_enum, default_value_t = ProfileArg::Exchange2010)]
    profile: ProfileArg,

    /// The largest request body, in MiB (uploads and pasted text together).
    #[arg(long, value_name = "MIB", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=256))]
    max_body: u64,

    /// Open the page in the default browser once the server listens.
    #[arg(long)]
    open: bool,

    /// Also answer requests for this host name (repeatable): the name a team reaches
    /// the server by. Without it only addresses and localhost are answered, so a web
    /// page elsewhere that points its own name at this machine (DNS rebinding) cannot
    /// use the API.
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
}

/// The allowlist a served answer names: `--allowlist` under its file name (or
/// `--allowlist-label`), so that JSON and fix texts never disclose the server's paths.
fn served_allowlist(args: &ServeArgs, profile: Profile) -> Result<Allowlist, Fatal> {
    let Some(path) = &args.allowlist else {
        return load_allowlist(None, profile);
    };
    let (_, text) = read_text(path)?;
    let label = args.allowlist_label.clone().unwrap_or_else(|| {
        path.file_name().map_or_else(
            || "allowlist".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    });
    Ok(Allowlist::parse(&text, &label)?)
}

pub(super) fn run(args: ServeArgs) -> Result<ExitCode, Fatal> {
    let mut kb = KnowledgeBase::embedded()?;
    for path in &args.kb {
        let (name, text) = read_text(path)?;
        kb.extend(&text, &name)?;
    }
    let config = crate::web::Config {
        listen: args.listen,
        allowlist_rtm: served_allowlist(&args, Profile::Exchange2010)?,
        allowlist_sp2: served_allowlist(&args, Profile::Exchange2010Sp2)?,
        kb,
        profile: args.profile.into(),
        max_body: usize::try_from(args.max_body * 1024 * 1024).unwrap_or(usize::MAX),
        open: args.open,
        allow_hosts: args.allow_host,
    };
    crate::web::serve(config).map_err(Fatal::new)?;
    Ok(ExitCode::SUCCESS)
}
