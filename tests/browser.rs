//! The page in headless Chromium, driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`; `.ci/run` installs them): the story bundle gives REJECTED with
//! indirect-issuer, a pasted 403 transcript gives its fix, a PFX asks for its password,
//! the accepted CAs can be searched, a narrow window does not scroll sideways, and the
//! page logs no error; at 400 pixels every kind of result fits the width; axe-core
//! (installed by `.ci/run` into `target/axe`) finds no serious or critical violation in
//! any state visited. Screenshots of every state go to `target/browser/`. Without
//! chromedriver each test says it was skipped and passes, unless `CI` is set.

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

/// Says on the terminal that `what` was skipped. Written to stderr itself, not through
/// `eprintln!`, which the test harness captures and shows only when a test fails: a
/// skip must be seen even when every test passes.
fn skipped(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {what}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What a browser test holds until it ends: mfgcheck serve and a chromedriver of its own
/// (both stopped when dropped).
struct Guards {
    _server: Server,
    _driver: Driver,
}

/// What every browser test starts with: a Chromium session, the URL (with a slash) of
/// mfgcheck serve on 127.0.0.1:0 with the test allowlist, and axe-core's script (when
/// installed); `None` where chromedriver is not installed (the test is then skipped and
/// says so; see [`chromedriver`]).
async fn session(name: &str) -> Option<(Client, String, Option<String>, Guards)> {
    let mut driver = chromedriver(name)?;
    let axe = axe_source();
    let server = Server::start(&[]);
    let url = format!("{}/", server.url);
    let c = browser(&mut driver).await;
    let guards = Guards {
        _server: server,
        _driver: driver,
    };
    Some((c, url, axe, guards))
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
///
/// `None` where chromedriver is not installed: the test is skipped and says so, so that
/// `cargo test` passes on a machine with only Rust and a C compiler; unless `CI` is set,
/// where a missing browser is a failure.
fn chromedriver(name: &str) -> Option<Driver> {
    // GitHub's runners name the directory of theirs in CHROMEWEBDRIVER.
    let runner = std::env::var_os("CHROMEWEBDRIVER")
        .map(|dir| PathBuf::from(dir).join("chromedriver"))
        .into_iter();
    let Some(driver) = runner
        .chain(["/usr/bin/chromedriver", "chromedriver"].map(PathBuf::from))
        .find(|d| Command::new(d).arg("--version").output().is_ok())
    else {
        let install = "apt-get install chromium chromium-driver (.ci/run does)";
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is not installed: {install}"
        );
        skipped(&format!(
            "the browser test {name} (chromedriver is not installed: {install})"
        ));
        return None;
    };
    let log = shots().join(format!("chromedriver-{name}.log"));
    for _ in 0..5 {
        let port = free_port();
        let temp = Scratch::new(&format!("chromium-{name}"));
        let child = Command::new(&driver)
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
                return Some(driver);
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

/// Opens the Accepted CAs page and waits for its table (at most 200 looks).
async fn open_accepted_cas(c: &Client, url: &str) {
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
}

async fn set_value(c: &Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(value)],
    )
    .await
    .unwrap();
}

/// axe-core's script (`.ci/run` installs it with npm into `target/axe`), or `None`
/// where it is not installed: then the accessibility check is skipped and says so,
/// unless `CI` is set, where a missing axe-core is a failure.
fn axe_source() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "axe-core is not installed ({}: {e}): npm install --prefix target/axe axe-core@4 (.ci/run does)",
                path.display()
            );
            skipped(
                "the accessibility check (axe-core is not installed: npm install --prefix target/axe axe-core@4)",
            );
            None
        }
    }
}

/// axe-core's violations of impact serious or critical on the page as it is, as
/// "rule: target" lines (none expected).
async fn axe_violations(c: &Client, source: &str) -> Vec<String> {
    // WebDriver scripts are not the page's: its Content-Security-Policy does not apply.
    c.execute(&format!("{source}\nreturn true;"), vec![])
        .await
        .unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(
               (r) => done(r.violations
                 .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .flatMap((v) => v.nodes.map((n) => v.id + ': ' + n.target.join(' ')))),
               (e) => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// One state of the page looked at: a screenshot in `target/browser/NAME.png`, its
/// width (no sideways scrolling), and axe-core's serious or critical violations.
/// Returns the page's width in CSS pixels.
async fn look(c: &Client, name: &str, axe: Option<&str>) -> u64 {
    screenshot(c, &format!("{name}.png")).await;
    let width = c
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    let inner = c
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(
        width <= inner,
        "{name}: {width} px wide in a window of {inner}"
    );
    if let Some(source) = axe {
        let violations = axe_violations(c, source).await;
        assert!(violations.is_empty(), "{name}: axe-core: {violations:#?}");
        eprintln!("{name}: {width} px wide, axe-core: 0 serious or critical violations");
    }
    width
}

/// The commands the result shows with a copy button, each checked to be a command
/// alone (no sentence around it: a full stop at its end, an opening " (" of words, or
/// brackets that do not pair) and not an mfgcheck command (the page offers an action).
async fn commands_shown(c: &Client) -> Vec<String> {
    let copied: Vec<String> = serde_json::from_value(
        c.execute(
            "return [...document.querySelectorAll('#result .command code')].map((e) => e.textContent);",
            vec![],
        )
        .await
        .unwrap(),
    )
    .unwrap();
    for command in &copied {
        // The page does what an mfgcheck command would; it never asks to run one.
        assert!(
            !command.starts_with("mfgcheck "),
            "an mfgcheck command on the page: {command:?}"
        );
        assert!(
            !command.ends_with('.')
                && !command.contains(" (")
                && command.matches('(').count() == command.matches(')').count(),
            "a command with words around it: {command:?}"
        );
    }
    copied
}

/// The contrast against the white page of every focus ring the style sheet draws
/// (`:focus-visible` rules' outline colours), by the WCAG formula.
async fn focus_ring_contrasts(c: &Client) -> Vec<f64> {
    let found = c
        .execute(
            "const lum = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
             return [...document.styleSheets].flatMap((s) => [...s.cssRules])
               .filter((r) => r.selectorText && r.selectorText.includes(':focus-visible'))
               .map((r) => {
                 const [red, green, blue] = r.style.outlineColor.match(/\\d+/g).map(Number);
                 const l = 0.2126 * lum(red) + 0.7152 * lum(green) + 0.0722 * lum(blue);
                 return 1.05 / (l + 0.05);
               });",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

async fn page_errors(c: &Client) -> serde_json::Value {
    c.execute("return window.mfgcheckErrors || [];", vec![])
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_checks_and_triages() {
    let Some((c, url, axe, _guards)) = session("page").await else {
        return;
    };
    c.set_window_size(1280, 900).await.unwrap();

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
    // The verdict is in view without scrolling by hand.
    let in_view = c
        .execute(
            "const r = document.querySelector('#result .banner').getBoundingClientRect();
             return r.top >= 0 && r.bottom <= window.innerHeight;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(in_view, json!(true), "the verdict is in view at 1280x900");
    let commands = commands_shown(&c).await;
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("New-ExchangeCertificate")),
        "{commands:?}"
    );
    look(&c, "check-rejected", axe.as_deref()).await;

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
    // A copy button for each command to run on the server; the fix's mfgcheck
    // command (the list of accepted CAs) is a link to the page that shows it.
    let buttons = c
        .find_all(Locator::Css("#result button.copy"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        buttons,
        commands_shown(&c).await.len(),
        "a copy button per command"
    );
    assert!(buttons >= 1, "copy buttons");
    assert!(result.contains("See the accepted CAs"), "{result}");
    // Each copy button copies one command, whole: never words around it.
    let copied = commands_shown(&c).await;
    assert!(
        copied.contains(&"New-FederationTrust -Name \"Microsoft Federation Gateway\" -Thumbprint <new thumbprint>".to_owned()),
        "{copied:?}"
    );
    // The CLI's next command is an action on this page.
    assert!(
        result.contains("Choose the certificate files"),
        "the next step on the page: {result}"
    );
    look(&c, "triage-403", axe.as_deref()).await;

    assert_eq!(page_errors(&c).await, json!([]), "errors on the page");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pfx_asks_for_its_password_on_the_page() {
    let Some((c, url, axe, _guards)) = session("pfx").await else {
        return;
    };
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
    look(&c, "pfx-needs-password", axe.as_deref()).await;
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
    look(&c, "pfx-accepted", axe.as_deref()).await;

    assert_eq!(page_errors(&c).await, json!([]), "errors on the page");
    c.close().await.unwrap();
}

/// Two certificates that could each be the one to check: the page offers both, where
/// the CLI says "choose one with --leaf", and checks the one clicked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_candidate_leaves_are_offered_as_a_choice() {
    let Some((c, url, axe, _guards)) = session("choice").await else {
        return;
    };
    c.set_window_size(400, 900).await.unwrap();
    c.goto(&url).await.unwrap();
    type_into(&c, "files", fixture("two-leaves.pem").to_str().unwrap()).await;
    click(&c, "submit").await;
    let question = banner(&c).await;
    assert!(
        question.contains("Which certificate should be checked?") && !question.contains("--leaf"),
        "{question}"
    );
    let choices = c
        .find_all(Locator::Css("#result .candidates button"))
        .await
        .unwrap();
    assert_eq!(choices.len(), 2);
    let chosen = c
        .find(Locator::Css("#result .candidates li .mono"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    look(&c, "narrow-choose-leaf", axe.as_deref()).await;
    choices[0].click().await.unwrap();
    let mut looks = 0;
    let verdict = loop {
        let text = banner(&c).await;
        if !text.contains("Which certificate") {
            break text;
        }
        looks += 1;
        assert!(looks < 200, "still asking: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        verdict.contains("ACCEPTED")
            || verdict.contains("REJECTED")
            || verdict.contains("UNDETERMINED"),
        "{verdict}"
    );
    let result = text_of(&c, "result").await;
    let sha1 = chosen.trim_start_matches("SHA-1 ");
    assert!(
        result.contains(sha1),
        "the one chosen was checked: {sha1}\n{result}"
    );
    look(&c, "narrow-chosen-leaf", axe.as_deref()).await;
    assert_eq!(page_errors(&c).await, json!([]), "errors on the page");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accepted_cas_can_be_searched_and_a_narrow_window_does_not_scroll_sideways() {
    let Some((c, url, axe, _guards)) = session("cas").await else {
        return;
    };
    open_accepted_cas(&c, &url).await;
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
    // A thumbprint typed as Windows shows it, with spaces, finds its CA; nothing found
    // says so.
    set_value(&c, "search", "").await;
    type_into(
        &c,
        "search",
        "9f 11 c5 f4 4a 8a f2 87 db f6 03 c2 4f 47 62 e3 03 16 0c a3",
    )
    .await;
    let rows = c.find_all(Locator::Css("#authorities tr")).await.unwrap();
    assert_eq!(rows.len(), 2, "the header and Test Global Root CA");
    look(&c, "cas-by-thumbprint", axe.as_deref()).await;
    set_value(&c, "search", "").await;
    type_into(&c, "search", "no such authority").await;
    assert!(text_of(&c, "authorities").await.contains("No match"));
    look(&c, "cas-no-match", axe.as_deref()).await;

    // The focus ring stands out from the page: at least 3:1 (WCAG 1.4.11).
    let contrasts = focus_ring_contrasts(&c).await;
    assert!(!contrasts.is_empty(), "no focus ring in the style sheet");
    for contrast in &contrasts {
        assert!(*contrast >= 3.0, "a focus ring of contrast {contrast:.2}:1");
    }

    c.set_window_size(400, 800).await.unwrap();
    c.goto(&url).await.unwrap();
    // No sideways scrolling at 400 pixels (`look` fails on it).
    look(&c, "narrow", axe.as_deref()).await;
    assert_eq!(page_errors(&c).await, json!([]));
    c.close().await.unwrap();
}

/// At 400 pixels, every kind of result fits the width (long thumbprints, names and
/// commands wrap) and passes axe-core; the thumbprint and Lync results speak in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_result_fits_400_pixels_and_passes_axe_core() {
    let Some((c, url, axe, _guards)) = session("narrow-results").await else {
        return;
    };
    c.set_window_size(400, 900).await.unwrap();
    c.goto(&url).await.unwrap();
    look(&c, "narrow-form", axe.as_deref()).await;

    type_into(&c, "files", fixture("story-bundle.pem").to_str().unwrap()).await;
    set_value(&c, "at", "2010-12-01").await;
    click(&c, "submit").await;
    let verdict = banner(&c).await;
    assert!(
        verdict.contains("REJECTED") && verdict.contains("(indirect-issuer)"),
        "the banner names the deciding finding and its code: {verdict}"
    );
    let result = text_of(&c, "result").await;
    assert!(
        result.contains("valid 2010-06-01 to 2012-06-01"),
        "dates: {result}"
    );
    look(&c, "narrow-check-rejected", axe.as_deref()).await;

    c.goto(&url).await.unwrap();
    type_into(&c, "files", fixture("story-cng.pfx").to_str().unwrap()).await;
    let password = std::fs::read_to_string(fixture("pfx-password.txt")).unwrap();
    type_into(&c, "password", password.trim()).await;
    set_value(&c, "at", "2011-06-01").await;
    click(&c, "submit").await;
    banner(&c).await;
    let result = text_of(&c, "result").await;
    assert!(
        result.contains("Holds the private key")
            && result.contains("Microsoft Software Key Storage Provider")
            && result.contains("CNG"),
        "the PFX's key and provider: {result}"
    );
    assert!(result.contains("Encryption of story-cng.pfx"), "{result}");
    look(&c, "narrow-pfx-cng", axe.as_deref()).await;

    c.goto(&url).await.unwrap();
    set_value(&c, "text", "0123456789abcdef0123456789abcdef01234567").await;
    click(&c, "submit").await;
    let words = banner(&c).await;
    assert!(
        words.contains("matches no listed CA") && !words.contains('✓'),
        "a value that matches nothing gets no ✓: {words}"
    );
    look(&c, "narrow-thumbprint", axe.as_deref()).await;

    c.goto(&url).await.unwrap();
    let media = std::fs::read_to_string(common::test_data("lync", "media-2010.txt")).unwrap();
    set_value(&c, "text", &media).await;
    click(&c, "submit").await;
    let words = banner(&c).await;
    assert!(
        !words.contains("changes-needed") && !words.contains("incomplete"),
        "words, not the raw verdict: {words}"
    );
    look(&c, "narrow-lync", axe.as_deref()).await;

    c.goto(&url).await.unwrap();
    let transcript =
        std::fs::read_to_string(common::test_data("triage", "new-federationtrust-403.txt"))
            .unwrap();
    set_value(&c, "text", &transcript).await;
    click(&c, "submit").await;
    banner(&c).await;
    commands_shown(&c).await;
    look(&c, "narrow-triage-403", axe.as_deref()).await;

    // A file that cannot be read: the error banner takes the focus, as a verdict does.
    c.goto(&url).await.unwrap();
    type_into(&c, "files", fixture("garbage.png").to_str().unwrap()).await;
    click(&c, "submit").await;
    let error = banner(&c).await;
    assert!(error.contains("garbage.png"), "{error}");
    let focused = c
        .execute("return document.activeElement.className;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, "banner error");
    look(&c, "narrow-error", axe.as_deref()).await;

    open_accepted_cas(&c, &url).await;
    look(&c, "narrow-allowlist", axe.as_deref()).await;
    assert_eq!(page_errors(&c).await, json!([]), "errors on the page");
    c.close().await.unwrap();
}
