//! The documents stay true: the README, `docs/`, `SECURITY.md`, `CONTRIBUTING.md` and
//! `bench/README.md`. Their examples are run against the committed fixtures, the finding
//! codes and schema files they list are the code's, their links lead somewhere, and the
//! README stays short enough to read in a minute.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use mfgcheck::policy::Code;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every document, as a path relative to the repository.
fn documents() -> Vec<String> {
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    for top in [
        "README.md",
        "SECURITY.md",
        "CONTRIBUTING.md",
        "bench/README.md",
    ] {
        docs.push(top.to_owned());
    }
    docs
}

#[test]
fn the_readme_is_short_and_starts_with_the_story() {
    let readme = read("README.md");
    let lines = readme.lines().count();
    assert!(
        lines <= 300,
        "README.md has {lines} lines; the rest belongs in docs/"
    );
    // The install section and the first command come before the tour.
    let install = readme.find("## Install").unwrap();
    let two = readme.find("## The two commands").unwrap();
    assert!(install < two);
    // The first command checks the story bundle and shows the 403 verdict with its fix.
    let first = &readme[two..];
    let block = first.split("```").nth(1).unwrap();
    assert!(
        block.starts_with("\n$ cargo run --release -- check certs-testdata/story-bundle.pem"),
        "{block}"
    );
    for shown in [
        "REJECTED: the MFG will not accept mail.contoso.com (indirect-issuer).",
        "error   indirect-issuer",
        "Fix: Get a federation certificate issued directly by one of the CAs",
    ] {
        assert!(block.contains(shown), "the first example lacks {shown:?}");
    }
    // The second is the test command.
    assert_eq!(first.split("```").nth(3).unwrap(), "\ncargo test\n");
}

#[test]
fn every_finding_code_is_documented_with_its_severity_and_meaning() {
    let verdict = read("docs/verdict.md");
    for code in Code::ALL {
        let row = format!(
            "| `{}` | {} | {} |",
            code.as_str(),
            code.severity(),
            code.summary()
        );
        assert!(
            verdict.contains(&row),
            "docs/verdict.md lacks the row:\n{row}"
        );
    }
    let rows = verdict
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
        "docs/verdict.md documents a code that does not exist"
    );
}

#[test]
fn exit_codes_are_documented() {
    for doc in ["README.md", "docs/verdict.md"] {
        let text = read(doc);
        for row in [
            "| 0 | accepted",
            "| 1 | rejected",
            "| 2 | the input, the allowlist or the arguments could not be used",
        ] {
            assert!(text.contains(row), "{doc} lacks {row}");
        }
    }
}

/// docs/json.md links every schema file in docs/schema/ (that each link leads to a file
/// is `every_link_leads_somewhere`'s).
#[test]
fn every_schema_file_is_listed_in_the_json_document() {
    let json = read("docs/json.md");
    let files = std::fs::read_dir(root().join("docs/schema")).unwrap();
    for file in files.map(|e| e.unwrap().file_name().into_string().unwrap()) {
        assert!(
            json.contains(&format!("](schema/{file})")),
            "docs/json.md does not list docs/schema/{file}"
        );
    }
}

#[test]
fn text_example_is_the_real_output() {
    let doc = read("docs/check.md");
    let prompt = "$ mfgcheck check certs-testdata/story-bundle.pem --allowlist certs-testdata/allowlist.yaml --at 2010-12-01\n";
    let start = doc.find(prompt).expect("example present") + prompt.len();
    let end = start + doc[start..].find("```").unwrap();
    let out = mfgcheck()
        .args(prompt.trim_start_matches("$ mfgcheck ").split_whitespace())
        .output()
        .unwrap();
    assert_eq!(
        &doc[start..end],
        String::from_utf8(out.stdout).unwrap(),
        "docs/check.md's report differs from the output; paste the new output in"
    );
}

fn mfgcheck() -> Command {
    let mut cmd = Command::cargo_bin("mfgcheck").unwrap();
    cmd.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS");
    cmd
}

/// Every example of every document (a code block starting with `$ mfgcheck`, or the
/// README's `$ cargo run --release --`, maybe continued with `\`): its command runs, and
/// every line shown appears in the real output, standard output then standard error, in
/// order (`...` stands for lines left out).
#[test]
fn every_example_is_real() {
    let mut seen = 0;
    for doc in documents() {
        for block in read(&doc).split("```").skip(1).step_by(2) {
            let block = block
                .trim_start_matches(|c: char| c.is_alphanumeric())
                .trim_start_matches('\n');
            let block = block
                .lines()
                .map(str::trim_start)
                .collect::<Vec<_>>()
                .join("\n");
            let Some(command) = block
                .strip_prefix("$ mfgcheck ")
                .or_else(|| block.strip_prefix("$ cargo run --release -- "))
            else {
                continue;
            };
            let command = command.replace("\\\n", " ");
            let (line, shown) = command.split_once('\n').unwrap_or((&command, ""));
            let args = shell_words(line);
            let out = mfgcheck().args(&args).output().unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{doc}: {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let output =
                String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
            let output: Vec<&str> = output.lines().map(str::trim_start).collect();
            let mut lines = output.iter();
            for want in shown.lines().filter(|l| *l != "...") {
                assert!(
                    lines.any(|l| *l == want),
                    "{doc}: example line not in the output (in order): {want:?}\n{}",
                    output.join("\n")
                );
            }
            seen += 1;
        }
    }
    assert!(seen >= 12, "only {seen} examples found");
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

/// Every relative link of every document leads to a file that exists, and a link with a
/// `#heading` to a heading of that document (GitHub's anchors).
#[test]
fn every_link_leads_somewhere() {
    let mut checked = 0;
    for doc in documents() {
        let text = read(&doc);
        let dir = Path::new(&doc).parent().unwrap().to_owned();
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let path = if file.is_empty() {
                PathBuf::from(&doc)
            } else {
                dir.join(file)
            };
            assert!(
                root().join(&path).exists(),
                "{doc}: the link {target:?} leads to no file"
            );
            if !anchor.is_empty() {
                let anchors = anchors(&read(path.to_str().unwrap()));
                assert!(
                    anchors.iter().any(|a| a == anchor),
                    "{doc}: the link {target:?} names no heading of {}; it has {anchors:?}",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} links found");
}

/// The targets of the Markdown links `[words](target)` outside code blocks.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in text.split("```").enumerate() {
        if i % 2 == 1 {
            continue;
        }
        let mut rest = part;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    out
}

/// The anchors GitHub gives a document's headings: lower case, spaces to hyphens,
/// punctuation other than hyphens and underscores dropped.
fn anchors(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in text.split("```").enumerate() {
        if i % 2 == 1 {
            continue;
        }
        for line in part.lines() {
            let Some(heading) = line.strip_prefix('#') else {
                continue;
            };
            let heading = heading.trim_start_matches('#').trim();
            let anchor: String = heading
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect();
            out.push(anchor);
        }
    }
    out
}

/// The README's install section offers an archive for every target the release builds
/// (dist-workspace.toml), and its installers come from the repository Cargo.toml names.
#[test]
fn the_install_section_names_what_the_release_builds() {
    let readme = read("README.md");
    let dist = read("dist-workspace.toml");
    let targets = dist
        .lines()
        .find_map(|l| l.strip_prefix("targets = "))
        .expect("dist-workspace.toml lists its targets");
    let targets: Vec<&str> = targets
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|t| t.trim().trim_matches('"'))
        .collect();
    assert!(targets.len() >= 5, "{targets:?}");
    for target in targets {
        let ext = if target.contains("windows") {
            "zip"
        } else {
            "tar.xz"
        };
        let archive = format!("`mfgcheck-{target}.{ext}`");
        assert!(readme.contains(&archive), "README.md lacks {archive}");
    }
    let manifest = read("Cargo.toml");
    let repository = manifest
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .unwrap()
        .trim_matches('"');
    for installer in ["mfgcheck-installer.ps1", "mfgcheck-installer.sh"] {
        let url = format!("{repository}/releases/latest/download/{installer}");
        assert!(readme.contains(&url), "README.md lacks {url}");
    }
}
