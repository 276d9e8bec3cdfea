//! The certificates of servers that rustls cannot talk to: TLS 1.0 and 1.1, or only
//! static-RSA cipher suites (Exchange 2010 on Windows Server 2008 R2 by default).
//!
//! Up to TLS 1.2 the server's Certificate message travels in clear, right after its
//! ServerHello. So this sends a ClientHello offering TLS 1.0 to 1.2 with the suites
//! such servers have, reads records until the Certificate message is complete, and
//! hangs up: no key is ever exchanged, nothing is encrypted, nothing is trusted.
//! `tls-parser` reads the records and messages; this module only frames them.

use std::io::{Read, Write};

use tls_parser::{
    TlsMessage, TlsMessageHandshake, TlsRecordType, parse_tls_message_alert,
    parse_tls_message_handshake, parse_tls_record_header,
};

use super::Problem;
use super::alert;

/// The largest record TLS allows (2^14 plus room for compression and padding).
const MAX_RECORD: usize = 16_384 + 2_048;
/// The most handshake bytes read before the Certificate message must be complete: a
/// chain of a dozen 4096-bit certificates fits many times over.
const MAX_HANDSHAKE: usize = 256 * 1024;

/// What the server answered: its chain in its order, and the version it chose.
pub(super) struct Answer {
    pub chain: Vec<Vec<u8>>,
    pub version: String,
}

/// Cipher suites old Windows, IIS and appliance servers choose from: static RSA first
/// (what rustls lacks), then (EC)DHE. The server picks one; none is ever used.
const SUITES: &[u16] = &[
    0xc030, 0xc02f, 0xc028, 0xc027, 0xc014, 0xc013, // ECDHE-RSA
    0xc02c, 0xc02b, 0xc024, 0xc023, 0xc00a, 0xc009, // ECDHE-ECDSA
    0x009f, 0x009e, 0x0039, 0x0033, // DHE-RSA
    0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, // RSA with AES
    0x000a, 0x0005, 0x0004, // RSA with 3DES and RC4
    0x00ff, // the renegotiation SCSV (RFC 5746)
];

/// Signature algorithms a TLS 1.2 server may sign with (RFC 5246 7.4.1.4.1).
const SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0401, 0x0501, 0x0601, 0x0201, // RSA PKCS#1 with SHA-256/384/512/1
    0x0804, 0x0805, 0x0806, // RSA-PSS
    0x0403, 0x0503, 0x0603, 0x0203, // ECDSA
];

/// Named groups for ECDHE: secp256r1, secp384r1, secp521r1, x25519.
const GROUPS: &[u16] = &[0x0017, 0x0018, 0x0019, 0x001d];

/// Appends `body` with a big-endian length prefix of `width` bytes.
fn put_sized(out: &mut Vec<u8>, width: usize, body: &[u8]) {
    let len = body.len().to_be_bytes();
    out.extend(len.iter().skip(len.len().saturating_sub(width)));
    out.extend_from_slice(body);
}

fn u16s(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend(kind.to_be_bytes());
    put_sized(out, 2, body);
}

/// The ClientHello record: TLS 1.2 as the highest version (a TLS 1.0 server answers
/// with 1.0), the record layer saying 1.0 as old servers expect.
pub(super) fn client_hello(servername: Option<&str>, random: &[u8; 32]) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(name) = servername {
        let mut entry = vec![0u8]; // host_name
        put_sized(&mut entry, 2, name.as_bytes());
        let mut list = Vec::new();
        put_sized(&mut list, 2, &entry);
        extension(&mut extensions, 0x0000, &list);
    }
    let mut groups = Vec::new();
    put_sized(&mut groups, 2, &u16s(GROUPS));
    extension(&mut extensions, 0x000a, &groups);
    extension(&mut extensions, 0x000b, &[1, 0]); // EC point formats: uncompressed
    let mut algorithms = Vec::new();
    put_sized(&mut algorithms, 2, &u16s(SIGNATURE_ALGORITHMS));
    extension(&mut extensions, 0x000d, &algorithms);

    let mut hello = vec![3, 3]; // client_version TLS 1.2
    hello.extend_from_slice(random);
    hello.push(0); // no session id
    put_sized(&mut hello, 2, &u16s(SUITES));
    hello.extend([1, 0]); // compression: null only
    put_sized(&mut hello, 2, &extensions);

    let mut message = vec![1]; // client_hello
    put_sized(&mut message, 3, &hello);
    let mut record = vec![22, 3, 1]; // handshake, TLS 1.0 record layer
    put_sized(&mut record, 2, &message);
    record
}

/// The name of a protocol version as people say it.
fn version_name(version: u16) -> String {
    match version {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        other => format!("TLS version 0x{other:04x}"),
    }
}

/// Reads exactly `n` bytes, or says how the stream ended.
fn read_exact(stream: &mut impl Read, n: usize) -> Result<Vec<u8>, Problem> {
    let mut buf = vec![0; n];
    stream
        .read_exact(&mut buf)
        .map_err(Problem::from_handshake_io)?;
    Ok(buf)
}

/// The server's side of the handshake, message by message, as far as it is in clear.
struct Flight {
    /// Handshake bytes received and not yet parsed (messages may span records).
    pending: Vec<u8>,
    received: usize,
    version: Option<u16>,
}

/// What one complete handshake message meant.
enum Step {
    More,
    Chain(Vec<Vec<u8>>),
}

impl Flight {
    /// Takes the complete messages out of `pending`.
    fn messages(&mut self) -> Result<Step, Problem> {
        loop {
            let Some(header) = self.pending.get(..4) else {
                return Ok(Step::More);
            };
            let body = header
                .iter()
                .skip(1)
                .fold(0usize, |n, b| (n << 8) | usize::from(*b));
            if self.pending.len() < 4 + body {
                return Ok(Step::More);
            }
            let message: Vec<u8> = self.pending.drain(..4 + body).collect();
            let parsed = parse_tls_message_handshake(&message)
                .map_err(|_| Problem::Tls("the server sent a malformed handshake message".into()))?
                .1;
            match parsed {
                TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)) => {
                    self.version = Some(hello.version.0);
                }
                TlsMessage::Handshake(TlsMessageHandshake::Certificate(certificate)) => {
                    let chain: Vec<Vec<u8>> = certificate
                        .cert_chain
                        .iter()
                        .map(|c| c.data.to_vec())
                        .collect();
                    return if chain.is_empty() {
                        Err(Problem::NoCertificate)
                    } else {
                        Ok(Step::Chain(chain))
                    };
                }
                // The server is done and sent no Certificate (an anonymous suite).
                TlsMessage::Handshake(TlsMessageHandshake::ServerDone(_)) => {
                    return Err(Problem::NoCertificate);
                }
                _ => {}
            }
        }
    }
}

/// Sends the ClientHello on `stream` and reads the server's answer up to its
/// Certificate message.
pub(super) fn handshake<S: Read + Write>(
    stream: &mut S,
    servername: Option<&str>,
) -> Result<Answer, Problem> {
    let mut random = [0u8; 32];
    aws_lc_rs::rand::fill(&mut random)
        .map_err(|_| Problem::Tls("no random bytes for the ClientHello".into()))?;
    stream
        .write_all(&client_hello(servername, &random))
        .map_err(Problem::from_io)?;
    let mut flight = Flight {
        pending: Vec::new(),
        received: 0,
        version: None,
    };
    loop {
        let head = read_exact(stream, 5)?;
        let header = parse_tls_record_header(&head)
            .map_err(|_| Problem::NotTls)?
            .1;
        let len = usize::from(header.len);
        // Anything but a TLS 1.x record is another protocol answering.
        if header.version.0 >> 8 != 3 || len > MAX_RECORD {
            return Err(Problem::NotTls);
        }
        // RFC 5246 6.2.1: no empty handshake or alert records. A server sending them
        // without end would keep the loop reading nothing.
        if len == 0 {
            return Err(Problem::Tls("the server sent an empty TLS record".into()));
        }
        let body = read_exact(stream, len)?;
        match header.record_type {
            TlsRecordType::Alert => {
                let description = parse_tls_message_alert(&body)
                    .ok()
                    .and_then(|(_, m)| match m {
                        TlsMessage::Alert(a) => Some(a.code.0),
                        _ => None,
                    })
                    .ok_or(Problem::NotTls)?;
                return Err(Problem::Alert(alert::name(description)));
            }
            TlsRecordType::Handshake => {
                flight.received += len;
                if flight.received > MAX_HANDSHAKE {
                    return Err(Problem::Tls(format!(
                        "the server sent more than {} KiB before its certificates",
                        MAX_HANDSHAKE / 1024
                    )));
                }
                flight.pending.extend_from_slice(&body);
                if let Step::Chain(chain) = flight.messages()? {
                    return Ok(Answer {
                        chain,
                        version: flight.version.map_or_else(
                            || "TLS 1.0-1.2 (no ServerHello seen)".into(),
                            version_name,
                        ),
                    });
                }
            }
            // Before the Certificate message nothing else belongs in clear.
            _ => return Err(Problem::NotTls),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn the_client_hello_parses_and_offers_what_old_servers_choose() {
        let record = client_hello(Some("mail.contoso.com"), &[7; 32]);
        let (rest, plain) = tls_parser::parse_tls_plaintext(&record).unwrap();
        assert!(rest.is_empty());
        assert_eq!(plain.hdr.version.0, 0x0301);
        let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)) = &plain.msg[0] else {
            panic!("not a ClientHello: {plain:?}");
        };
        assert_eq!(hello.version.0, 0x0303);
        let suites: Vec<u16> = hello.ciphers.iter().map(|c| c.0).collect();
        assert!(suites.contains(&0x002f), "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert!(suites.contains(&0x000a), "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
        let (_, extensions) =
            tls_parser::parse_tls_client_hello_extensions(hello.ext.unwrap()).unwrap();
        assert!(extensions.iter().any(|e| matches!(
            e,
            tls_parser::TlsExtension::SNI(names) if names[0].1 == b"mail.contoso.com"
        )));
    }

    #[test]
    fn no_server_name_no_sni() {
        let record = client_hello(None, &[0; 32]);
        let (_, plain) = tls_parser::parse_tls_plaintext(&record).unwrap();
        let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)) = &plain.msg[0] else {
            panic!("not a ClientHello");
        };
        let (_, extensions) =
            tls_parser::parse_tls_client_hello_extensions(hello.ext.unwrap()).unwrap();
        assert!(
            !extensions
                .iter()
                .any(|e| matches!(e, tls_parser::TlsExtension::SNI(_)))
        );
    }

    /// A server answer split across records in awkward places still gives the chain.
    #[test]
    fn messages_spanning_records_are_put_together() {
        let mut hello = vec![3, 1];
        hello.extend([9; 32]);
        hello.extend([0, 0x00, 0x2f, 0]);
        let mut messages = vec![2];
        put_sized(&mut messages, 3, &hello);
        let mut list = Vec::new();
        put_sized(&mut list, 3, &[0x30, 0x03, 1, 2, 3]);
        put_sized(&mut list, 3, &[0x30, 0x01, 4]);
        let mut certificate = Vec::new();
        put_sized(&mut certificate, 3, &list);
        messages.push(11);
        put_sized(&mut messages, 3, &certificate);
        let mut stream = Vec::new();
        for piece in messages.chunks(7) {
            stream.extend([22, 3, 1]);
            put_sized(&mut stream, 2, piece);
        }
        let mut io = Duplex {
            input: std::io::Cursor::new(stream),
            output: Vec::new(),
        };
        let answer = handshake(&mut io, None).unwrap();
        assert_eq!(answer.version, "TLS 1.0");
        assert_eq!(
            answer.chain,
            vec![vec![0x30, 0x03, 1, 2, 3], vec![0x30, 0x01, 4]]
        );
    }

    #[test]
    fn an_alert_is_named_and_an_http_answer_is_not_tls() {
        let mut io = Duplex {
            input: std::io::Cursor::new(vec![21, 3, 1, 0, 2, 2, 40]),
            output: Vec::new(),
        };
        assert_eq!(
            handshake(&mut io, None).err(),
            Some(Problem::Alert("handshake_failure (40)".into()))
        );
        let mut io = Duplex {
            input: std::io::Cursor::new(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()),
            output: Vec::new(),
        };
        assert_eq!(handshake(&mut io, None).err(), Some(Problem::NotTls));
    }

    struct Duplex {
        input: std::io::Cursor<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
