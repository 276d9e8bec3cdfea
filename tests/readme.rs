//! The README stays true: its finding-code table, exit codes and example output are
//! checked against the code and the committed fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

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
        .filter(|l| {
            l.starts_with("| `")
                && ["| error |", "| warning |", "| info |"]
                    .iter()
                    .any(|s| l.contains(s))
        })
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

/// Every other example in the README (a code block starting with `$ mfgcheck`, maybe
/// continued with `\`): its command runs, and every line shown appears in the real
/// output in order (`...` stands for omitted lines).
#[test]
fn every_readme_example_is_real() {
    let readme = readme();
    let mut seen = 0;
    for block in readme.split("```").skip(1).step_by(2) {
        let block = block
            .trim_start_matches(|c: char| c.is_alphanumeric())
            .trim_start_matches('\n');
        let block = block
            .lines()
            .map(str::trim_start)
            .collect::<Vec<_>>()
            .join("\n");
        let Some(command) = block.strip_prefix("$ mfgcheck ") else {
            continue;
        };
        let command = command.replace("\\\n", " ");
        let (line, shown) = command.split_once('\n').unwrap_or((&command, ""));
        let args = shell_words(line);
        let out = Command::cargo_bin("mfgcheck")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR")
            .env_remove("COLUMNS")
            .args(&args)
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}");
        let output = String::from_utf8(out.stdout).unwrap();
        let output: Vec<&str> = output.lines().map(str::trim_start).collect();
        let mut lines = output.iter();
        for want in shown.lines().filter(|l| *l != "...") {
            assert!(
                lines.any(|l| *l == want),
                "README example line not in the output (in order): {want:?}\n{}",
                output.join("\n")
            );
        }
        seen += 1;
    }
    assert!(seen >= 3, "only {seen} examples found");
}

/// Splits a command line on spaces, keeping double-quoted words together.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}
