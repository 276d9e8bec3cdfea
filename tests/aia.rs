//! `--fetch-missing`: issuers fetched from AIA addresses. The fixtures name
//! `http://ca.mfgcheck.test/...`, a host that never resolves; each test starts an HTTP
//! proxy on 127.0.0.1 and points `http_proxy` at it, so every request ends there.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::Value;

use common::cli::{codes, info_codes, mfgcheck, outcome};
use common::fixture;

/// How a test's proxy answers: by path.
type Route = Box<dyn Fn(&str) -> Answer + Send + Sync>;

/// What the proxy answers for one path.
enum Answer {
    Ok(Vec<u8>),
    Status(u16),
    Redirect(&'static str),
    /// A redirect to this whole address (another scheme, say).
    RedirectTo(&'static str),
    /// Nothing, until the client leaves (at most 60 s): its deadline decides.
    Silent,
}

/// A proxy on 127.0.0.1 answering `route(path)`; returns its address and the paths
/// asked, in order.
fn proxy(
    route: impl Fn(&str) -> Answer + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let route = Arc::new(route);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let route = route.clone();
            let log = log.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                // ureq tunnels through an HTTP proxy: CONNECT ca.mfgcheck.test:80, then
                // the request itself inside the tunnel.
                let mut line = read_head(&mut reader);
                if line.starts_with("CONNECT ") {
                    assert!(line.contains("ca.mfgcheck.test:80"), "{line}");
                    let _ = stream.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                    line = read_head(&mut reader);
                }
                let target = line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let path = target
                    .strip_prefix("http://ca.mfgcheck.test")
                    .unwrap_or(&target)
                    .to_owned();
                log.lock().unwrap().push(path.clone());
                let (head, body) = match route(&path) {
                    Answer::Ok(body) => ("200 OK".to_owned(), body),
                    Answer::Status(code) => {
                        (format!("{code} Whatever"), b"<html>no</html>".to_vec())
                    }
                    Answer::Redirect(to) => (
                        format!("302 Found\r\nLocation: http://ca.mfgcheck.test{to}"),
                        Vec::new(),
                    ),
                    Answer::RedirectTo(to) => (format!("302 Found\r\nLocation: {to}"), Vec::new()),
                    Answer::Silent => {
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
                        let mut buf = [0u8; 512];
                        while matches!(std::io::Read::read(&mut reader, &mut buf), Ok(n) if n > 0) {
                        }
                        return;
                    }
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    (address, asked)
}

/// Reads a request head; returns its first line.
fn read_head(reader: &mut impl BufRead) -> String {
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
    }
    first
}

fn der(name: &str) -> Vec<u8> {
    CertificateDer::from_pem_file(fixture(name))
        .expect("a PEM fixture")
        .to_vec()
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("a fixture")
}

/// The usual CA: the intermediate and the root, as DER.
fn the_ca(path: &str) -> Answer {
    match path {
        "/int.cer" => Answer::Ok(der("aia-int.pem")),
        "/root.cer" => Answer::Ok(der("aia-root.pem")),
        _ => Answer::Status(404),
    }
}

/// Runs mfgcheck with every request going to `proxy`; returns (code, stdout, stderr).
fn run_via(proxy: &str, args: &[&str]) -> (i32, String, String) {
    outcome(
        mfgcheck()
            .current_dir(fixture("."))
            .env("http_proxy", proxy)
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("HTTP_PROXY")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .args(args),
    )
}

/// `check FILE --fetch-missing` (or without, when `fetch` is false) as JSON.
fn check(proxy: &str, file: &str, fetch: bool, extra: &[&str]) -> Value {
    let mut args = vec![
        "check",
        file,
        "--allowlist",
        "aia-allowlist.yaml",
        "--at",
        "2025-01-01",
        "--format",
        "json",
    ];
    if fetch {
        args.push("--fetch-missing");
    }
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run_via(proxy, &args);
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

fn chain_subjects(json: &Value) -> Vec<String> {
    json["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap().to_owned())
        .collect()
}

fn finding_message(json: &Value, code: &str) -> String {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {json:#}"))["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn without_the_flag_nothing_is_fetched_and_the_address_is_named() {
    let (proxy, asked) = proxy(the_ca);
    let json = check(&proxy, "aia-leaf.pem", false, &[]);
    assert_eq!(json["verdict"], "accepted");
    assert_eq!(codes(&json), ["issuer-signature-unverified"]);
    assert_eq!(info_codes(&json), ["chain-incomplete"]);
    let fix = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "chain-incomplete")
        .unwrap()["fix"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        fix.contains("--fetch-missing") && fix.contains("http://ca.mfgcheck.test/int.cer"),
        "{fix}"
    );
    assert!(
        asked.lock().unwrap().is_empty(),
        "no request without --fetch-missing"
    );
}

#[test]
fn der_answers_complete_and_prove_the_path() {
    let (proxy, asked) = proxy(the_ca);
    let json = check(&proxy, "aia-leaf.pem", true, &[]);
    common::schema::Schemas::load().check("check", &json);
    assert_eq!(json["verdict"], "accepted");
    // The issuer's signature is checked now: no issuer-signature-unverified.
    assert_eq!(codes(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(
        chain_subjects(&json),
        [
            "CN=mail.aia.test, O=Test AIA, C=US",
            "CN=Test AIA Issuing CA, O=Test AIA, C=US",
            "CN=Test AIA Root CA, O=Test AIA, C=US"
        ]
    );
    assert_eq!(json["chain"][1]["signature"], "valid");
    // Where each came from: the file, or the address.
    assert_eq!(json["chain"][0]["source"]["fetched"], false);
    assert_eq!(json["chain"][1]["source"]["fetched"], true);
    assert_eq!(
        json["chain"][1]["source"]["file"],
        "http://ca.mfgcheck.test/int.cer"
    );
    assert_eq!(json["chain_end"], "root");
    // The bundle still lacks the intermediate a server must send; not the root.
    assert_eq!(info_codes(&json), ["chain-incomplete"]);
    let message = finding_message(&json, "chain-incomplete");
    assert!(
        message.contains("lacks \"Test AIA Issuing CA\"")
            && message.contains("fetched from http://ca.mfgcheck.test/int.cer")
            && !message.contains("Root"),
        "{message}"
    );
    assert_eq!(*asked.lock().unwrap(), ["/int.cer", "/root.cer"]);

    // The text report says where each certificate came from.
    let (_, text, _) = run_via(
        &proxy,
        &[
            "check",
            "aia-leaf.pem",
            "--fetch-missing",
            "--allowlist",
            "aia-allowlist.yaml",
            "--at",
            "2025-01-01",
        ],
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("from aia-leaf.pem (certificate 1)"), "{text}");
    assert!(
        flat.contains("fetched from http://ca.mfgcheck.test/int.cer"),
        "{text}"
    );
    assert!(
        flat.contains("fetched from http://ca.mfgcheck.test/root.cer"),
        "{text}"
    );
}

#[test]
fn pkcs7_and_pem_answers_and_a_redirect_are_read() {
    let (proxy, asked) = proxy(|path| match path {
        "/int.cer" => Answer::Redirect("/moved/int.p7c"),
        "/moved/int.p7c" => Answer::Ok(bytes("aia-int.p7c")),
        "/root.cer" => Answer::Ok(bytes("aia-root.pem")),
        _ => Answer::Status(404),
    });
    let json = check(&proxy, "aia-leaf.pem", true, &[]);
    assert_eq!(json["verdict"], "accepted");
    assert_eq!(codes(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(chain_subjects(&json).len(), 3);
    assert_eq!(
        *asked.lock().unwrap(),
        ["/int.cer", "/moved/int.p7c", "/root.cer"]
    );
}

/// Each failure: a warning naming the address and the reason; the verdict stands as
/// it was without the fetch.
#[test]
fn failures_are_warnings_naming_the_address_and_why() {
    let cases: Vec<(Route, &str, &[&str])> = vec![
        (Box::new(|_: &str| Answer::Status(404)), "HTTP 404", &[]),
        (
            Box::new(|_: &str| Answer::Silent),
            "timed out",
            &["--fetch-timeout", "1"],
        ),
        (
            Box::new(|_: &str| Answer::Ok(vec![b'0'; 1024 * 1024 + 10])),
            "larger than 1024 KiB",
            &[],
        ),
        (
            Box::new(|_: &str| {
                Answer::Ok(b"<html><body>Moved to our new site</body></html>".to_vec())
            }),
            "the answer is not a certificate",
            &[],
        ),
        (
            Box::new(|_: &str| Answer::Ok(der("aia-root.pem"))),
            "holds no certificate named \"Test AIA Issuing CA\"",
            &[],
        ),
        (
            Box::new(|path: &str| match path {
                "/int.cer" => Answer::Redirect("/a"),
                "/a" => Answer::Redirect("/b"),
                _ => Answer::Redirect("/int.cer"),
            }),
            "more than 3 redirects",
            &[],
        ),
        // A redirect to another scheme is refused by its scheme, never asked for.
        (
            Box::new(|_: &str| Answer::RedirectTo("file:///etc/passwd")),
            "redirected to a file: address, which is not fetched",
            &[],
        ),
        (
            Box::new(|_: &str| Answer::RedirectTo("ftp://ca.mfgcheck.test/int.cer")),
            "redirected to a ftp: address, which is not fetched",
            &[],
        ),
        (
            Box::new(|_: &str| Answer::RedirectTo("https://ca.mfgcheck.test/int.cer")),
            "redirected to a https: address, which is not fetched",
            &[],
        ),
    ];
    for (route, reason, extra) in cases {
        let (proxy, _) = proxy(route);
        let json = check(&proxy, "aia-leaf.pem", true, extra);
        assert_eq!(json["verdict"], "accepted", "{reason}");
        assert_eq!(
            codes(&json),
            ["aia-fetch-failed", "issuer-signature-unverified"],
            "{reason}: {json:#}"
        );
        let message = finding_message(&json, "aia-fetch-failed");
        assert!(
            message.contains("could not be fetched from http://ca.mfgcheck.test/int.cer")
                && message.contains(reason),
            "{reason}: {message}"
        );
    }
}

#[test]
fn a_loop_of_addresses_ends() {
    // loop-a.cer gives A (issued by B, naming loop-b.cer); loop-b.cer gives B (issued
    // by A, naming loop-a.cer again).
    let (proxy, asked) = proxy(|path| match path {
        "/loop-a.cer" => Answer::Ok(der("aia-loop-a.pem")),
        "/loop-b.cer" => Answer::Ok(der("aia-loop-b.pem")),
        _ => Answer::Status(404),
    });
    let json = check(&proxy, "aia-loop-leaf.pem", true, &[]);
    assert_eq!(json["chain_end"], "loop", "{json:#}");
    assert_eq!(*asked.lock().unwrap(), ["/loop-a.cer", "/loop-b.cer"]);
}

#[test]
fn a_scan_fetches_each_address_once() {
    let (proxy, asked) = proxy(the_ca);
    let dir = common::temp_tree(
        "aia-scan",
        &[("a/one.pem", "aia-leaf.pem"), ("b/two.pem", "aia-leaf.pem")],
    );
    let allowlist = fixture("aia-allowlist.yaml");
    let (code, stdout, stderr) = run_via(
        &proxy,
        &[
            "scan",
            dir.to_str().unwrap(),
            "--fetch-missing",
            "--allowlist",
            allowlist.to_str().unwrap(),
            "--at",
            "2025-01-01",
            "--format",
            "jsonl",
            "--jobs",
            "2",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    for line in stdout.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["verdict"], "accepted");
        assert!(
            !line.contains("issuer-signature-unverified"),
            "the issuer was fetched and checked: {line}"
        );
    }
    let mut asked = asked.lock().unwrap().clone();
    asked.sort();
    assert_eq!(
        asked,
        ["/int.cer", "/root.cer"],
        "once each for both bundles"
    );
}

#[test]
fn inspect_shows_what_was_fetched_and_from_where() {
    let (proxy, _) = proxy(|path| match path {
        "/int.cer" => Answer::Ok(der("aia-int.pem")),
        _ => Answer::Status(404),
    });
    let (code, stdout, stderr) = run_via(
        &proxy,
        &[
            "inspect",
            "aia-leaf.pem",
            "--fetch-missing",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    common::schema::Schemas::load().check("inspect", &json);
    let certificates = json["certificates"].as_array().unwrap();
    assert_eq!(certificates.len(), 2, "{json:#}");
    assert_eq!(certificates[1]["issued_by"]["kind"], "absent");
    assert_eq!(certificates[0]["issued_by"]["kind"], "in-input");
    assert_eq!(
        json["fetch_failures"],
        serde_json::json!([
            "http://ca.mfgcheck.test/root.cer: the server answered HTTP 404 Not Found"
        ])
    );
    let (_, text, _) = run_via(&proxy, &["inspect", "aia-leaf.pem", "--fetch-missing"]);
    assert!(
        text.contains("fetched from http://ca.mfgcheck.test/int.cer"),
        "{text}"
    );
    assert!(text.contains("Not fetched:"), "{text}");
}

#[test]
fn bundle_writes_the_chain_a_server_needs_from_the_leaf_alone() {
    let (proxy, _) = proxy(the_ca);
    let dir = common::temp_tree("aia-bundle", &[("ticket.pem", "aia-leaf.pem")]);
    let out = dir.join("chain.pem");
    let allowlist = fixture("aia-allowlist.yaml");
    let (code, stdout, stderr) = run_via(
        &proxy,
        &[
            "bundle",
            dir.join("ticket.pem").to_str().unwrap(),
            "--fetch-missing",
            "--allowlist",
            allowlist.to_str().unwrap(),
            "--at",
            "2025-01-01",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let pem = std::fs::read_to_string(&out).unwrap();
    let written: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .map(|c| c.unwrap().to_vec())
        .collect();
    // The leaf and the fetched intermediate; the root is left out.
    assert_eq!(written, [der("aia-leaf.pem"), der("aia-int.pem")]);
    assert!(stderr.contains("Left out: the root"), "{stderr}");
}
