//! Every command's JSON, held to the schemas of docs/schema/ (described in docs/json.md).

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

/// Runs mfgcheck in the fixtures directory; returns (exit code, stdout).
fn run(args: &[&str]) -> (i32, String) {
    let out = mfgcheck()
        .current_dir(fixture("."))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The JSON document of a command that is expected to give a verdict (exit 0 or 1).
fn json(args: &[&str]) -> Value {
    json_exiting(args, &[0, 1])
}

/// The JSON document of a command expected to exit with one of `codes`.
fn json_exiting(args: &[&str], codes: &[i32]) -> Value {
    let (code, stdout) = run(args);
    assert!(codes.contains(&code), "{args:?}: exit {code}\n{stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"))
}

const AT: [&str; 6] = [
    "--allowlist",
    "allowlist.yaml",
    "--at",
    "2011-06-01",
    "--format",
    "json",
];
const PASSWORD: [&str; 2] = ["--password-file", "pfx-password.txt"];

#[test]
fn check_documents_match_the_schema() {
    let schemas = Schemas::load();
    let cases: &[&[&str]] = &[
        &["story-bundle.pem"],
        &["story-aes.pfx", PASSWORD[0], PASSWORD[1]],
        &["story-cng.pfx", PASSWORD[0], PASSWORD[1]],
        &["story-nokeys.pfx", PASSWORD[0], PASSWORD[1]],
        &["story-leaf.cer"],
        &["noaki-leaf.pem"],
        &["self-signed.pem"],
        &["impostor-bundle.pem"],
        &["cross-loop.pem"],
        &["mesh-120.pem"],
        &["bad-signature.pem"],
        &["rollover-bundle.pem"],
        &["duplicate.pem"],
    ];
    for case in cases {
        let doc = json(&[&["check"], *case, &AT].concat());
        schemas.check("check", &doc);
    }
    // The built-in list, with its real CAs.
    let doc = json(&["check", "lookalike-godaddy-leaf.pem", "--format", "json"]);
    schemas.check("check", &doc);
}

#[test]
fn inspect_thumbprint_and_allowlist_documents_match_the_schema() {
    let schemas = Schemas::load();
    for case in [
        &["story-aes.pfx", PASSWORD[0], PASSWORD[1]][..],
        &["story-legacy.pfx", PASSWORD[0], PASSWORD[1]],
        &["story-cross.pem", "impostor-bundle.pem"],
        &["story-bundle.pem", "key-only.pfx", PASSWORD[0], PASSWORD[1]],
    ] {
        let doc = json(&[&["inspect", "--format", "json"], case].concat());
        schemas.check("inspect", &doc);
    }
    for case in [
        &[
            "7C 46 56 C3 06 1F 7F 4C 0D 67 B3 19 A8 55 F6 0E BC 11 FC 44",
            "nonsense",
        ][..],
        &[
            "\u{200e}d8f5401db4c4228b4fd8c57cc66fd194021a4b92",
            "--file",
            "story-bundle.pem",
        ],
        &[
            "C8E1B6AF88AFBA467A23660EEA058AB17F50BE11",
            "--file",
            "story-bundle.pem",
        ],
    ] {
        let doc = json(&[&["thumbprint", "--format", "json"], case].concat());
        schemas.check("thumbprint", &doc);
    }
    for case in [
        &["allowlist", "list"][..],
        &["allowlist", "search", "comodo"],
        &["allowlist", "show", "digicert global"],
        &["allowlist", "list", "--allowlist", "allowlist.yaml"],
    ] {
        let doc = json(&[case, &["--format", "json"]].concat());
        schemas.check("allowlist", &doc);
    }
    let good = json(&["allowlist", "lint", "allowlist.yaml", "--format", "json"]);
    assert_eq!(good["ok"], true);
    schemas.check("lint", &good);
    let bad_file = common::temp_file(
        "schema-lint",
        "bad.yaml",
        b"version: 1\nauthorities:\n  - nam: x\n",
    );
    let bad = json_exiting(&["allowlist", "lint", &bad_file, "--format", "json"], &[2]);
    assert_eq!(bad["ok"], false);
    schemas.check("lint", &bad);
}

#[test]
fn scan_triage_lync_and_error_documents_match_the_schema() {
    let schemas = Schemas::load();
    let all = [
        &[
            "scan",
            ".",
            "--allowlist",
            "allowlist.yaml",
            "--at",
            "2011-06-01",
        ][..],
        PASSWORD.as_slice(),
    ]
    .concat();
    // The fixtures hold damaged files on purpose: error records, exit 2.
    let doc = json_exiting(&[all.as_slice(), &["--format", "json"]].concat(), &[2]);
    assert!(doc["files"].as_array().unwrap().len() > 20);
    schemas.check("scan", &doc);
    let (_, lines) = run(&[all.as_slice(), &["--format", "jsonl"]].concat());
    for line in lines.lines() {
        schemas.check("scan-record", &serde_json::from_str(line).unwrap());
    }

    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for entry in std::fs::read_dir(data.join("triage")).unwrap() {
        let path = entry.unwrap().path();
        let doc = json(&["triage", path.to_str().unwrap(), "--format", "json"]);
        schemas.check("triage", &doc);
    }
    let lync = |files: &[&str]| {
        let paths: Vec<String> = files
            .iter()
            .map(|f| data.join("lync").join(f).to_string_lossy().into_owned())
            .collect();
        let mut args = vec!["lync", "--format", "json"];
        args.extend(paths.iter().map(String::as_str));
        json(&args)
    };
    schemas.check("lync", &lync(&["policy-2010.txt", "media-2010.txt"]));
    schemas.check("lync", &lync(&["policy.csv"]));

    for args in [
        &["check", "no-such-file.pem", "--format", "json"][..],
        &["inspect", "garbage.png", "--format", "json"],
        &["allowlist", "show", "nothing like this", "--format", "json"],
    ] {
        let (code, stdout) = run(args);
        assert_eq!(code, 2, "{args:?}");
        schemas.check("error", &serde_json::from_str(&stdout).unwrap());
    }
}

/// `docs/schema/` holds what the document types generate, nothing else: a type changed
/// without regenerating fails here. `MFGCHECK_WRITE_SCHEMAS=1 cargo test --test schemas`
/// rewrites the files; review the diff as a change of the public contract.
#[test]
fn the_committed_schemas_are_the_generated_ones() {
    let dir = common::schema::directory();
    let write = std::env::var_os("MFGCHECK_WRITE_SCHEMAS").is_some();
    let generated = mfgcheck::report::schema::schemas();
    let mut stale = Vec::new();
    for (name, schema) in &generated {
        let text = mfgcheck::report::schema::schema_text(schema);
        let path = dir.join(format!("{name}.json"));
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(*name);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/schema/ differs from the document types for {stale:?}: run MFGCHECK_WRITE_SCHEMAS=1 cargo test --test schemas"
    );
    let mut committed: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let mut expected: Vec<String> = generated.iter().map(|(n, _)| format!("{n}.json")).collect();
    expected.sort();
    assert_eq!(
        committed, expected,
        "a schema in docs/schema/ no type generates"
    );
}

/// The schemas are closed: an empty object, or a real document with a field more or
/// one fewer, is refused; so a field added or dropped in the code is a change a test sees.
#[test]
fn the_schemas_refuse_missing_and_undocumented_fields() {
    let schemas = Schemas::load();
    assert_eq!(schemas.names().len(), 12, "{:?}", schemas.names());
    for name in schemas.names() {
        assert!(
            !schemas.accepts(name, &serde_json::json!({})),
            "{name}: an empty object passed"
        );
    }
    let doc = json(&[&["check", "story-bundle.pem"][..], &AT].concat());
    assert!(schemas.accepts("check", &doc));
    let mut extra = doc.clone();
    extra["chain"][0]["colour"] = "blue".into();
    assert!(
        !schemas.accepts("check", &extra),
        "an undocumented field passed"
    );
    let mut missing = doc.clone();
    missing["leaf"].as_object_mut().unwrap().remove("sha1");
    assert!(
        !schemas.accepts("check", &missing),
        "a missing field passed"
    );
    let mut retyped = doc;
    retyped["verdict"] = "maybe".into();
    assert!(
        !schemas.accepts("check", &retyped),
        "an unknown verdict passed"
    );
}
