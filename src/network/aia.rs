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
use std::time::{Duration, Instant};

use crate::{FetchError, IssuerSource};

/// The largest answer read: a CA certificate is 1-2 KiB, a PKCS#7 bundle of a few of
/// them well under 64 KiB.
pub const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// Redirects followed (a CA moving its files); more is a loop.
const MAX_REDIRECTS: u32 = 3;

type Answer = Arc<OnceLock<Result<Arc<[u8]>, FetchError>>>;

/// Fetches over HTTP, once per address.
pub struct Client {
    agent: ureq::Agent,
    /// Every address asked, with what it gave: a scan's bundles share their CAs. A
    /// thread asking for an address another is fetching waits for that answer.
    answers: Mutex<HashMap<String, Answer>>,
    /// What one fetch may take, redirects included.
    timeout: Duration,
}

/// What `url` is when it is not an `http` address (`a file: address`), in words.
fn other_scheme(url: &str) -> Option<String> {
    let Some((scheme, _)) = url.split_once(':') else {
        return Some(format!("\"{url}\", not an address"));
    };
    let is_scheme = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    match is_scheme {
        true if scheme.eq_ignore_ascii_case("http") => None,
        true => Some(format!("a {}: address", scheme.to_ascii_lowercase())),
        false => Some(format!("\"{url}\", not an address")),
    }
}

/// Where a redirect's `location` points, from `base` (RFC 3986 in the forms servers
/// send: absolute, `//host/path`, `/path`, or a path beside the current one).
fn resolve(base: &str, location: &str) -> String {
    let location = location.trim();
    if location.contains("://")
        || location
            .split_once(':')
            .is_some_and(|(s, _)| !s.contains('/'))
    {
        return location.to_owned();
    }
    if let Some(rest) = location.strip_prefix("//") {
        return format!("http://{rest}");
    }
    // base is http://host[/path]
    let after_scheme = base.get(7..).unwrap_or_default();
    let (host, path) = after_scheme
        .split_once('/')
        .map_or((after_scheme, ""), |(h, p)| (h, p));
    if location.starts_with('/') {
        return format!("http://{host}{location}");
    }
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    if dir.is_empty() {
        format!("http://{host}/{location}")
    } else {
        format!("http://{host}/{dir}/{location}")
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// A client whose every fetch (its redirects and body included) ends within
    /// `timeout`.
    pub fn new(timeout: Duration) -> Self {
        // Redirects are followed here, not by ureq, so that each new address is held
        // to the http:// rule before it is asked for, and all of them share one deadline.
        let config = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("mfgcheck/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
            answers: Mutex::new(HashMap::new()),
            timeout,
        }
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let deadline = Instant::now() + self.timeout;
        let mut url = url.to_owned();
        let mut redirects = 0;
        loop {
            if let Some(what) = other_scheme(&url) {
                return Err(FetchError::Scheme {
                    what,
                    redirected: redirects > 0,
                });
            }
            let left = deadline
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
                .ok_or(FetchError::TimedOut)?;
            let response = self
                .agent
                .get(&url)
                .config()
                .timeout_global(Some(left))
                .build()
                .call()
                .map_err(words)?;
            if !response.status().is_redirection() {
                return self.body(response);
            }
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(FetchError::Redirects(MAX_REDIRECTS));
            }
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .ok_or(FetchError::NoLocation)?;
            url = resolve(&url, location);
        }
    }

    /// The body of a final answer, at most [`MAX_ANSWER_BYTES`].
    fn body(&self, mut response: ureq::http::Response<ureq::Body>) -> Result<Vec<u8>, FetchError> {
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                code: status.as_u16(),
                reason: status.canonical_reason().unwrap_or_default().to_owned(),
            });
        }
        let mut bytes = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_ANSWER_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| words(ureq::Error::Io(e)))?;
        if bytes.len() as u64 > MAX_ANSWER_BYTES {
            return Err(FetchError::TooLarge {
                kib: MAX_ANSWER_BYTES / 1024,
            });
        }
        Ok(bytes)
    }
}

impl IssuerSource for Client {
    fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchError> {
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
fn words(e: ureq::Error) -> FetchError {
    use ureq::Error;
    let words = match e {
        Error::Timeout(_) => return FetchError::TimedOut,
        Error::TooManyRedirects => return FetchError::Redirects(MAX_REDIRECTS),
        Error::HostNotFound => "the name does not resolve".into(),
        Error::ConnectionFailed => "the connection failed".into(),
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
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                return FetchError::TimedOut;
            }
            _ => io.to_string(),
        },
        other => other.to_string(),
    };
    FetchError::Http(words)
}

#[cfg(test)]
mod tests {
    use super::{Client, FetchError, IssuerSource, other_scheme, resolve};

    #[test]
    fn another_scheme_is_a_typed_refusal_before_any_request() {
        let client = Client::new(std::time::Duration::from_secs(1));
        let refused = client.fetch("file:///etc/passwd").unwrap_err();
        assert_eq!(
            refused,
            FetchError::Scheme {
                what: "a file: address".into(),
                redirected: false
            }
        );
        assert_eq!(
            refused.to_string(),
            "a file: address, which is not fetched: only http:// addresses are (RFC 5280 caIssuers)"
        );
    }

    #[test]
    fn redirects_resolve_as_servers_send_them() {
        let base = "http://ca.example/certs/int.cer";
        assert_eq!(
            resolve(base, "/moved/int.p7c"),
            "http://ca.example/moved/int.p7c"
        );
        assert_eq!(
            resolve(base, "int2.cer"),
            "http://ca.example/certs/int2.cer"
        );
        assert_eq!(
            resolve(base, "//cdn.example/x.cer"),
            "http://cdn.example/x.cer"
        );
        assert_eq!(resolve(base, "file:///etc/passwd"), "file:///etc/passwd");
        assert_eq!(
            resolve("http://ca.example", "x.cer"),
            "http://ca.example/x.cer"
        );
    }

    #[test]
    fn only_http_is_fetched() {
        assert_eq!(other_scheme("http://ca.example/x.cer"), None);
        assert_eq!(other_scheme("HTTP://ca.example/x.cer"), None);
        for (url, said) in [
            ("file:///etc/passwd", "a file: address"),
            ("https://ca.example/x", "a https: address"),
            ("ldap://ldap.example/cn=x", "a ldap: address"),
        ] {
            assert_eq!(other_scheme(url).as_deref(), Some(said), "{url}");
        }
    }
}
