//! **Connect**: the certificates a live server presents, fetched the way a file is
//! read. This is loading over the network: it returns bytes and where they came from,
//! and the engine judges them exactly as it judges a file. Every step is bounded by
//! one deadline (resolve, connect, STARTTLS, handshake), and every read by a size.

mod alert;
mod endpoint;
mod legacy;
mod list;
mod smtp;
mod tls;

use std::fmt;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub use endpoint::{DEFAULT_PORT, Endpoint, EndpointError, Host};
pub use list::{ListError, Target, parse_list};

/// A protocol spoken in clear before TLS starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartTls {
    /// SMTP (ports 25 and 587): EHLO, then STARTTLS.
    Smtp,
}

impl fmt::Display for StartTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Smtp => "smtp",
        })
    }
}

/// How to reach one server.
#[derive(Clone, Debug)]
pub struct Options {
    /// Bounds resolve, connect and handshake together.
    pub timeout: Duration,
    /// SNI; `None` sends the host name (nothing for an address).
    pub servername: Option<String>,
    pub starttls: Option<StartTls>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            servername: None,
            starttls: None,
        }
    }
}

/// The chain a server presented, and how it was reached.
#[derive(Clone, Debug)]
pub struct Presented {
    /// `host:port` as asked for.
    pub endpoint: String,
    /// The address connected to.
    pub address: String,
    pub port: u16,
    /// The SNI sent, if any.
    pub servername: Option<String>,
    pub starttls: Option<StartTls>,
    /// The TLS version the server chose.
    pub tls_version: String,
    /// DER certificates in the order the server sent them.
    pub certificates: Vec<Vec<u8>>,
}

/// Which step a timeout cut short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Resolve,
    Connect,
    StartTls,
    Handshake,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Resolve => "resolving the name",
            Self::Connect => "connecting",
            Self::StartTls => "the STARTTLS conversation",
            Self::Handshake => "the TLS handshake",
        })
    }
}

/// Why no chain came back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the name does not resolve{0}")]
    Resolve(String),
    #[error("connection refused (nothing listens on that port)")]
    Refused,
    #[error("timed out during {0}")]
    Timeout(Stage),
    #[error("the server closed the connection during {0}")]
    Closed(String),
    #[error(
        "not a TLS service: the server answered something else (plain HTTP or SMTP? for SMTP use --starttls smtp)"
    )]
    NotTls,
    #[error("not an SMTP server: it answered '{0}'")]
    NotSmtp(String),
    #[error("the server does not offer STARTTLS in its EHLO answer")]
    StartTlsNotOffered,
    #[error("the server refused STARTTLS: {0}")]
    StartTlsRefused(String),
    #[error("the server ended the handshake with the TLS alert {0}")]
    Alert(String),
    #[error("the server sent no certificate")]
    NoCertificate,
    #[error("'{0}' cannot be sent as a server name (SNI)")]
    BadServerName(String),
    #[error("the server answered with a version older than TLS 1.2")]
    OldVersion,
    #[error(
        "the server's handshake message is larger than the 64 KiB a TLS client accepts (a certificate chain over 64 KB)"
    )]
    Oversized,
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Io(String),
    /// The modern handshake failed as old servers fail it, and so did the
    /// TLS 1.0-1.2 ClientHello sent after it.
    #[error("{modern}; asked again offering TLS 1.0 to 1.2: {legacy}")]
    Both {
        modern: Box<Problem>,
        legacy: Box<Problem>,
    },
}

impl Problem {
    fn from_io(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::ConnectionRefused => Self::Refused,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                Self::Timeout(Stage::Handshake)
            }
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => {
                Self::Closed("the conversation".into())
            }
            _ => Self::Io(e.to_string()),
        }
    }

    /// An I/O error during the TLS handshake: a hang-up is named as one.
    fn from_handshake_io(e: std::io::Error) -> Self {
        match Self::from_io(e) {
            Self::Closed(_) => Self::Closed("the TLS handshake".into()),
            other => other,
        }
    }
}

/// A failure, naming the endpoint.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{endpoint}: {problem}")]
pub struct ConnectError {
    pub endpoint: String,
    pub problem: Problem,
}

/// Connects to `endpoint` and returns the certificates it presents.
pub fn fetch(endpoint: &Endpoint, options: &Options) -> Result<Presented, ConnectError> {
    let fail = |problem| ConnectError {
        endpoint: endpoint.to_string(),
        problem,
    };
    let deadline = Instant::now() + options.timeout;
    let addresses = resolve(endpoint, deadline).map_err(fail)?;
    let (mut stream, address) = open(&addresses, options, deadline).map_err(fail)?;
    let servername = options
        .servername
        .clone()
        .or_else(|| endpoint.default_servername().map(str::to_owned));
    let (certificates, tls_version) = match tls::handshake(
        &mut stream,
        servername.as_deref(),
        address.ip(),
    ) {
        Ok(h) => (h.chain, h.version),
        // rustls speaks neither TLS 1.0/1.1 nor static RSA: ask again, the old
        // way, on a new connection to the same address.
        Err(failure) if failure.old_server => {
            drop(stream);
            let both = |legacy| Problem::Both {
                modern: Box::new(failure.problem.clone()),
                legacy: Box::new(legacy),
            };
            let (mut stream, _) = open(&[address], options, deadline).map_err(|p| fail(both(p)))?;
            let answer =
                legacy::handshake(&mut stream, servername.as_deref()).map_err(|p| fail(both(p)))?;
            // Said where the chain came from: what a TLS client would refuse.
            let version = if failure.problem == Problem::Oversized {
                format!(
                    "{}; its Certificate message is over the 64 KiB TLS clients accept, read record by record",
                    answer.version
                )
            } else {
                answer.version
            };
            (answer.chain, version)
        }
        Err(failure) => return Err(fail(failure.problem)),
    };
    Ok(Presented {
        endpoint: endpoint.to_string(),
        address: address.ip().to_string(),
        port: address.port(),
        servername,
        starttls: options.starttls,
        tls_version,
        certificates,
    })
}

/// A connection whose every read and write gets only the time left before one
/// deadline, not a timeout of its own: a server that sends a byte a second, or goes
/// silent in the middle of a record, cannot stretch the attempt past `--timeout`, and
/// the retry with an old ClientHello shares the same deadline.
pub(crate) struct Deadlined<S> {
    stream: S,
    deadline: Instant,
}

/// A stream whose read and write timeouts can be set: a socket.
pub(crate) trait Timed {
    fn set_timeouts(&self, left: Duration) -> std::io::Result<()>;
}

impl Timed for TcpStream {
    fn set_timeouts(&self, left: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(left))?;
        self.set_write_timeout(Some(left))
    }
}

impl<S: Timed> Deadlined<S> {
    pub(crate) fn new(stream: S, deadline: Instant) -> Self {
        Self { stream, deadline }
    }

    /// Sets the socket's timeouts to what is left; `TimedOut` once nothing is.
    fn arm(&self) -> std::io::Result<()> {
        let left = self
            .deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::TimedOut))?;
        self.stream.set_timeouts(left)
    }
}

impl<S: Timed + std::io::Read> std::io::Read for Deadlined<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.arm()?;
        self.stream.read(buf)
    }
}

impl<S: Timed + std::io::Write> std::io::Write for Deadlined<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.arm()?;
        self.stream.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.arm()?;
        self.stream.flush()
    }
}

/// A connection ready for the TLS handshake: connected, STARTTLS spoken when asked
/// for, every read and write bounded by what is left of the deadline.
fn open(
    addresses: &[SocketAddr],
    options: &Options,
    deadline: Instant,
) -> Result<(Deadlined<TcpStream>, SocketAddr), Problem> {
    let (stream, address) = connect(addresses, deadline)?;
    let mut stream = Deadlined::new(stream, deadline);
    if let Some(StartTls::Smtp) = options.starttls {
        smtp::starttls(&mut stream).map_err(|p| match p {
            Problem::Timeout(_) => Problem::Timeout(Stage::StartTls),
            other => other,
        })?;
    }
    Ok((stream, address))
}

/// The addresses of the endpoint. Name resolution has no timeout of its own, so it
/// runs on a thread of its own that is left behind when the deadline passes.
fn resolve(endpoint: &Endpoint, deadline: Instant) -> Result<Vec<SocketAddr>, Problem> {
    resolve_with(endpoint, deadline, |name, port| {
        (name.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect::<Vec<_>>)
    })
}

/// [`resolve`] with `lookup` for the system's resolver: the tests give one that fails,
/// or one that never answers, without asking any DNS server.
fn resolve_with(
    endpoint: &Endpoint,
    deadline: Instant,
    lookup: impl FnOnce(String, u16) -> std::io::Result<Vec<SocketAddr>> + Send + 'static,
) -> Result<Vec<SocketAddr>, Problem> {
    let name = match &endpoint.host {
        Host::Address(address) => return Ok(vec![SocketAddr::new(*address, endpoint.port)]),
        Host::Name(name) => name.clone(),
    };
    let port = endpoint.port;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(lookup(name, port));
    });
    let wait = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(wait) {
        Ok(Ok(addresses)) if !addresses.is_empty() => Ok(addresses),
        Ok(Ok(_)) => Err(Problem::Resolve(String::new())),
        Ok(Err(e)) => Err(Problem::Resolve(format!(" ({e})"))),
        Err(_) => Err(Problem::Timeout(Stage::Resolve)),
    }
}

/// Connects to the first address that answers, within the deadline.
fn connect(
    addresses: &[SocketAddr],
    deadline: Instant,
) -> Result<(TcpStream, SocketAddr), Problem> {
    let mut last = Problem::Timeout(Stage::Connect);
    for address in addresses {
        let Some(left) = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
        else {
            return Err(Problem::Timeout(Stage::Connect));
        };
        match TcpStream::connect_timeout(address, left) {
            Ok(stream) => return Ok((stream, *address)),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                last = Problem::Timeout(Stage::Connect);
            }
            Err(e) => last = Problem::from_io(e),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::{ErrorKind, Read, Write};

    use super::*;

    /// A peer that never answers in time: every read and write times out, as a socket's
    /// would once the timeout it was given passes. It records the timeout it was given.
    #[derive(Default)]
    struct Unanswering {
        given: Cell<Option<Duration>>,
    }

    impl Timed for Unanswering {
        fn set_timeouts(&self, left: Duration) -> std::io::Result<()> {
            self.given.set(Some(left));
            Ok(())
        }
    }

    impl Read for Unanswering {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(ErrorKind::TimedOut.into())
        }
    }

    impl Write for Unanswering {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_read_gets_what_is_left_of_one_deadline_and_none_once_it_is_spent() {
        let minute = Duration::from_secs(60);
        let mut stream = Deadlined::new(Unanswering::default(), Instant::now() + minute);
        let err = stream.read(&mut [0u8; 8]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        let given = stream.stream.given.get().unwrap();
        assert!(!given.is_zero() && given <= minute, "{given:?}");
        // Spent: refused before the stream is asked, so no read can wait any longer.
        let mut spent = Deadlined::new(Unanswering::default(), Instant::now());
        assert_eq!(
            spent.read(&mut [0u8; 8]).unwrap_err().kind(),
            ErrorKind::TimedOut
        );
        assert_eq!(
            spent.write(b"EHLO").unwrap_err().kind(),
            ErrorKind::TimedOut
        );
        assert_eq!(spent.stream.given.get(), None);
    }

    #[test]
    fn a_name_that_does_not_resolve_or_whose_lookup_never_ends_is_said_so() {
        let endpoint = Endpoint::parse("mail.contoso.test", 443).unwrap();
        let far = Instant::now() + Duration::from_secs(60);
        let failed = resolve_with(&endpoint, far, |name, _| {
            assert_eq!(name, "mail.contoso.test");
            Err(std::io::Error::other("no such host"))
        })
        .unwrap_err();
        let error = ConnectError {
            endpoint: endpoint.to_string(),
            problem: failed,
        };
        assert_eq!(
            error.to_string(),
            "mail.contoso.test:443: the name does not resolve (no such host)"
        );
        // A lookup that never returns (held until the test ends) leaves the attempt at
        // its deadline: already spent here, so the outcome needs no clock.
        let (_keep, hold) = mpsc::channel::<()>();
        let never = resolve_with(&endpoint, Instant::now(), move |_, _| {
            let _ = hold.recv();
            Ok(Vec::new())
        });
        assert_eq!(never.unwrap_err(), Problem::Timeout(Stage::Resolve));
        // An address needs no lookup at all.
        let address = Endpoint::parse("127.0.0.1", 443).unwrap();
        let direct = resolve_with(&address, Instant::now(), |_, _| unreachable!());
        assert_eq!(direct.unwrap(), vec!["127.0.0.1:443".parse().unwrap()]);
    }

    #[test]
    fn a_peer_that_never_answers_is_a_timeout_of_the_stage_it_stopped_in() {
        let far = Instant::now() + Duration::from_secs(60);
        let mut stream = Deadlined::new(Unanswering::default(), far);
        assert_eq!(
            smtp::starttls(&mut stream).unwrap_err(),
            Problem::Timeout(Stage::Handshake)
        );
        let mut stream = Deadlined::new(Unanswering::default(), far);
        assert_eq!(
            legacy::handshake(&mut stream, None).err(),
            Some(Problem::Timeout(Stage::Handshake))
        );
        let mut stream = Deadlined::new(Unanswering::default(), far);
        let failure = tls::handshake(&mut stream, None, std::net::Ipv4Addr::LOCALHOST.into())
            .err()
            .unwrap();
        assert_eq!(failure.problem, Problem::Timeout(Stage::Handshake));
    }
}
