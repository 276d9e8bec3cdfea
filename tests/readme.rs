//! The README stays true: its finding-code table, exit codes and example output are
//! checked against the code and the committed fixtures.

use assert_cmd::Command;
use mfgcheck::policy::Code;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn every_finding_code_is_documented_with_its_severity_and_meaning() {
    let readme = readme();
    for code in Code::ALL {
        let row = format!(
            "| `{}` | {} | {} |",
            code.as_str(),
            code.severity(),
            code.summary()
        );
        assert!(readme.contains(&row), "README lacks the row:\n{row}");
    }
    let rows = readme
        .lines()
        .filter(|l| l.starts_with("| `") && (l.contains("| error |") || l.contains("| warning |")))
        .count();
    assert_eq!(
        rows,
        Code::ALL.len(),
        "README documents a code that does not exist"
    );
}

#[test]
fn exit_codes_and_test_command_are_documented() {
    let readme = readme();
    for row in [
        "| 0 | accepted",
        "| 1 | rejected",
        "| 2 | the input, the allowlist or the arguments could not be used",
    ] {
        assert!(readme.contains(row), "{row}");
    }
    assert!(readme.contains("\ncargo test\n"));
    assert!(readme.contains("cargo run --release -- check certs-testdata/"));
}

#[test]
fn text_example_is_the_real_output() {
    let readme = readme();
    let prompt = "$ mfgcheck check certs-testdata/story-bundle.pem --allowlist certs-testdata/allowlist.yaml --at 2010-12-01\n";
    let start = readme.find(prompt).expect("example present") + prompt.len();
    let end = start + readme[start..].find("```").unwrap();
    let out = Command::cargo_bin("mfgcheck")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .args(prompt.trim_start_matches("$ mfgcheck ").split_whitespace())
        .output()
        .unwrap();
    assert_eq!(
        &readme[start..end],
        String::from_utf8(out.stdout).unwrap(),
        "README example differs from the output; paste the new output in"
    );
}

/// The abridged PFX example: its command runs, and every line shown (the `...` lines
/// stand for omitted ones) appears in the real output, in order.
#[test]
fn pfx_example_lines_are_real() {
    let readme = readme();
    let prompt = "$ mfgcheck check certs-testdata/story-cng.pfx";
    let start = readme.find(prompt).expect("PFX example present");
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let (command, shown) = block.split_once("\n    ").unwrap();
    let (rest, shown) = shown.split_once('\n').unwrap();
    let args: Vec<&str> = command
        .trim_start_matches("$ mfgcheck ")
        .trim_end_matches('\\')
        .split_whitespace()
        .chain(rest.split_whitespace())
        .collect();
    let out = Command::cargo_bin("mfgcheck")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let output = String::from_utf8(out.stdout).unwrap();
    let mut lines = output.lines();
    for want in shown.lines().filter(|l| *l != "...") {
        assert!(
            lines.any(|l| l == want),
            "README PFX example line not in the output (in order): {want:?}\n{output}"
        );
    }
}
