//! The page in headless Chromium, driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`; `.ci/run` installs them): the story bundle gives REJECTED with
//! indirect-issuer, a pasted 403 transcript gives its fix, a PFX asks for its password,
//! the accepted CAs can be searched, a narrow window does not scroll sideways, and the
//! page logs no error. Screenshots go to `target/browser/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use common::server::Server;
use common::{Scratch, fixture};

/// A chromedriver of this test's own; killed when dropped. Its output goes to `log`.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
    /// chromedriver's and Chromium's temporary directory (their TMPDIR): Chromium makes
    /// an `org.chromium.Chromium.*` profile there for every session and leaves it.
    /// Removed after the drop below has killed them.
    _temp: Scratch,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// mfgcheck serve on 127.0.0.1:0 with the test allowlist, and its URL with a slash.
fn serve() -> (Server, String) {
    let server = Server::start(&[]);
    let url = format!("{}/", server.url);
    (server, url)
}

async fn click(c: &Client, id: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn text_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id)).await.unwrap().text().await.unwrap()
}

async fn type_into(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// chromedriver on a free port of 127.0.0.1, once it says it is ready. The port is free
/// when chosen but may be taken before chromedriver binds it (by the other test's server,
/// say); then chromedriver exits, or the port answers as something else, and another port
/// is tried. Only an answer of chromedriver's own counts as started.
fn chromedriver(name: &str) -> Driver {
    let driver = ["/usr/bin/chromedriver", "chromedriver"]
        .into_iter()
        .find(|d| Command::new(d).arg("--version").output().is_ok())
        .expect("chromedriver is not installed: apt-get install chromium chromium-driver (.ci/run does)");
    let log = shots().join(format!("chromedriver-{name}.log"));
    for _ in 0..5 {
        let port = free_port();
        let temp = Scratch::new(&format!("chromium-{name}"));
        let child = Command::new(driver)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .env("TMPDIR", &*temp)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut driver = Driver {
            child,
            port,
            log: log.clone(),
            _temp: temp,
        };
        // At most 200 looks, 100 ms apart.
        for _ in 0..200 {
            if driver.child.try_wait().unwrap().is_some() {
                break;
            }
            if driver_ready(port) {
                return driver;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // Dropped here: killed before the next port is tried.
    }
    panic!("chromedriver did not start; see {}", log.display())
}

/// Whether the WebDriver status of 127.0.0.1:`port` says ready. chromedriver keeps the
/// connection open after its answer, so the answer is read until it says so.
fn driver_ready(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let (mut answer, mut buf) = (Vec::new(), [0; 4096]);
    while answer.len() < 65_536 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
        if String::from_utf8_lossy(&answer).contains("\"ready\":true") {
            return true;
        }
    }
    false
}

async fn browser(driver: &mut Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800"] }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await;
    client.unwrap_or_else(|e| {
        panic!(
            "a Chromium session: {e}; chromedriver {:?}, its log: {}",
            driver.child.try_wait(),
            driver.log.display()
        )
    })
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join(name), png).unwrap();
}

/// Waits for the result's banner and returns its text.
async fn banner(c: &Client) -> String {
    let mut looks = 0;
    loop {
        if let Ok(b) = c.find(Locator::Css("#result .banner")).await {
            return b.text().await.unwrap();
        }
        looks += 1;
        assert!(looks < 200, "no result banner after 200 looks");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn set_value(c: &Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(value)],
    )
    .await
    .unwrap();
}

async fn page_errors(c: &Client) -> serde_json::Value {
    c.execute("return window.mfgcheckErrors || [];", vec![])
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_checks_triages_and_asks_for_a_pfx_password() {
    let (_server, url) = serve();
    let mut driver = chromedriver("page");
    let c = browser(&mut driver).await;

    // The story bundle, judged before the intermediate was listed.
    c.goto(&url).await.unwrap();
    type_into(&c, "files", fixture("story-bundle.pem").to_str().unwrap()).await;
    set_value(&c, "at", "2010-12-01").await;
    click(&c, "submit").await;
    let verdict = banner(&c).await;
    assert!(verdict.contains("REJECTED"), "{verdict}");
    let result = text_of(&c, "result").await;
    assert!(result.contains("indirect-issuer"), "{result}");
    assert!(result.contains("Download JSON"), "{result}");
    // The banner took the focus: a keyboard or screen reader user lands on it.
    let focused = c
        .execute("return document.activeElement.className;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, "banner rejected");
    c.execute(
        "document.querySelector('#result').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "check-rejected.png").await;

    // A pasted 403 transcript: its fix, with a copy button on the command.
    c.goto(&url).await.unwrap();
    let transcript =
        std::fs::read_to_string(common::test_data("triage", "new-federationtrust-403.txt"))
            .unwrap();
    set_value(&c, "text", &transcript).await;
    click(&c, "submit").await;
    let title = banner(&c).await;
    assert!(
        title.contains("New-FederationTrust: HTTP 403 Forbidden"),
        "the banner names what was recognised: {title}"
    );
    let result = text_of(&c, "result").await;
    assert!(
        result.contains("New-FederationTrust -Name \"Microsoft Federation Gateway\""),
        "the fix's command: {result}"
    );
    assert!(
        c.find_all(Locator::Css("#result button.copy"))
            .await
            .unwrap()
            .len()
            >= 2,
        "copy buttons"
    );
    screenshot(&c, "triage-403.png").await;

    // A PFX: the server asks for its password, the page shows the field.
    c.goto(&url).await.unwrap();
    let pfx = fixture("story-legacy.pfx");
    type_into(&c, "files", pfx.to_str().unwrap()).await;
    set_value(&c, "at", "2011-06-01").await;
    let row = c.find(Locator::Id("password-row")).await.unwrap();
    assert!(
        row.is_displayed().await.unwrap(),
        "a .pfx shows the password field"
    );
    click(&c, "submit").await;
    let first = banner(&c).await;
    assert!(first.contains("needs a password"), "{first}");
    let password = std::fs::read_to_string(fixture("pfx-password.txt")).unwrap();
    type_into(&c, "password", password.trim()).await;
    click(&c, "submit").await;
    let mut looks = 0;
    let verdict = loop {
        let text = banner(&c).await;
        if !text.contains("needs a password") {
            break text;
        }
        looks += 1;
        assert!(looks < 200, "still asking for the password: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(verdict.contains("ACCEPTED"), "{verdict}");
    screenshot(&c, "pfx-accepted.png").await;

    assert_eq!(page_errors(&c).await, json!([]), "errors on the page");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accepted_cas_can_be_searched_and_a_narrow_window_does_not_scroll_sideways() {
    let (_server, url) = serve();
    let mut driver = chromedriver("cas");
    let c = browser(&mut driver).await;
    c.goto(&format!("{url}allowlist")).await.unwrap();
    let mut looks = 0;
    while c
        .find_all(Locator::Css("#authorities tr"))
        .await
        .unwrap()
        .len()
        < 2
    {
        looks += 1;
        assert!(looks < 200, "no table after 200 looks");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = c
        .find_all(Locator::Css("#authorities tr"))
        .await
        .unwrap()
        .len();
    type_into(&c, "search", "Global Root").await;
    let rows = c.find_all(Locator::Css("#authorities tr")).await.unwrap();
    assert_eq!(rows.len(), 2, "the header and Test Global Root CA");
    assert!(all > rows.len());
    assert!(
        rows[1]
            .text()
            .await
            .unwrap()
            .contains("Test Global Root CA")
    );
    // A CA that cannot issue today is marked as the CLI's allowlist list marks it, not
    // plainly "accepted".
    set_value(&c, "search", "").await;
    type_into(&c, "search", "Short-Lived").await;
    let rows = c.find_all(Locator::Css("#authorities tr")).await.unwrap();
    assert_eq!(rows.len(), 2, "the header and Test Short-Lived CA");
    let row = rows[1].text().await.unwrap();
    assert!(
        row.contains("✗") && row.contains("it cannot issue"),
        "{row}"
    );

    c.set_window_size(400, 800).await.unwrap();
    c.goto(&url).await.unwrap();
    let fits = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true), "no sideways scrolling at 400 pixels");
    screenshot(&c, "narrow.png").await;
    assert_eq!(page_errors(&c).await, json!([]));
    c.close().await.unwrap();
}
