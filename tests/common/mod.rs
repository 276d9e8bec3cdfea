//! Helpers shared by the integration tests: fixture paths, pools and a fixed clock.
#![allow(dead_code)]

pub mod cli;
pub mod schema;
pub mod server;

use std::path::{Path, PathBuf};

use mfgcheck::chain::{CertId, Pool};
use mfgcheck::model::Certificate;
use mfgcheck::policy::Allowlist;
use mfgcheck::{Input, load_pool};
use time::OffsetDateTime;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("certs-testdata")
        .join(name)
}

/// A text input of `tests/data/DIR/`, as a path string for the command line.
pub fn test_data(dir: &str, name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A directory of one test's own under the temp directory, removed with everything in it
/// when dropped: a test run leaves nothing behind (the files of the limits test alone are
/// 16 MB). Hold it for as long as its paths are used.
pub struct Scratch {
    _dir: tempfile::TempDir,
    /// The directory the test works in: the temporary one, or one inside it.
    root: PathBuf,
}

impl Scratch {
    /// A fresh, empty directory; `name` shows in its name, for whoever looks while the
    /// test runs.
    pub fn new(name: &str) -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix(&format!("mfgcheck-{name}-"))
            .tempdir()
            .unwrap_or_else(|e| panic!("a temporary directory for {name}: {e}"));
        let root = dir.path().to_path_buf();
        Scratch { _dir: dir, root }
    }

    /// [`Scratch::new`] working in a directory inside it, not yet made, with room beside
    /// it (`join("../…")`) for files a scan of it must not find by itself.
    pub fn with_room(name: &str) -> Scratch {
        let mut scratch = Scratch::new(name);
        scratch.root.push("tree");
        scratch
    }

    /// `bytes` written to `name` inside; its path as a string for the command line.
    pub fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path.to_string_lossy().into_owned()
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.root
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.root
    }
}

/// A fresh directory for one test with `fixtures` copied in as (path inside, fixture
/// name).
pub fn temp_tree(name: &str, fixtures: &[(&str, &str)]) -> Scratch {
    let root = Scratch::new(name);
    for (to, from) in fixtures {
        let to = root.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixture(from), &to).unwrap_or_else(|e| panic!("{from}: {e}"));
    }
    root
}

/// A file with `bytes` in a directory of its own, kept as long as the returned value.
pub struct ScratchFile {
    _dir: Scratch,
    pub path: String,
}

impl std::ops::Deref for ScratchFile {
    type Target = str;
    fn deref(&self) -> &str {
        &self.path
    }
}

/// A file with `bytes`, named `name`, in a fresh directory (`dir` shows in its name).
pub fn temp_file(dir: &str, name: &str, bytes: &[u8]) -> ScratchFile {
    let scratch = Scratch::new(dir);
    let path = scratch.file(name, bytes);
    ScratchFile {
        _dir: scratch,
        path,
    }
}

/// An allowlist that names the test global root but gives no key for it.
pub const ALLOWLIST_WITHOUT_KEY: &str = "version: 1\nauthorities:\n  - name: Test Global Root CA\n    subject: CN=Test Global Root CA, OU=www.test.example, O=Test Inc, C=US\n    status: accepted\n";

pub fn input(name: &str) -> Input {
    let bytes = std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Input {
        name: name.to_owned(),
        bytes,
    }
}

pub fn pool(names: &[&str]) -> Pool {
    let inputs: Vec<Input> = names.iter().map(|n| input(n)).collect();
    load_pool(&inputs).unwrap_or_else(|e| panic!("{names:?}: {e}"))
}

/// The test allowlist written by certs-testdata/generate.sh.
pub fn test_allowlist() -> Allowlist {
    let text = std::fs::read_to_string(fixture("allowlist.yaml")).unwrap();
    Allowlist::parse(&text, "allowlist.yaml").unwrap()
}

pub fn at(date: &str) -> OffsetDateTime {
    mfgcheck::model::date::parse_day(date)
        .unwrap()
        .midnight()
        .assume_utc()
}

/// The certificate of `pool` whose common name is `cn`.
pub fn by_cn<'a>(pool: &'a Pool, cn: &str) -> (CertId, &'a Certificate) {
    pool.iter()
        .find(|(_, c)| c.subject().first("2.5.4.3") == Some(cn))
        .unwrap_or_else(|| panic!("no certificate with CN={cn}"))
}
