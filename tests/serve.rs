//! `mfgcheck serve`: the API against the server started on 127.0.0.1:0 by each test,
//! with a real HTTP client. Every answer is held to the CLI's own output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use serde_json::Value;

use common::cli::mfgcheck;
use common::fixture;
use common::schema::Schemas;
use common::server::{Server, multipart};

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

/// What the CLI prints for `args`, run in the fixtures: (exit code, stdout as JSON or
/// the stderr message).
fn cli(args: &[&str]) -> (i32, Value, String) {
    let out = mfgcheck()
        .current_dir(fixture("."))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stderr
            .trim()
            .trim_start_matches("mfgcheck: error: ")
            .to_owned(),
    )
}

#[test]
fn check_answers_the_clis_json_exactly() {
    let server = Server::start(&[]);
    let story = bytes("story-bundle.pem");
    let (status, doc) = server.form(
        "/api/check",
        &[
            ("file", Some("story-bundle.pem"), &story),
            ("at", None, b"2010-12-01"),
        ],
    );
    assert_eq!(status, 200);
    assert_eq!(doc["verdict"], "rejected");
    let (code, expected, _) = cli(&[
        "check",
        "story-bundle.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2010-12-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(doc, expected, "the same document as the CLI");
    Schemas::load().check("check", &doc);

    // Two files, and the later profile.
    let leaf = bytes("story-leaf.cer");
    let int = bytes("story-intermediate.cer");
    let (status, doc) = server.form(
        "/api/check",
        &[
            ("file", Some("story-leaf.cer"), &leaf),
            ("file", Some("story-intermediate.cer"), &int),
            ("at", None, b"2011-06-01"),
        ],
    );
    assert_eq!(status, 200);
    assert_eq!(doc["verdict"], "accepted");
    assert_eq!(doc["chain"].as_array().unwrap().len(), 2);

    // A look-alike alone: the key its list carries for the CA it names did not sign it.
    let lookalike = bytes("graph-lookalike-leaf.pem");
    let list = bytes("graph-allowlist.yaml");
    let (status, doc) = server.form(
        "/api/check",
        &[
            ("file", Some("graph-lookalike-leaf.pem"), &lookalike),
            ("allowlist", Some("graph-allowlist.yaml"), &list),
            ("at", None, b"2011-06-01"),
        ],
    );
    assert_eq!(status, 200);
    assert_eq!(doc["verdict"], "rejected");
    assert_eq!(doc["findings"][0]["code"], "signature-invalid", "{doc}");
}

#[test]
fn a_pfx_without_then_with_its_password() {
    let server = Server::start(&[]);
    let pfx = bytes("story-legacy.pfx");
    let (status, doc) = server.form("/api/check", &[("file", Some("story-legacy.pfx"), &pfx)]);
    assert_eq!(status, 422);
    assert_eq!(doc["password_needed"], true);
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .starts_with("story-legacy.pfx: this PKCS#12 file needs a password")
    );
    let password = std::fs::read_to_string(fixture("pfx-password.txt")).unwrap();
    let (status, doc) = server.form(
        "/api/check",
        &[
            ("file", Some("story-legacy.pfx"), &pfx),
            ("password", None, password.trim().as_bytes()),
            ("at", None, b"2011-06-01"),
        ],
    );
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["private_key"]["present"], true);
    let (status, doc) = server.form(
        "/api/check",
        &[
            ("file", Some("story-legacy.pfx"), &pfx),
            ("password", None, b"wrong"),
        ],
    );
    assert_eq!(status, 422);
    assert_eq!(doc["password_needed"], true, "{doc}");
    Schemas::load().check("api-error", &doc);
}

#[test]
fn a_pfx_declaring_a_thousand_heavy_bags_is_refused_before_any_work() {
    let server = Server::start(&[]);
    let pfx = bytes("hostile-bags.pfx");
    let (status, doc) = server.form(
        "/api/check",
        &[
            ("file", Some("hostile-bags.pfx"), &pfx),
            ("password", None, b"Fed2010!"),
        ],
    );
    assert_eq!(status, 422, "{doc}");
    let error = doc["error"].as_str().unwrap();
    assert!(
        error.starts_with(
            "hostile-bags.pfx: PKCS#12: its integrity check and its 1002 encrypted parts"
        ),
        "{error}"
    );
    assert!(error.ends_with("refused before any work"), "{error}");
    assert_eq!(doc.get("password_needed"), None, "{doc}");
}

#[test]
fn two_candidate_leaves_are_offered_and_the_one_chosen_is_checked() {
    let server = Server::start(&[]);
    let pem = bytes("two-leaves.pem");
    let (status, doc) = server.form("/api/check", &[("file", Some("two-leaves.pem"), &pem)]);
    assert_eq!(status, 422, "{doc}");
    Schemas::load().check("api-error", &doc);
    let (code, _, message) = cli(&["check", "two-leaves.pem"]);
    assert_eq!(code, 2);
    assert_eq!(doc["error"], message, "the CLI's words");
    let candidates = doc["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2, "{doc}");
    for chosen in candidates {
        let sha1 = chosen["sha1"].as_str().unwrap();
        assert!(message.contains(sha1), "{message}");
        let (status, doc) = server.form(
            "/api/check",
            &[
                ("file", Some("two-leaves.pem"), &pem),
                ("leaf", None, sha1.as_bytes()),
            ],
        );
        assert_eq!(status, 200, "{doc}");
        assert_eq!(doc["leaf"]["sha1"], sha1);
    }
    // A value that is no thumbprint is the CLI's --leaf error.
    let (status, doc) = server.form(
        "/api/check",
        &[
            ("file", Some("two-leaves.pem"), &pem),
            ("leaf", None, b"nonsense"),
        ],
    );
    assert_eq!(status, 422);
    assert!(
        doc["error"].as_str().unwrap().starts_with("leaf: "),
        "{doc}"
    );
    assert_eq!(doc.get("candidates"), None, "{doc}");
}

#[test]
fn bad_input_is_422_with_the_clis_message_word_for_word() {
    let server = Server::start(&[]);
    for file in ["garbage.png", "empty.pem", "cut-pem.pem", "key-only.pem"] {
        let (status, doc) = server.form("/api/check", &[("file", Some(file), &bytes(file))]);
        assert_eq!(status, 422, "{file}");
        let (code, _, message) = cli(&["check", file]);
        assert_eq!(code, 2, "{file}");
        assert_eq!(doc["error"], message, "{file}");
        Schemas::load().check("api-error", &doc);
    }
    let (status, doc) = server.form("/api/check", &[("at", None, b"2011-06-01")]);
    assert_eq!(status, 422);
    assert_eq!(doc["error"], "no input: give at least one certificate file");
    let (status, doc) = server.form(
        "/api/check",
        &[
            ("file", Some("a.pem"), &bytes("direct-bundle.pem")),
            ("at", None, b"yesterday"),
        ],
    );
    assert_eq!(status, 422);
    assert!(doc["error"].as_str().unwrap().starts_with("at: "), "{doc}");
}

#[test]
fn the_body_limit_cross_origin_posts_and_the_headers() {
    let server = Server::start(&["--max-body", "1"]);
    // A 2 MiB upload: 413 as soon as its headers are read (the server does not wait
    // for the body, and closes the connection, so the headers are all that is sent).
    let (status, doc) = raw(
        &server,
        b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 2097152\r\n\r\n",
    );
    assert_eq!(status, 413, "{doc}");

    let (content_type, body) =
        multipart(&[("file", Some("story-bundle.pem"), &bytes("story-bundle.pem"))]);
    let (status, doc) = server.post(
        "/api/check",
        &content_type,
        body.clone(),
        Some("http://evil.example"),
    );
    assert_eq!(status, 403);
    assert!(
        doc["error"].as_str().unwrap().contains("cross-origin"),
        "{doc}"
    );
    let own = server.url.clone();
    let (status, _) = server.post("/api/check", &content_type, body, Some(&own));
    assert_eq!(status, 200, "the page's own origin");

    let (status, headers, html) = server.get("/");
    assert_eq!(status, 200);
    assert!(html.contains("<script src=\"/app.js\" defer></script>"));
    assert!(
        !html.contains("onclick") && !html.contains("style=\""),
        "no inline script or style"
    );
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert!(header("content-security-policy").starts_with("default-src 'self'"));
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(server.get("/healthz").0, 200);
    assert_eq!(
        server.get("/favicon.ico").0,
        204,
        "no 404 in the browser's console"
    );
    assert_eq!(server.get("/no/such/page").0, 404);
    let (_, headers, script) = server.get("/app.js");
    assert!(script.contains("/api/analyze"));
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("text/javascript"))
    );
}

#[test]
fn triage_thumbprint_lync_allowlist_and_analyze() {
    let server = Server::start(&[]);
    let schemas = Schemas::load();
    let transcript =
        std::fs::read(common::test_data("triage", "new-federationtrust-403.txt")).unwrap();
    let (status, doc) = server.post("/api/triage", "text/plain", transcript, None);
    assert_eq!(status, 200);
    let (_, expected, _) = cli(&[
        "triage",
        &common::test_data("triage", "new-federationtrust-403.txt"),
        "--allowlist",
        "allowlist.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(doc, expected);
    schemas.check("triage", &doc);

    let (status, doc) = server.post(
        "/api/thumbprint",
        "text/plain",
        "\u{200e}d8 f5 40 1d b4 c4 22 8b 4f d8 c5 7c c6 6f d1 94 02 1a 4b 92"
            .as_bytes()
            .to_vec(),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        doc["values"][0]["normalized"],
        "D8F5401DB4C4228B4FD8C57CC66FD194021A4B92"
    );
    assert_eq!(doc["values"][0]["removed"][0]["char"], "U+200E");
    schemas.check("thumbprint", &doc);

    let media = std::fs::read(common::test_data("lync", "media-2010.txt")).unwrap();
    let (status, doc) = server.post("/api/lync", "text/plain", media, None);
    assert_eq!(status, 200);
    schemas.check("lync", &doc);

    let (status, _, text) = server.get("/api/allowlist");
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&text).unwrap();
    schemas.check("allowlist", &doc);
    assert_eq!(doc["source"], "allowlist.yaml");

    // The page's endpoint: what pasted text is, recognised from its content.
    let cases: [(&[u8], &str); 3] = [
        (
            b"New-FederationTrust : The request failed with HTTP status 403: Forbidden.",
            "triage",
        ),
        (
            b"7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44",
            "thumbprint",
        ),
        (&bytes("direct-bundle.pem"), "check"),
    ];
    for (text, kind) in cases {
        let (status, doc) = server.form(
            "/api/analyze",
            &[("text", None, text), ("at", None, b"2011-06-01")],
        );
        assert_eq!(status, 200, "{doc}");
        assert_eq!(doc["kind"], kind);
        schemas.check("analyze", &doc);
        schemas.check(kind, &doc["result"]);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_during_heavy_checks_ends_the_process_and_every_client_hears_back() {
    // Eight checks of a PFX whose key takes 256 MiB of scrypt: four run (the cap), four
    // wait their turn. Once the server's memory shows the work running, SIGTERM.
    let server = Server::start(&[]);
    let pfx = bytes("hostile-scrypt.pfx");
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let url = server.url.clone();
            let pfx = pfx.clone();
            std::thread::spawn(move || {
                let (content_type, body) = common::server::multipart(&[
                    ("file", Some("hostile-scrypt.pfx"), &pfx),
                    ("password", None, b"Fed2010!"),
                ]);
                Server::agent()
                    .post(format!("{url}/api/check"))
                    .header("content-type", &content_type)
                    .send(&body[..])
                    .map(|r| r.status().as_u16())
                    .ok()
            })
        })
        .collect();
    let status = format!("/proc/{}/status", server.child.id());
    let resident_mib = || {
        std::fs::read_to_string(&status)
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    // At most 20 s of 50 ms looks; a run that never gets there fails below.
    let busy = (0..400).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        resident_mib() > 200
    });
    assert!(busy, "the scrypt work never showed in the server's memory");
    let (clean, log) = server.terminate();
    assert!(clean, "{log}");
    for client in clients {
        // An answer (200 done, 503 stopping) or a closed connection: none is left hanging.
        let answer = client.join().unwrap();
        assert!(matches!(answer, None | Some(200 | 503)), "{answer:?}");
    }
}

#[cfg(unix)]
#[test]
fn sigterm_stops_it_gracefully_and_the_log_holds_no_content() {
    let server = Server::start(&[]);
    let secret = b"-----BEGIN CERTIFICATE-----\nTOP-SECRET-PASTE\n-----END CERTIFICATE-----\n";
    let (status, _) = server.form(
        "/api/analyze",
        &[
            ("text", None, secret),
            ("password", None, b"hunter2-password"),
        ],
    );
    assert_eq!(status, 422);
    let (clean, log) = server.terminate();
    assert!(clean, "{log}");
    assert!(
        log.contains("mfgcheck serve: POST /api/analyze 422"),
        "{log}"
    );
    assert!(log.trim_end().ends_with("mfgcheck serve: stopped"), "{log}");
    assert!(
        !log.contains("TOP-SECRET") && !log.contains("hunter2"),
        "{log}"
    );
}

#[test]
fn an_uploaded_allowlist_decides_instead_of_the_servers() {
    let server = Server::start(&[]);
    let leaf = bytes("tls-leaf.pem");
    let root = bytes("tls-root.pem");
    let own = bytes("tls-allowlist.yaml");
    let parts = |list: Option<&[u8]>| {
        let mut p: Vec<(&str, Option<&str>, &[u8])> = vec![
            ("file", Some("tls-leaf.pem"), &leaf[..]),
            ("file", Some("tls-root.pem"), &root[..]),
            ("at", None, b"2025-01-01"),
        ];
        if let Some(l) = list {
            p.push(("allowlist", Some("tls-allowlist.yaml"), l));
        }
        server.form("/api/check", &p)
    };
    let (status, doc) = parts(None);
    assert_eq!(status, 200);
    assert_eq!(
        doc["verdict"], "rejected",
        "the server's list does not know the TLS root"
    );
    let (status, doc) = parts(Some(&own));
    assert_eq!(status, 200);
    assert_eq!(doc["verdict"], "accepted", "{doc}");
    assert_eq!(doc["allowlist"]["source"], "tls-allowlist.yaml");
    let (status, doc) = parts(Some(b"version: 1\nauthorities: [oops"));
    assert_eq!(status, 422);
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .starts_with("tls-allowlist.yaml: "),
        "{doc}"
    );
}

#[test]
fn a_ticket_dropped_as_a_text_file_is_triaged_and_pem_in_a_text_file_is_checked() {
    let server = Server::start(&[]);
    let ticket = std::fs::read(common::test_data("triage", "new-federationtrust-403.txt")).unwrap();
    let (status, doc) = server.form(
        "/api/analyze",
        &[("file", Some("ticket.txt"), &ticket), ("text", None, b"")],
    );
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["kind"], "triage", "{doc}");
    assert_eq!(
        doc["result"]["recognised"][0]["id"], "new-federationtrust-403",
        "{doc}"
    );
    let pem = bytes("story-bundle.pem");
    let (status, doc) = server.form(
        "/api/analyze",
        &[
            ("file", Some("bundle.txt"), &pem),
            ("at", None, b"2010-12-01"),
        ],
    );
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["kind"], "check", "{doc}");
    assert_eq!(doc["result"]["verdict"], "rejected");
}

/// One raw HTTP/1.1 exchange with the server: `request` as bytes, the answer's status
/// and body. The socket gives up after 10 s, so a test never hangs on it.
fn raw(server: &Server, request: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let address = server.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // Read until the head and the body it announces are in (or the server closes).
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            });
            if length.is_some_and(|n| body.len() >= n) {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn a_page_elsewhere_that_rebinds_its_name_to_this_machine_is_refused() {
    let server = Server::start(&["--allow-host", "mfgcheck.corp.example"]);
    let port = server.url.rsplit(':').next().unwrap().to_owned();
    let get = |host: &str| {
        raw(
            &server,
            format!("GET /api/allowlist HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    };
    // The attacker's name, resolved to 127.0.0.1: refused, as JSON.
    let (status, body) = get(&format!("attacker.example:{port}"));
    assert_eq!(status, 421, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert!(
        doc["error"].as_str().unwrap().contains("--allow-host"),
        "{doc}"
    );
    // Addresses, localhost and the names given with --allow-host are answered.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("mfgcheck.corp.example:{port}"),
    ] {
        let (status, body) = get(&host);
        assert_eq!(status, 200, "{host}: {body}");
    }
}

#[test]
fn an_announced_body_over_the_limit_is_413_at_once_and_every_error_is_json() {
    let server = Server::start(&["--max-body", "1"]);
    // Headers only: the answer comes before any of the 100 MB is sent.
    let (status, body) = raw(
        &server,
        b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000000\r\n\r\n",
    );
    assert_eq!(status, 413, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert!(
        doc["error"].as_str().unwrap().contains("--max-body"),
        "{doc}"
    );
    // A form that does not parse: axum's own rejection, as JSON.
    let (status, doc) = server.post(
        "/api/check",
        "multipart/form-data; boundary=x",
        b"garbage".to_vec(),
        None,
    );
    assert!(status == 400 || status == 422, "{status}: {doc}");
    assert!(doc["error"].is_string(), "{doc}");
    // A query that does not parse.
    let (status, body) = raw(
        &server,
        b"GET /api/allowlist?at=%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert!(status >= 400, "{status}: {body}");
    let doc: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert!(doc["error"].is_string(), "{doc}");
}

#[cfg(unix)]
#[test]
fn a_60_kib_url_is_logged_cut() {
    let server = Server::start(&[]);
    // 60 KiB: hyper itself answers 414 for a longer URI, before anything is logged.
    let long = format!("/{}", "a".repeat(60 * 1024));
    let (status, _) = raw(
        &server,
        format!("GET {long} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!(status, 404);
    let (_, log) = server.terminate();
    let line = log.lines().find(|l| l.contains("GET /aaa")).unwrap();
    assert!(line.len() < 1000, "{} characters", line.len());
    assert!(line.contains("(61441 characters)"), "{line}");
}

#[test]
fn thumbprint_answers_stay_small_whatever_is_pasted() {
    let server = Server::start(&["--max-body", "16"]);
    let thumb = "7C4656C3061F7F4C0D67B319A855F60EBC11FC44\n";
    // 10 MiB of thumbprint lines: the first 1,000 are looked up, the rest counted.
    let many = thumb.repeat(10 * 1024 * 1024 / thumb.len());
    let lines = many.lines().count();
    let (status, doc) = server.post("/api/thumbprint", "text/plain", many.into_bytes(), None);
    assert_eq!(status, 200);
    assert_eq!(doc["values"].as_array().unwrap().len(), 1000);
    assert_eq!(doc["left_out"], lines - 1000);
    Schemas::load().check("thumbprint", &doc);
    // 10 MiB of invisible marks in one line: one value, read to 512 characters.
    let marks = "\u{200E}".repeat(10 * 1024 * 1024 / 3);
    let (status, doc) = server.post("/api/thumbprint", "text/plain", marks.into_bytes(), None);
    let answer = doc.to_string();
    assert!(answer.len() < 100_000, "{status}: {} bytes", answer.len());
}

#[test]
fn answers_name_the_allowlist_by_its_file_name_not_its_path() {
    let path = fixture("allowlist.yaml");
    let path = path.to_str().unwrap();
    let unlisted = bytes("unlisted.pem");
    for (args, name) in [
        (vec!["--allowlist", path], "allowlist.yaml"),
        (
            vec!["--allowlist", path, "--allowlist-label", "Contoso list"],
            "Contoso list",
        ),
    ] {
        let server = Server::start_with(&args);
        let (status, doc) = server.form(
            "/api/check",
            &[
                ("file", Some("unlisted.pem"), &unlisted),
                ("at", None, b"2011-06-01"),
            ],
        );
        assert_eq!(status, 200);
        assert_eq!(doc["allowlist"]["source"], name);
        let dir = std::path::Path::new(path)
            .parent()
            .unwrap()
            .to_str()
            .unwrap();
        assert!(!doc.to_string().contains(dir), "the server's path in {doc}");
    }
}

/// A client that sends `request` a byte a second, at most `most` bytes (so it stops by
/// itself); returns whether the server closed the connection before it was done.
fn slow_client(address: String, request: &'static [u8], most: usize) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return true;
    };
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(1)));
    let mut buf = [0u8; 512];
    for &byte in request.iter().cycle().take(most) {
        if stream.write_all(&[byte]).is_err() {
            return true;
        }
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // An answer (408, say) is the server giving up on it too.
            Ok(_) => return true,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn clients_that_send_their_headers_a_byte_a_second_are_closed() {
    // 100 of them, each sending for at most 25 s: the server closes every one after
    // its header-read time (10 s), and answers /healthz meanwhile.
    let server = Server::start(&[]);
    let address = server.url.trim_start_matches("http://").to_owned();
    let clients: Vec<_> = (0..100)
        .map(|_| {
            let address = address.clone();
            std::thread::spawn(move || {
                slow_client(address, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", 25)
            })
        })
        .collect();
    // And a keep-alive connection left idle after its answer: closed after the same time.
    let idle = {
        let address = address.clone();
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(25)))
                .unwrap();
            let mut buf = [0u8; 4096];
            let answered = matches!(stream.read(&mut buf), Ok(n) if n > 0);
            let closed = matches!(stream.read(&mut buf), Ok(0));
            answered && closed
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    let (status, _, body) = server.get("/healthz");
    assert_eq!((status, body.as_str()), (200, "ok\n"), "during the attack");
    assert!(
        idle.join().unwrap(),
        "the idle keep-alive connection was closed"
    );
    let closed = clients
        .into_iter()
        .map(|c| c.join().unwrap())
        .filter(|&closed| closed)
        .count();
    assert_eq!(closed, 100, "closed by the server before they were done");
}

/// Raises this process's descriptor limit towards `wanted`, within the hard limit, as
/// the server does for itself; returns how many it may open.
#[cfg(unix)]
fn descriptors(wanted: u64) -> u64 {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let target = wanted.min(limit.maximum.unwrap_or(u64::MAX));
    if limit.current.unwrap_or(u64::MAX) < target {
        let raised = Rlimit {
            current: Some(target),
            maximum: limit.maximum,
        };
        let _ = setrlimit(Resource::Nofile, raised);
    }
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// Not a test: run by [`twenty_thousand_idle_connections_neither_exhaust_descriptors_nor_keep_healthz_out`]
/// in child processes (this test binary again), so that each holds its share of the
/// crowd within its own descriptor limit. Opens `MFGCHECK_HOLD` idle connections to
/// `MFGCHECK_HOLD_AT`, prints how many it opened, and holds them until its stdin
/// closes, or for at most 120 s.
#[cfg(unix)]
#[test]
#[ignore = "a helper process of the idle-crowd test"]
fn hold_idle_connections() {
    use std::io::{Read, Write};
    let address = std::env::var("MFGCHECK_HOLD_AT").unwrap();
    let count: usize = std::env::var("MFGCHECK_HOLD").unwrap().parse().unwrap();
    descriptors(count as u64 + 100);
    let held: Vec<std::net::TcpStream> = (0..count)
        .filter_map(|_| std::net::TcpStream::connect(&address).ok())
        .collect();
    let mut out = std::io::stdout();
    writeln!(out, "held {}", held.len()).unwrap();
    out.flush().unwrap();
    // Until the test closes our stdin (EOF), or the deadline.
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = std::io::stdin().read(&mut [0u8; 1]);
        let _ = done.send(());
    });
    let _ = wait.recv_timeout(std::time::Duration::from_secs(120));
    drop(held);
}

#[cfg(unix)]
#[test]
fn twenty_thousand_idle_connections_neither_exhaust_descriptors_nor_keep_healthz_out() {
    // 20,000 connections that send nothing, held by helper processes (as many as the
    // hard descriptor limit needs): past the first 256 each is shed within a second,
    // past 4,096 at once; /healthz, which sends its request at once, is answered, and
    // the server's descriptors stay under its cap.
    use std::io::BufRead;
    const CROWD: usize = 20_000;
    let hard = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .maximum
        .unwrap_or(u64::MAX);
    let share = usize::try_from(hard.saturating_sub(100))
        .unwrap_or(CROWD)
        .clamp(100, 10_000);
    let server = Server::start(&[]);
    let address = server.url.trim_start_matches("http://").to_owned();
    let mut helpers: Vec<std::process::Child> = (0..CROWD.div_ceil(share))
        .map(|n| {
            let count = share.min(CROWD - n * share);
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "hold_idle_connections",
                    "--ignored",
                    "--nocapture",
                ])
                .args(["--test-threads", "1", "-q"])
                .env("MFGCHECK_HOLD_AT", &address)
                .env("MFGCHECK_HOLD", count.to_string())
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut held = 0;
    // Kept open until the helpers end: a closed pipe would fail their last words.
    let mut outputs = Vec::new();
    for helper in &mut helpers {
        let mut lines = std::io::BufReader::new(helper.stdout.take().unwrap()).lines();
        let line = lines
            .find_map(|l| l.ok().filter(|l| l.starts_with("held ")))
            .unwrap();
        held += line["held ".len()..].parse::<usize>().unwrap();
        outputs.push(lines);
    }
    assert_eq!(held, CROWD, "connections opened");
    for _ in 0..3 {
        let (status, _, body) = server.get("/healthz");
        assert_eq!((status, body.as_str()), (200, "ok\n"));
    }
    #[cfg(target_os = "linux")]
    {
        let open = std::fs::read_dir(format!("/proc/{}/fd", server.child.id()))
            .unwrap()
            .count();
        assert!(open <= 4096 + 64, "the server holds {open} descriptors");
    }
    for (mut helper, rest) in helpers.into_iter().zip(outputs) {
        drop(helper.stdin.take());
        let rest: Vec<String> = rest.map_while(Result::ok).collect();
        assert!(helper.wait().unwrap().success(), "{rest:?}");
    }
}
