//! **AIA**: missing issuers fetched from the address a certificate names for them
//! (Authority Information Access, caIssuers), the way a file is read: this module
//! returns bytes and never judges them. The check that asks for them, and what it
//! does with them, is [`crate::check_fetching`]'s.
//!
//! Only `http://` is followed, as RFC 5280 (4.2.2.1) expects of caIssuers: a CA
//! certificate is public and signed, so TLS adds nothing but a chicken-and-egg
//! problem. Every request is bounded by a timeout and a size; every address is
//! fetched at most once per run, however many bundles of a scan name it. A proxy is
//! taken from `HTTP_PROXY`/`http_proxy` (and `NO_PROXY`), or on Windows from the
//! system settings, as a helpdesk PC on a company network needs.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::IssuerSource;

/// The largest answer read: a CA certificate is 1-2 KiB, a PKCS#7 bundle of a few of
/// them well under 64 KiB.
pub const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// Redirects followed (a CA moving its files); more is a loop.
const MAX_REDIRECTS: u32 = 3;

type Answer = Arc<OnceLock<Result<Arc<[u8]>, String>>>;

/// Fetches over HTTP, once per address.
pub struct Client {
    agent: ureq::Agent,
    /// Every address asked, with what it gave: a scan's bundles share their CAs. A
    /// thread asking for an address another is fetching waits for that answer.
    answers: Mutex<HashMap<String, Answer>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// A client whose every request (redirects and body included) ends within `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(MAX_REDIRECTS)
            .http_status_as_error(false)
            .user_agent(concat!("mfgcheck/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
            answers: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        if !url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        {
            let scheme = url.split(':').next().unwrap_or_default();
            return Err(format!(
                "only http:// addresses are fetched (RFC 5280 caIssuers), not {scheme}:"
            ));
        }
        let mut response = self.agent.get(url).call().map_err(words)?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!(
                "the server answered HTTP {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or_default()
            ));
        }
        let mut bytes = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_ANSWER_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| words(ureq::Error::Io(e)))?;
        if bytes.len() as u64 > MAX_ANSWER_BYTES {
            return Err(format!(
                "the answer is larger than {} KiB",
                MAX_ANSWER_BYTES / 1024
            ));
        }
        Ok(bytes)
    }
}

impl IssuerSource for Client {
    fn fetch(&self, url: &str) -> Result<Vec<u8>, String> {
        let cell = match self.answers.lock() {
            Ok(mut answers) => answers.entry(url.to_owned()).or_default().clone(),
            // A thread panicked holding the lock: fetch without the cache.
            Err(_) => Answer::default(),
        };
        cell.get_or_init(|| self.get(url).map(Arc::from))
            .clone()
            .map(|b| b.to_vec())
    }
}

/// An HTTP failure in words an admin can act on.
fn words(e: ureq::Error) -> String {
    use ureq::Error;
    match e {
        Error::Timeout(_) => "timed out".into(),
        Error::HostNotFound => "the name does not resolve".into(),
        Error::ConnectionFailed => "the connection failed".into(),
        Error::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects (a loop?)"),
        Error::RedirectFailed => "a redirect could not be followed".into(),
        Error::TlsRequired | Error::Tls(_) => {
            "redirected to https://, which is not followed (caIssuers are fetched over http)".into()
        }
        Error::BadUri(uri) => format!("not an address: {uri}"),
        // A proxy is asked to CONNECT to the CA's host on port 80; many allow 443 only.
        Error::ConnectProxyFailed(why) => format!(
            "the proxy (HTTP_PROXY) refused to connect to the CA's server ({why}); proxies often allow CONNECT to port 443 only"
        ),
        Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => "timed out".into(),
            _ => io.to_string(),
        },
        other => other.to_string(),
    }
}
