//! `--connect` and its options: fetch what live servers present, and hand it to the
//! command as inputs, like files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mfgcheck::network::connect::{self, DEFAULT_PORT, Endpoint, Options, Presented, StartTls};
use mfgcheck::{Input, report};

use super::Fatal;

/// `--starttls` values.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(super) enum StartTlsArg {
    /// SMTP: EHLO, then STARTTLS (Exchange transport, ports 25 and 587).
    Smtp,
}

#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Network")]
pub(super) struct ConnectArgs {
    /// Check the chain this server presents (repeatable; files given too join as
    /// issuers). HOST[:PORT], [IPv6]:PORT or an https:// address. Default port 443
    /// (HTTPS: OWA, EWS, Autodiscover), 25 with --starttls smtp (Exchange transport);
    /// 5061 is the Lync Edge's federation port (SIP over TLS). Servers that speak only
    /// TLS 1.0/1.1 (Exchange 2010 on Windows Server 2008 R2) are read too.
    #[arg(long, value_name = "HOST[:PORT]")]
    connect: Vec<String>,

    /// The server name sent in the handshake (SNI). Default: the host name; none for
    /// an IP address.
    #[arg(long, value_name = "NAME", requires = "connect")]
    servername: Option<String>,

    /// Speak this protocol in clear first, then start TLS.
    #[arg(long, value_enum, requires = "connect")]
    starttls: Option<StartTlsArg>,

    /// Fetch issuers missing from the path from the addresses the certificates name
    /// for them (AIA caIssuers, http:// only; HTTP_PROXY is honoured). Without it,
    /// nothing is fetched.
    #[arg(long)]
    fetch_missing: bool,

    /// Give up on a server (name, connection, STARTTLS and handshake, the retry for
    /// old servers included) after this many seconds in all.
    #[arg(long, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,

    /// Give up on one issuer fetch (--fetch-missing, redirects included) after this many
    /// seconds in all.
    #[arg(long, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    fetch_timeout: u64,
}

/// `--save FILE`: the chains servers sent, for `check` and `inspect` (`bundle` writes
/// its own output with `-o`).
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Output")]
pub(super) struct SaveArg {
    /// Write the chains received from --connect, as PEM in the order the servers sent
    /// them.
    #[arg(long, value_name = "FILE", requires = "connect")]
    save: Option<PathBuf>,
}

impl SaveArg {
    pub(super) fn path(&self) -> Option<&Path> {
        self.save.as_deref()
    }
}

/// The chains fetched, as inputs, with how each was reached.
pub(super) struct Fetched {
    pub inputs: Vec<Input>,
    pub presented: Vec<Presented>,
}

impl ConnectArgs {
    pub(super) fn wanted(&self) -> bool {
        !self.connect.is_empty()
    }

    /// The check of `inputs`, fetching missing issuers with --fetch-missing.
    pub(super) fn check(
        &self,
        inputs: &[mfgcheck::Input],
        allowlist: &mfgcheck::policy::Allowlist,
        options: &mfgcheck::CheckOptions,
    ) -> Result<mfgcheck::Outcome, mfgcheck::Error> {
        match self.issuer_source() {
            Some(source) => mfgcheck::check_with_fetching(
                inputs,
                allowlist,
                options,
                &mfgcheck::Shared::default(),
                &source,
            ),
            None => mfgcheck::check(inputs, allowlist, options),
        }
    }

    /// With --fetch-missing: the HTTP client that fetches issuers.
    pub(super) fn issuer_source(&self) -> Option<mfgcheck::network::aia::Client> {
        self.fetch_missing
            .then(|| mfgcheck::network::aia::Client::new(Duration::from_secs(self.fetch_timeout)))
    }

    /// Connects to every server in turn; the first failure ends the command.
    pub(super) fn fetch(&self, files: &[PathBuf], save: Option<&Path>) -> Result<Fetched, Fatal> {
        let starttls = self.starttls.map(|StartTlsArg::Smtp| StartTls::Smtp);
        let default_port = match starttls {
            Some(StartTls::Smtp) => 25,
            None => DEFAULT_PORT,
        };
        let options = Options {
            timeout: Duration::from_secs(self.timeout),
            servername: self.servername.clone(),
            starttls,
        };
        if let Some(save) = save {
            refuse_input_as_output(save, files)?;
        }
        let mut fetched = Fetched {
            inputs: Vec::new(),
            presented: Vec::new(),
        };
        for text in &self.connect {
            let endpoint = Endpoint::parse(text, default_port)
                .map_err(|e| Fatal::new(format!("--connect {e}")))?;
            let presented =
                connect::fetch(&endpoint, &options).map_err(|e| Fatal::new(e.to_string()))?;
            fetched.inputs.push(Input {
                name: presented.endpoint.clone(),
                bytes: presented.certificates.concat(),
            });
            fetched.presented.push(presented);
        }
        if let Some(save) = save {
            let pem: String = fetched
                .presented
                .iter()
                .map(|p| mfgcheck::report::bundle::pem(p.certificates.iter().map(Vec::as_slice)))
                .collect();
            std::fs::write(save, pem)
                .map_err(|e| Fatal::of(save.display(), format_args!("cannot write: {e}")))?;
        }
        Ok(fetched)
    }
}

/// The command's inputs: the servers' chains first (the certificate to check comes
/// from them), then the files, which add issuers; without --connect, the files alone.
pub(super) fn inputs(
    connect: &ConnectArgs,
    save: Option<&Path>,
    files: &[PathBuf],
    command: &str,
) -> Result<(Vec<Input>, Vec<Presented>), Fatal> {
    if let Some(hint) = files.iter().find_map(|f| endpoint_hint(f)) {
        return Err(Fatal::new(hint));
    }
    if !connect.wanted() {
        return Ok((super::read_inputs(files, command)?, Vec::new()));
    }
    let mut fetched = connect.fetch(files, save)?;
    if !files.is_empty() {
        fetched.inputs.extend(super::read_inputs(files, command)?);
    }
    Ok((fetched.inputs, fetched.presented))
}

/// For a file argument that does not exist but reads as a server (`host:port`,
/// `[::1]:443`, `https://...`): the error, with the option that was meant.
fn endpoint_hint(file: &Path) -> Option<String> {
    let text = file.to_str()?;
    let looks_like_server = text.starts_with("https://")
        || text.starts_with('[')
        || text
            .rsplit_once(':')
            .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    if !looks_like_server || file.exists() {
        return None;
    }
    let endpoint = Endpoint::parse(text, DEFAULT_PORT).ok()?;
    Some(format!(
        "{text}: no such file; did you mean --connect {endpoint}?"
    ))
}

/// `--save` must not overwrite a file the command reads.
fn refuse_input_as_output(save: &Path, files: &[PathBuf]) -> Result<(), Fatal> {
    if super::is_input(save, files) {
        return Err(Fatal::of(
            save.display(),
            "--save would overwrite an input file; give another name",
        ));
    }
    Ok(())
}

/// One certificate as the provenance lines show it: subject and SHA-1 thumbprint.
fn certificate_words(der: &[u8]) -> (String, String) {
    let parsed = mfgcheck::load::load("", der, None)
        .ok()
        .and_then(|l| l.certificates.into_iter().next())
        .and_then(|raw| mfgcheck::model::Certificate::from_raw(raw).ok());
    match parsed {
        Some(c) => (c.subject().to_string(), c.sha1().to_string()),
        None => ("(not a readable certificate)".into(), String::new()),
    }
}

/// Where each chain came from, for the text report: one line per server, then its
/// certificates in the order it sent them.
pub(super) fn describe(presented: &[Presented], width: usize) -> String {
    let mut out = String::new();
    for p in presented {
        let mut how = vec![format!("address {}", p.address)];
        if let Some(name) = &p.servername {
            how.push(format!("SNI {name}"));
        }
        if let Some(s) = p.starttls {
            how.push(format!("STARTTLS {s}"));
        }
        how.push(p.tls_version.clone());
        out.push_str(&format!(
            "Served by {} ({}): {}, in this order:\n",
            p.endpoint,
            how.join(", "),
            mfgcheck::report::count(p.certificates.len(), "certificate", "certificates")
        ));
        for (i, der) in p.certificates.iter().enumerate() {
            let (subject, sha1) = certificate_words(der);
            out.push_str(&format!("  {}. {subject} ({sha1})\n", i + 1));
        }
    }
    if !out.is_empty() {
        out.push_str(&mfgcheck::report::paragraph(FEDERATION_NOTE, width));
        out.push('\n');
    }
    out
}

/// What a server presents for TLS is its TLS certificate; the federation trust may use
/// another one, and an admin comparing the two must know where to find it.
const FEDERATION_NOTE: &str = "Note: this is the certificate the server presents for TLS, not necessarily the federation certificate. That one is Get-FederationTrust's OrgPrivCertificate (its thumbprint): export it from the server to check it, or paste the output of Get-FederationTrust | Format-List into mfgcheck triage.";

/// How each server was reached and the certificates it sent, in its order, for the
/// `connections` of a document (empty without --connect: the member is left out).
pub(super) fn connections(presented: &[Presented]) -> Vec<report::Connection> {
    presented
        .iter()
        .map(|p| report::Connection {
            endpoint: p.endpoint.clone(),
            address: p.address.clone(),
            port: p.port,
            servername: p.servername.clone(),
            starttls: p.starttls.map(|s| s.to_string()),
            tls_version: p.tls_version.clone(),
            certificates: p
                .certificates
                .iter()
                .map(|der| {
                    let (subject, sha1) = certificate_words(der);
                    report::Presented { sha1, subject }
                })
                .collect(),
        })
        .collect()
}
