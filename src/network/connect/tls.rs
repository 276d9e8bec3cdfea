//! A TLS client that records the server's certificates and judges nothing: no trust
//! store, no host name match, no refusal of RSA-1024 or SHA-1. The verdict is
//! mfgcheck's, never the TLS library's.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};

use super::{Problem, alert};

/// Accepts any chain and keeps a copy of it.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Option<Vec<Vec<u8>>>>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.as_ref().to_vec())
            .collect();
        if let Ok(mut slot) = self.chain.lock() {
            *slot = Some(chain);
        }
        Ok(ServerCertVerified::assertion())
    }

    // The handshake's own signatures prove the server holds the key; the question here
    // is only which certificates it presents, so they are not checked.
    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verify_tls12_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// What a handshake gave: the chain in the server's order, and the version.
pub(super) struct Handshake {
    pub chain: Vec<Vec<u8>>,
    pub version: String,
}

/// Why a handshake gave no chain, and whether it failed the way a server fails that
/// speaks only TLS 1.0/1.1 or static-RSA suites (worth asking again the old way).
pub(super) struct Failure {
    pub problem: Problem,
    pub old_server: bool,
}

impl From<Problem> for Failure {
    fn from(problem: Problem) -> Self {
        Self {
            problem,
            old_server: false,
        }
    }
}

impl Failure {
    /// An error out of rustls' I/O loop: TLS errors arrive wrapped in `io::Error`.
    fn from_io(e: std::io::Error) -> Self {
        let tls = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .cloned();
        match tls {
            Some(rustls::Error::AlertReceived(description)) => {
                let number = u8::from(description);
                Self {
                    problem: Problem::Alert(alert::name(number)),
                    old_server: alert::means_old_server(number),
                }
            }
            // A ServerHello choosing TLS 1.0 or 1.1.
            Some(rustls::Error::PeerIncompatible(why)) => Self {
                problem: match why {
                    rustls::PeerIncompatible::ServerDoesNotSupportTls12Or13 => Problem::OldVersion,
                    other => Problem::Tls(format!("{other:?}")),
                },
                old_server: true,
            },
            // A handshake message over 64 KiB is a real TLS server with a huge chain, not
            // another protocol: asked again, the record reader takes up to 256 KiB.
            Some(rustls::Error::InvalidMessage(
                rustls::InvalidMessage::HandshakePayloadTooLarge,
            )) => Self {
                problem: Problem::Oversized,
                old_server: true,
            },
            // Empty records are TLS framing, so a TLS server, but a broken or hostile one.
            Some(
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidEmptyPayload)
                | rustls::Error::PeerMisbehaved(rustls::PeerMisbehaved::TooManyEmptyFragments),
            ) => Problem::Tls("the server sent an empty TLS record".into()).into(),
            Some(rustls::Error::InvalidMessage(_)) => Problem::NotTls.into(),
            Some(other) => Problem::Tls(other.to_string()).into(),
            // Some old servers hang up on a ClientHello they do not understand.
            None => match Problem::from_handshake_io(e) {
                closed @ Problem::Closed(_) => Self {
                    problem: closed,
                    old_server: true,
                },
                other => other.into(),
            },
        }
    }
}

/// Runs a TLS 1.2/1.3 handshake on `stream` until the server's certificates are in.
pub(super) fn handshake<S: Read + Write>(
    stream: &mut S,
    servername: Option<&str>,
    address: std::net::IpAddr,
) -> Result<Handshake, Failure> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let recorder = Arc::new(Recorder {
        chain: Mutex::new(None),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Problem::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    // No SNI for an address (rustls sends none for an IpAddress server name).
    let name = match servername {
        Some(n) => {
            ServerName::try_from(n.to_owned()).map_err(|_| Problem::BadServerName(n.to_owned()))?
        }
        None => ServerName::IpAddress(address.into()),
    };
    let mut connection =
        ClientConnection::new(Arc::new(config), name).map_err(|e| Problem::Tls(e.to_string()))?;
    let recorded = || recorder.chain.lock().ok().and_then(|c| c.clone());
    while connection.is_handshaking() {
        if recorded().is_some() {
            break;
        }
        match connection.complete_io(stream) {
            Ok((0, 0)) => {
                return Err(Failure {
                    problem: Problem::Closed("the TLS handshake".into()),
                    old_server: true,
                });
            }
            Ok(_) => {}
            Err(e) => {
                if let Some(chain) = recorded() {
                    return Ok(finish(&connection, chain));
                }
                return Err(Failure::from_io(e));
            }
        }
    }
    match recorded() {
        Some(chain) if !chain.is_empty() => Ok(finish(&connection, chain)),
        _ => Err(Problem::NoCertificate.into()),
    }
}

fn finish(connection: &ClientConnection, chain: Vec<Vec<u8>>) -> Handshake {
    let version = match connection.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2",
        _ => "TLS 1.2 or 1.3",
    };
    Handshake {
        chain,
        version: version.to_owned(),
    }
}
