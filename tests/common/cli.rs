//! Running the `mfgcheck` binary on fixtures, for the CLI-level tests.

use assert_cmd::Command;
use serde_json::Value;

use super::fixture;

pub fn mfgcheck() -> Command {
    let mut cmd = Command::cargo_bin("mfgcheck").unwrap();
    cmd.current_dir(fixture(""));
    // Wide lines, so that assertions about content do not depend on where 80 columns
    // break a sentence; tests of the layout set COLUMNS themselves.
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("COLUMNS", "200");
    cmd
}

/// Runs mfgcheck with `args`: (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    outcome(mfgcheck().args(args))
}

/// Runs `cmd` (a [`mfgcheck`] with its arguments, directory and environment set):
/// (exit code, stdout, stderr).
pub fn outcome(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `check` with the test allowlist at `at`, returning (exit code, JSON report).
pub fn check_json(files: &[&str], at: &str, extra: &[&str]) -> (i32, Value) {
    let out = mfgcheck()
        .arg("check")
        .args(files)
        .args([
            "--allowlist",
            "allowlist.yaml",
            "--at",
            at,
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{files:?}: exit {code}, stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (code, json)
}

/// The codes of the error and warning findings, sorted: what decides a verdict and
/// `--fail-on warning`. Info findings (chain hygiene) are asserted with [`info_codes`].
pub fn codes(json: &Value) -> Vec<String> {
    codes_of(json, |severity| severity != "info")
}

/// The codes of the info findings, sorted.
pub fn info_codes(json: &Value) -> Vec<String> {
    codes_of(json, |severity| severity == "info")
}

fn codes_of(json: &Value, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut codes: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| keep(f["severity"].as_str().unwrap()))
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

/// Asserts the verdict, the exit code that goes with it, and the exact finding codes.
pub fn expect(files: &[&str], at: &str, verdict: &str, want: &[&str]) -> Value {
    expect_with(files, at, &[], verdict, want)
}

pub fn expect_with(
    files: &[&str],
    at: &str,
    extra: &[&str],
    verdict: &str,
    want: &[&str],
) -> Value {
    let (code, json) = check_json(files, at, extra);
    let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(json["verdict"], verdict, "{files:?} at {at}: {json:#}");
    assert_eq!(code, if verdict == "accepted" { 0 } else { 1 }, "{files:?}");
    assert_eq!(codes(&json), want, "{files:?} at {at}");
    json
}

/// Asserts exit 2, an empty stdout and one stderr line containing each of `want`.
pub fn refused(args: &[&str], stdin: Option<&[u8]>, want: &[&str]) {
    let mut full = vec!["check"];
    full.extend_from_slice(args);
    refused_with(&full, stdin, want);
}

/// [`refused`] for any subcommand: `args` starts with it.
pub fn refused_cmd(args: &[&str], want: &[&str]) {
    refused_with(args, None, want);
}

/// A usage error (clap's): exit 2, nothing on stdout, `want` in stderr.
pub fn usage_error(args: &[&str], want: &[&str]) {
    let out = mfgcheck().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    for w in want {
        assert!(stderr.contains(w), "{args:?}: expected {w:?} in {stderr}");
    }
}

fn refused_with(args: &[&str], stdin: Option<&[u8]>, want: &[&str]) {
    let mut cmd = mfgcheck();
    cmd.args(args);
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes.to_vec());
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.starts_with("mfgcheck: error: "), "{stderr}");
    for w in want {
        assert!(stderr.contains(w), "{args:?}: expected {w:?} in {stderr}");
    }
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

/// The `next_steps` of a check's JSON report, each step's words then its commands, a
/// line each (as the text report shows them).
pub fn steps(json: &Value) -> Vec<String> {
    json["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(step_text)
        .collect()
}

/// A step (`{text, commands}`) as one text: its words, then each command on its line.
pub fn step_text(step: &Value) -> String {
    assert!(step["text"].is_string(), "a step without words: {step}");
    words_then_commands(&step["text"], &step["commands"])
}

/// A finding's fix as one text: its words, then each command on its line.
pub fn fix_text(finding: &Value) -> String {
    words_then_commands(&finding["fix"], &finding["commands"])
}

fn words_then_commands(words: &Value, commands: &Value) -> String {
    let mut text = words.as_str().unwrap_or_default().to_owned();
    for c in commands.as_array().unwrap() {
        text.push('\n');
        text.push_str(c.as_str().unwrap());
    }
    text
}

/// The finding with `code` of a check's JSON report.
pub fn finding<'a>(json: &'a Value, code: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {json:#}"))
}
