//! `--connect`: servers started here on 127.0.0.1, never any other address.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use common::cli::run;
use common::fixture;

/// A TLS server config presenting `chain` (fixture names, in order) with `key`.
fn server_config(chain: &[&str], key: &str) -> Arc<rustls::ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = chain
        .iter()
        .flat_map(|name| {
            CertificateDer::pem_file_iter(fixture(name))
                .expect("a PEM fixture")
                .map(|c| c.expect("a certificate"))
                .collect::<Vec<_>>()
        })
        .collect();
    let key = PrivateKeyDer::from_pem_file(fixture(key)).expect("a key fixture");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a server config");
    Arc::new(config)
}

/// Starts a server on 127.0.0.1 that handles one connection with `serve`; returns its port.
fn serve_once(serve: impl FnOnce(TcpStream) + Send + 'static) -> u16 {
    serve_on(
        TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1"),
        serve,
    )
}

/// Reads what the client sends and answers nothing, until the client leaves (or for at
/// most 60 s): whatever the machine's speed, the client's deadline decides, not a
/// sleep of the server's.
fn silent_until_the_client_leaves(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(60)));
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

/// Handles one connection to `listener` with `serve`; returns the port.
fn serve_on(listener: TcpListener, serve: impl FnOnce(TcpStream) + Send + 'static) -> u16 {
    let port = listener.local_addr().expect("an address").port();
    thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            serve(stream);
        }
    });
    port
}

/// The server's side of a TLS handshake on `stream`, then what the client sends.
fn accept_tls(config: Arc<rustls::ServerConfig>, mut stream: TcpStream) {
    let Ok(mut conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    while conn.is_handshaking() {
        if conn.complete_io(&mut stream).is_err() {
            return;
        }
    }
    let _ = conn.complete_io(&mut stream);
}

/// Plays an SMTP server up to its EHLO answer `ehlo`; returns the reader for the rest.
fn smtp_until_ehlo(stream: &mut TcpStream, ehlo: &[u8]) -> BufReader<TcpStream> {
    let _ = stream.write_all(b"220 mail.tls.test ESMTP\r\n");
    let mut reader = BufReader::new(stream.try_clone().expect("a clone"));
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    assert!(line.starts_with("EHLO "), "{line}");
    let _ = stream.write_all(ehlo);
    reader
}

/// Starts a server on 127.0.0.1 that handles up to `n` connections, one after the
/// other; returns its port and the count of connections it accepted.
fn serve_each(n: usize, serve: impl Fn(TcpStream) + Send + 'static) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("an address").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    thread::spawn(move || {
        for _ in 0..n {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            serve(stream);
        }
    });
    (port, accepted)
}

/// The DER certificates of PEM fixtures, in the order given.
fn ders(names: &[&str]) -> Vec<Vec<u8>> {
    names
        .iter()
        .flat_map(|name| {
            CertificateDer::pem_file_iter(fixture(name))
                .expect("a PEM fixture")
                .map(|c| c.expect("a certificate").to_vec())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn sized(width: usize, body: &[u8]) -> Vec<u8> {
    let len = body.len().to_be_bytes();
    let mut out = len[len.len() - width..].to_vec();
    out.extend_from_slice(body);
    out
}

/// Reads one TLS record (the ClientHello) and returns its bytes.
fn read_record(stream: &mut TcpStream) -> Vec<u8> {
    let mut head = [0u8; 5];
    if stream.read_exact(&mut head).is_err() {
        return Vec::new();
    }
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
    let _ = stream.read_exact(&mut body);
    body
}

/// What an old server (Exchange 2010 on Windows Server 2008 R2) answers to any
/// ClientHello: a TLS 1.0 ServerHello choosing TLS_RSA_WITH_AES_128_CBC_SHA, its
/// certificates (none when `chain` is empty), ServerHelloDone; records of 1.0.
fn tls10_flight(chain: &[Vec<u8>]) -> Vec<u8> {
    let mut hello = vec![3, 1];
    hello.extend([0x5a; 32]);
    hello.extend([0, 0x00, 0x2f, 0]);
    let mut messages = vec![2];
    messages.extend(sized(3, &hello));
    if !chain.is_empty() {
        let list: Vec<u8> = chain.iter().flat_map(|der| sized(3, der)).collect();
        messages.push(11);
        messages.extend(sized(3, &sized(3, &list)));
    }
    messages.extend([14, 0, 0, 0]);
    // Split in records of at most 1000 bytes, as a message may span records.
    messages
        .chunks(1000)
        .flat_map(|piece| {
            let mut record = vec![22, 3, 1];
            record.extend(sized(2, piece));
            record
        })
        .collect()
}

/// A server that speaks only TLS 1.0: it answers both mfgcheck's modern ClientHello
/// and the old-style one sent after it.
fn tls10_server(chain: Vec<Vec<u8>>) -> u16 {
    serve_each(2, move |mut stream| {
        let hello = read_record(&mut stream);
        assert_eq!(hello.first(), Some(&1), "a ClientHello");
        let _ = stream.write_all(&tls10_flight(&chain));
        let mut rest = [0u8; 1024];
        let _ = stream.read(&mut rest);
    })
    .0
}

fn tls_server(chain: &[&'static str], key: &'static str) -> u16 {
    serve_tls(server_config(chain, key))
}

fn serve_tls(config: Arc<rustls::ServerConfig>) -> u16 {
    serve_once(move |stream| accept_tls(config, stream))
}

/// `check --connect` to the server on `port` exits 2 with one line: the endpoint and
/// `problem`.
fn refused_with(port: u16, extra: &[&str], problem: &str) {
    let (code, stdout, stderr) = check_at(port, extra);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(
        stderr.trim(),
        format!("mfgcheck: error: 127.0.0.1:{port}: {problem}")
    );
}

fn check_at(port: u16, extra: &[&str]) -> (i32, String, String) {
    let endpoint = format!("127.0.0.1:{port}");
    let allowlist = fixture("tls-allowlist.yaml");
    let mut args = vec![
        "check",
        "--connect",
        &endpoint,
        "--allowlist",
        allowlist.to_str().expect("a UTF-8 path"),
        "--at",
        "2025-01-01",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn a_directly_issued_chain_served_is_accepted_and_its_provenance_shown() {
    let port = tls_server(&["tls-leaf.pem", "tls-root.pem"], "tls-leaf.key");
    accepted_as_served(port, "TLS 1.3", ["CN=mail.tls.test", "CN=Test TLS Root CA"]);
}

#[test]
fn a_leaf_served_alone_is_verified_with_the_key_the_allowlist_lists() {
    let list = std::fs::read_to_string(fixture("tls-allowlist.yaml")).unwrap();
    let root = std::fs::read_to_string(fixture("tls-root.pem")).unwrap();
    let pem: String = root.lines().map(|l| format!("      {l}\n")).collect();
    let dir = common::Scratch::new("connect-keyed");
    let keyed = dir.file("keyed.yaml", format!("{list}    spki: |\n{pem}").as_bytes());
    let plain = fixture("tls-allowlist.yaml");
    for (allowlist, unverified) in [(keyed.as_str(), false), (plain.to_str().unwrap(), true)] {
        let port = tls_server(&["tls-leaf.pem"], "tls-leaf.key");
        let endpoint = format!("127.0.0.1:{port}");
        let (code, stdout, stderr) = run(&[
            "check",
            "--connect",
            &endpoint,
            "--allowlist",
            allowlist,
            "--at",
            "2025-01-01",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["verdict"], "accepted");
        assert_eq!(
            common::cli::codes(&json).contains(&"issuer-signature-unverified".to_owned()),
            unverified,
            "{allowlist}: {json:#}"
        );
    }
}

/// `check --connect` accepts what the server on `port` sent, and the report says how
/// it was reached and the order it sent its two certificates in.
fn accepted_as_served(port: u16, version: &str, order: [&str; 2]) {
    let (code, stdout, stderr) = check_at(port, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "Served by 127.0.0.1:{port} (address 127.0.0.1, {version}): 2 certificates, in this order:"
        )),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("1. {}", order[0])), "{stdout}");
    assert!(stdout.contains(&format!("2. {}", order[1])), "{stdout}");
    assert!(stdout.contains("ACCEPTED"), "{stdout}");
    // What a server presents for TLS need not be the federation certificate.
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("not necessarily the federation certificate")
            && words.contains("Get-FederationTrust's OrgPrivCertificate"),
        "{stdout}"
    );
}

#[test]
fn a_chain_through_an_intermediate_is_rejected_and_json_says_where_it_came_from() {
    let port = tls_server(
        &["tls-indirect-leaf.pem", "tls-int.pem"],
        "tls-indirect-leaf.key",
    );
    let root = fixture("tls-root.pem");
    let (code, stdout, stderr) = check_at(
        port,
        &["--format", "json", root.to_str().expect("a UTF-8 path")],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    common::schema::Schemas::load().check("check", &doc);
    let codes: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"indirect-issuer"), "{codes:?}");
    let connection = &doc["connections"][0];
    assert_eq!(connection["endpoint"], format!("127.0.0.1:{port}"));
    assert_eq!(connection["address"], "127.0.0.1");
    assert_eq!(connection["servername"], serde_json::Value::Null);
    assert_eq!(
        connection["certificates"][0]["subject"],
        "CN=edge.tls.test, O=Test TLS, C=US"
    );
    assert_eq!(
        connection["certificates"][1]["subject"],
        "CN=Test TLS Issuing CA, O=Test TLS, C=US"
    );
}

#[test]
fn smtp_starttls_then_tls_and_the_chain_saved_in_the_servers_order() {
    let config = server_config(&["tls-leaf.pem", "tls-root.pem"], "tls-leaf.key");
    let port = serve_once(move |mut stream| {
        let mut reader = smtp_until_ehlo(
            &mut stream,
            b"250-mail.tls.test\r\n250-SIZE 36700160\r\n250 STARTTLS\r\n",
        );
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        assert_eq!(line.trim(), "STARTTLS");
        let _ = stream.write_all(b"220 2.0.0 SMTP server ready\r\n");
        accept_tls(config, stream);
    });
    let dir = common::temp_tree("connect-save", &[]);
    let saved = dir.join("chain.pem");
    let (code, stdout, stderr) = check_at(
        port,
        &[
            "--starttls",
            "smtp",
            "--save",
            saved.to_str().expect("a UTF-8 path"),
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("STARTTLS smtp"), "{stdout}");
    let pem = std::fs::read_to_string(&saved).expect("the saved chain");
    let leaf = std::fs::read_to_string(fixture("tls-leaf.pem")).expect("the leaf");
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 2);
    let body = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>()
    };
    assert!(body(&pem).starts_with(&body(&leaf)), "the leaf comes first");
}

#[test]
fn a_server_without_starttls_or_refusing_it_is_named() {
    let port = serve_once(|mut stream| {
        let mut reader = smtp_until_ehlo(&mut stream, b"250-old.tls.test\r\n250 SIZE 1000\r\n");
        let _ = reader.read_line(&mut String::new());
    });
    refused_with(
        port,
        &["--starttls", "smtp"],
        "the server does not offer STARTTLS in its EHLO answer",
    );

    // Offered, then refused.
    let port = serve_once(|mut stream| {
        let mut reader = smtp_until_ehlo(&mut stream, b"250-busy.tls.test\r\n250 STARTTLS\r\n");
        let _ = reader.read_line(&mut String::new());
        let _ = stream.write_all(b"454 4.7.0 TLS not available due to temporary reason\r\n");
        let _ = reader.read_line(&mut String::new());
    });
    refused_with(
        port,
        &["--starttls", "smtp"],
        "the server refused STARTTLS: STARTTLS answered 454 4.7.0 TLS not available due to temporary reason",
    );
}

#[test]
fn failures_are_one_line_naming_the_endpoint() {
    // Silent: accepts and says nothing.
    let silent = serve_once(silent_until_the_client_leaves);
    let (code, _, stderr) = check_at(silent, &["--timeout", "1"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "127.0.0.1:{silent}: timed out during the TLS handshake"
        )),
        "{stderr}"
    );

    // Not TLS: an HTTP answer.
    let http = serve_once(|mut stream| {
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let (code, _, stderr) = check_at(http, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a TLS service"), "{stderr}");

    // Refused: a port that was just closed.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("an address").port()
    };
    let (code, _, stderr) = check_at(closed, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    // A name that does not resolve is said so in the same one line: asserted without
    // any resolver in `network::connect`'s unit tests, since no name is sure to fail
    // everywhere without a query leaving the machine.
}

#[test]
fn a_tls10_server_sending_its_chain_out_of_order_is_read_and_judged() {
    // The root first, the leaf second: the order is shown as sent, the leaf still found.
    let port = tls10_server(ders(&["tls-root.pem", "tls-leaf.pem"]));
    accepted_as_served(port, "TLS 1.0", ["CN=Test TLS Root CA", "CN=mail.tls.test"]);
}

#[test]
fn a_tls10_server_through_an_intermediate_is_rejected_in_json_with_its_version() {
    let port = tls10_server(ders(&["tls-indirect-leaf.pem", "tls-int.pem"]));
    let root = fixture("tls-root.pem");
    let (code, stdout, stderr) = check_at(
        port,
        &["--format", "json", root.to_str().expect("a UTF-8 path")],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(doc["connections"][0]["tls_version"], "TLS 1.0");
    assert!(
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "indirect-issuer"),
        "{stdout}"
    );
}

#[test]
fn a_tls12_only_server_says_tls_12() {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let certs = ders(&["tls-leaf.pem", "tls-root.pem"])
        .into_iter()
        .map(CertificateDer::from)
        .collect();
    let key = PrivateKeyDer::from_pem_file(fixture("tls-leaf.key")).expect("a key fixture");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a server config");
    let port = serve_tls(Arc::new(config));
    let (code, stdout, stderr) = check_at(port, &["--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(doc["connections"][0]["tls_version"], "TLS 1.2");
}

#[test]
fn a_server_that_sends_no_certificate_is_named() {
    let port = tls10_server(Vec::new());
    let (code, stdout, stderr) = check_at(port, &[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("mfgcheck: error: 127.0.0.1:{port}: ")),
        "{stderr}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with("the server sent no certificate"),
        "{stderr}"
    );
}

/// A server that answers every ClientHello with one fatal alert.
fn alert_server(description: u8) -> (u16, Arc<AtomicUsize>) {
    serve_each(2, move |mut stream| {
        read_record(&mut stream);
        let _ = stream.write_all(&[21, 3, 1, 0, 2, 2, description]);
    })
}

#[test]
fn alerts_are_named_and_only_old_server_alerts_are_asked_again() {
    // handshake_failure: what a server with static-RSA suites only answers rustls.
    let (port, accepted) = alert_server(40);
    refused_with(
        port,
        &[],
        "the server ended the handshake with the TLS alert handshake_failure (40); \
             asked again offering TLS 1.0 to 1.2: the server ended the handshake with the TLS alert handshake_failure (40)",
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "asked twice");

    // unrecognized_name: the SNI was wrong; asking the old way would not help.
    let (port, accepted) = alert_server(112);
    refused_with(
        port,
        &["--servername", "wrong.tls.test"],
        "the server ended the handshake with the TLS alert unrecognized_name (112)",
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "asked once");
}

#[test]
fn a_server_given_as_a_file_gets_a_hint() {
    for (given, meant) in [
        ("mail.contoso.test:443", "mail.contoso.test:443"),
        ("https://mail.contoso.test/owa/", "mail.contoso.test:443"),
        ("[::1]:5061", "[::1]:5061"),
    ] {
        for command in ["check", "inspect"] {
            let (code, stdout, stderr) = run(&[command, given]);
            assert_eq!(code, 2, "{stdout}{stderr}");
            assert_eq!(
                stderr.trim(),
                format!("mfgcheck: error: {given}: no such file; did you mean --connect {meant}?")
            );
        }
    }
    // A missing file that does not look like a server: the plain error.
    let (code, _, stderr) = run(&["check", "mail.contoso.cer"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "mfgcheck: error: mail.contoso.cer: no such file"
    );
}

#[test]
fn scan_connect_list_checks_every_server_in_list_order_and_goes_on_after_errors() {
    let accepted = tls_server(&["tls-leaf.pem", "tls-root.pem"], "tls-leaf.key");
    let old = tls10_server(ders(&["tls-indirect-leaf.pem", "tls-int.pem"]));
    let refused = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("an address").port()
    };
    let silent = serve_once(silent_until_the_client_leaves);
    let list = format!(
        "# the team's endpoints\r\n\
         127.0.0.1:{accepted}   # OWA\r\n\
         \r\n\
         127.0.0.1:{old} servername=old.tls.test\r\n\
         127.0.0.1:{refused}\r\n\
         127.0.0.1:{silent}\r\n"
    );
    let dir = common::temp_tree("connect-list", &[]);
    let path = dir.join("endpoints.txt");
    std::fs::write(&path, list).expect("the list");
    let allowlist = fixture("tls-allowlist.yaml");
    let (code, stdout, stderr) = run(&[
        "scan",
        "--connect-list",
        path.to_str().expect("a UTF-8 path"),
        "--allowlist",
        allowlist.to_str().expect("a UTF-8 path"),
        "--at",
        "2025-01-01",
        "--timeout",
        "1",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 2, "errors make exit 2: {stdout}{stderr}");
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let rows: Vec<(String, String)> = records
        .iter()
        .filter(|r| r["path"].is_string())
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_owned(),
                r["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (format!("127.0.0.1:{accepted}"), "accepted".to_owned()),
            (
                format!("127.0.0.1:{old} servername=old.tls.test"),
                "rejected".to_owned()
            ),
            (format!("127.0.0.1:{refused}"), "error".to_owned()),
            (format!("127.0.0.1:{silent}"), "error".to_owned()),
        ]
    );
    assert!(
        records[1]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "indirect-issuer"),
        "{stdout}"
    );
    assert!(
        records[2]["error"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{stdout}"
    );
    assert_eq!(
        records[3]["error"], "timed out during the TLS handshake",
        "{stdout}"
    );
    assert!(
        stderr.contains("4 endpoints: 1 accepted (0 with warnings), 1 rejected, 2 errors."),
        "{stderr}"
    );
}

#[test]
fn scan_connect_list_junit_names_each_server_and_a_bad_line_stops_before_connecting() {
    let port = tls_server(
        &["tls-indirect-leaf.pem", "tls-int.pem"],
        "tls-indirect-leaf.key",
    );
    let dir = common::temp_tree("connect-list-junit", &[]);
    let path = dir.join("endpoints.txt");
    std::fs::write(&path, format!("127.0.0.1:{port}\n")).expect("the list");
    let allowlist = fixture("tls-allowlist.yaml");
    let root = fixture("tls-root.pem");
    let (code, stdout, stderr) = run(&[
        "scan",
        root.to_str().expect("a UTF-8 path"),
        "--connect-list",
        path.to_str().expect("a UTF-8 path"),
        "--allowlist",
        allowlist.to_str().expect("a UTF-8 path"),
        "--at",
        "2025-01-01",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("name=\"127.0.0.1:{port}\"")),
        "{stdout}"
    );
    assert!(stdout.contains("indirect-issuer"), "{stdout}");
    assert!(
        stderr.contains("1 file and 1 endpoint:"),
        "files and servers counted apart: {stderr}"
    );

    std::fs::write(&path, "127.0.0.1:443\nmail.test starttls=imap\n").expect("the list");
    let (code, stdout, stderr) = run(&[
        "scan",
        "--connect-list",
        path.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "mfgcheck: error: {}: line 2: starttls=imap: the only protocol is smtp",
            path.display()
        )
    );
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn inspect_connect_over_ipv6_lists_what_the_server_sent() {
    // [::1] where the machine has IPv6 loopback; CI machines here do.
    let config = server_config(
        &["tls-indirect-leaf.pem", "tls-int.pem"],
        "tls-indirect-leaf.key",
    );
    let port = serve_on(
        TcpListener::bind("[::1]:0").expect("bind [::1]"),
        move |stream| accept_tls(config, stream),
    );
    let endpoint = format!("[::1]:{port}");
    let (code, stdout, stderr) = run(&[
        "inspect",
        "--connect",
        &endpoint,
        "--servername",
        "edge.tls.test",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    common::schema::Schemas::load().check("inspect", &doc);
    let connection = &doc["connections"][0];
    assert_eq!(connection["endpoint"], endpoint);
    assert_eq!(connection["address"], "::1");
    assert_eq!(connection["servername"], "edge.tls.test");
    let subjects: Vec<&str> = doc["certificates"]
        .as_array()
        .expect("certificates")
        .iter()
        .filter_map(|c| c["subject"].as_str())
        .collect();
    assert_eq!(
        subjects,
        [
            "CN=edge.tls.test, O=Test TLS, C=US",
            "CN=Test TLS Issuing CA, O=Test TLS, C=US"
        ]
    );
}

#[test]
fn inspect_connect_says_the_tls_certificate_need_not_be_the_federation_one() {
    let port = tls_server(&["tls-leaf.pem", "tls-root.pem"], "tls-leaf.key");
    let endpoint = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = run(&["inspect", "--connect", &endpoint]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("not necessarily the federation certificate")
            && words.contains("mfgcheck triage"),
        "{stdout}"
    );
}

// ---- Hostile servers: bounded in bytes and time, each stops by itself ----------------------

/// A server on 127.0.0.1 that sends `first`, then one byte of `then` every 200 ms until
/// the client leaves, at most `most` of them (so it stops by itself within `most` / 5
/// seconds): `most` is far beyond the client's deadline, which decides.
fn trickle(first: &'static [u8], then: u8, most: usize) -> u16 {
    serve_once(move |mut stream| {
        if stream.write_all(first).is_err() {
            return;
        }
        for _ in 0..most {
            thread::sleep(std::time::Duration::from_millis(200));
            if stream.write_all(&[then]).is_err() {
                return;
            }
        }
    })
}

#[test]
fn a_trickling_server_ends_at_the_timeout_not_at_its_own_pace() {
    // A TLS record header for 4 KiB, then a byte every 200 ms until the client leaves
    // (for up to 60 s): the attempt ends at --timeout 1, during the handshake. (Per-read
    // timeouts let it run until the server stopped.)
    let port = trickle(&[0x16, 0x03, 0x03, 0x10, 0x00], 0x00, 300);
    refused_with(
        port,
        &["--timeout", "1"],
        "timed out during the TLS handshake",
    );
    // An SMTP greeting a byte at a time: the STARTTLS conversation times out.
    let port = trickle(b"2", b'2', 300);
    refused_with(
        port,
        &["--timeout", "1", "--starttls", "smtp"],
        "timed out during the STARTTLS conversation",
    );
}

#[test]
fn empty_tls_records_are_refused() {
    // Asked the modern way: the alert of a TLS 1.0-only server (protocol_version).
    // Asked again the old way: empty handshake records, a thousand at most.
    let turn = Arc::new(AtomicUsize::new(0));
    let (port, accepted) = serve_each(2, move |mut stream| {
        read_record(&mut stream);
        if turn.fetch_add(1, Ordering::SeqCst) == 0 {
            let _ = stream.write_all(&[21, 3, 1, 0, 2, 2, 70]);
        } else {
            let _ = stream.write_all(&[22u8, 3, 1, 0, 0].repeat(1000));
        }
    });
    let (code, stdout, stderr) = check_at(port, &[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("the server sent an empty TLS record"),
        "{stderr}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[test]
fn empty_records_to_the_first_hello_are_refused_as_such_not_as_another_protocol() {
    // Empty handshake records from the start: TLS framing, so not "not a TLS service".
    let (port, accepted) = serve_each(1, move |mut stream| {
        read_record(&mut stream);
        let _ = stream.write_all(&[22u8, 3, 3, 0, 0].repeat(1000));
    });
    let (code, stdout, stderr) = check_at(port, &[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("TLS: the server sent an empty TLS record"),
        "{stderr}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn scan_connect_list_asks_as_many_servers_at_once_as_jobs_says() {
    // 16 silent servers, each holding its one connection for at most 3 s: with
    // --jobs 16 all 16 are open at once (the cap of file threads, 8 here, does not
    // apply to servers), and each costs at most --timeout.
    let open = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let ports: Vec<u16> = (0..16)
        .map(|_| {
            let (open, most) = (open.clone(), most.clone());
            serve_once(move |mut stream| {
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(3)));
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
                open.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    let list: String = ports.iter().map(|p| format!("127.0.0.1:{p}\n")).collect();
    let dir = common::Scratch::new("connect-jobs");
    let path = dir.file("endpoints.txt", list.as_bytes());
    let (code, stdout, stderr) = run(&[
        "scan",
        "--connect-list",
        &path,
        "--jobs",
        "16",
        "--timeout",
        "2",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 16, "{stdout}");
    assert!(stdout.lines().all(|l| l.contains("timed out")), "{stdout}");
    assert_eq!(most.load(Ordering::SeqCst), 16, "servers open at once");
}

#[test]
fn a_chain_over_64_kb_is_read_record_by_record_not_called_not_tls() {
    // The leaf, then the 150 roots of a system bundle: a Certificate message of about
    // 90 KB, more than rustls accepts.
    let config = server_config(&["tls-leaf.pem", "system-roots-150.pem"], "tls-leaf.key");
    let port = serve_each(2, move |stream| accept_tls(config.clone(), stream)).0;
    let (code, stdout, stderr) = check_at(port, &[]);
    assert!(!stderr.contains("not a TLS service"), "{stderr}");
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("Certificate message is over the 64 KiB TLS clients accept"),
        "{stdout}"
    );
    assert!(stdout.contains("151 certificates"), "{stdout}");
}
