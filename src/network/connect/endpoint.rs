//! `HOST[:PORT]` as people write it: a name, an IPv4 address, or an IPv6 address in
//! brackets (or bare, without a port).

use std::fmt;
use std::net::IpAddr;

/// Where a server listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: Host,
    pub port: u16,
}

/// A server's name or address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    Name(String),
    Address(IpAddr),
}

/// Why `HOST[:PORT]` could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("'{0}': no host name")]
    Empty(String),
    #[error("'{text}': the port must be a number from 1 to 65535, not '{port}'")]
    Port { text: String, port: String },
    #[error("'{0}': an IPv6 address with a port goes in brackets, as [::1]:443")]
    Brackets(String),
    #[error("'{0}': not a host name (letters, digits, '-' and '.')")]
    BadName(String),
}

/// The default port: HTTPS, where Exchange serves OWA, EWS and Autodiscover.
pub const DEFAULT_PORT: u16 = 443;

impl Endpoint {
    /// Reads `HOST[:PORT]`, `[IPv6]:PORT` or a bare IPv6 address; `default_port` when
    /// no port is given.
    pub fn parse(text: &str, default_port: u16) -> Result<Self, EndpointError> {
        // An address copied from a browser: its host and port, without the path.
        let trimmed = text.trim();
        let trimmed = match trimmed.strip_prefix("https://") {
            Some(rest) => rest.split('/').next().unwrap_or_default(),
            None => trimmed,
        };
        if trimmed.is_empty() {
            return Err(EndpointError::Empty(text.to_owned()));
        }
        let port = |p: &str| {
            p.parse::<u16>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| EndpointError::Port {
                    text: trimmed.to_owned(),
                    port: p.to_owned(),
                })
        };
        if let Some(rest) = trimmed.strip_prefix('[') {
            let (address, after) = rest
                .split_once(']')
                .ok_or_else(|| EndpointError::Brackets(trimmed.to_owned()))?;
            let address: IpAddr = address
                .parse()
                .map_err(|_| EndpointError::Brackets(trimmed.to_owned()))?;
            let port = match after {
                "" => default_port,
                p => port(
                    p.strip_prefix(':')
                        .ok_or_else(|| EndpointError::Brackets(trimmed.to_owned()))?,
                )?,
            };
            return Ok(Self {
                host: Host::Address(address),
                port,
            });
        }
        if let Ok(address) = trimmed.parse::<IpAddr>() {
            return Ok(Self {
                host: Host::Address(address),
                port: default_port,
            });
        }
        let (host, port) = match trimmed.rsplit_once(':') {
            Some((host, _)) if host.contains(':') => {
                return Err(EndpointError::Brackets(trimmed.to_owned()));
            }
            Some((host, p)) => (host, port(p)?),
            None => (trimmed, default_port),
        };
        if host.is_empty() {
            return Err(EndpointError::Empty(trimmed.to_owned()));
        }
        if let Ok(address) = host.parse::<IpAddr>() {
            return Ok(Self {
                host: Host::Address(address),
                port,
            });
        }
        let valid = host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if !valid {
            return Err(EndpointError::BadName(trimmed.to_owned()));
        }
        Ok(Self {
            host: Host::Name(host.to_ascii_lowercase()),
            port,
        })
    }

    /// The name to send as SNI by default: the host name; none for an address.
    pub fn default_servername(&self) -> Option<&str> {
        match &self.host {
            Host::Name(name) => Some(name),
            Host::Address(_) => None,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => f.write_str(name),
            Self::Address(IpAddr::V6(a)) => write!(f, "[{a}]"),
            Self::Address(IpAddr::V4(a)) => write!(f, "{a}"),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<String, EndpointError> {
        Endpoint::parse(text, 443).map(|e| e.to_string())
    }

    #[test]
    fn the_forms_people_write() {
        assert_eq!(
            parse("mail.contoso.com").as_deref(),
            Ok("mail.contoso.com:443")
        );
        assert_eq!(
            parse("Mail.Contoso.com:25").as_deref(),
            Ok("mail.contoso.com:25")
        );
        assert_eq!(parse("127.0.0.1:5061").as_deref(), Ok("127.0.0.1:5061"));
        assert_eq!(parse("[::1]:8443").as_deref(), Ok("[::1]:8443"));
        assert_eq!(parse("[::1]").as_deref(), Ok("[::1]:443"));
        assert_eq!(parse("::1").as_deref(), Ok("[::1]:443"));
        assert_eq!(
            Endpoint::parse("sip.contoso.com", 5061).map(|e| e.port),
            Ok(5061)
        );
    }

    #[test]
    fn mistakes_are_named() {
        assert!(matches!(parse(""), Err(EndpointError::Empty(_))));
        assert!(matches!(parse("host:0"), Err(EndpointError::Port { .. })));
        assert!(matches!(
            parse("host:https"),
            Err(EndpointError::Port { .. })
        ));
        assert!(matches!(parse("::1:443x"), Err(EndpointError::Brackets(_))));
        assert!(matches!(parse("[::1"), Err(EndpointError::Brackets(_))));
        assert_eq!(
            parse("https://mail.contoso.com/owa/").as_deref(),
            Ok("mail.contoso.com:443")
        );
        assert!(matches!(
            parse("http://mail"),
            Err(EndpointError::Port { .. })
        ));
        assert!(matches!(parse("a b:443"), Err(EndpointError::BadName(_))));
    }
}
