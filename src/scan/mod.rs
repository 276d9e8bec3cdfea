//! **Scan**: `check` for whole trees of certificate bundles, in parallel, with
//! results in a stable order (see [`path_order`]) whatever the number of threads.
//!
//! Each file holding certificates is checked as one bundle. CA certificates are
//! parsed once and their signatures verified once for the whole scan ([`Shared`]),
//! so a corpus of bundles sharing a few dozen CAs costs little more than parsing and
//! verifying each leaf. Results are handed out in chunks, in order, so memory stays
//! flat however large the tree.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::load::buffer::Spare;
use crate::load::{LoadError, Problem};
use crate::model::Certificate;
use crate::policy::Allowlist;
use crate::{CheckOptions, Error, Input, Shared, check_bundle, load_bundle_with};

mod filter;
mod issuers;
mod read;
mod record;
mod walk;

pub use filter::{Filter, FilterError};
pub use record::{FileRecord, FileStatus, FindingRecord, LeafRecord, Summary};
pub use walk::{Found, Walk};

use read::{Contents, certificate_named, io_words, read_file};
use record::{error_record, outcome_record, path_text};

/// Files are checked in chunks this large; while the pool checks one chunk, the
/// calling thread hands out the records of the one before, in order. Large enough to
/// keep every core busy, small enough that memory does not grow with the tree.
const CHUNK: usize = 512;

/// Settings of a scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// The check applied to every bundle (`leaf` must be `None`).
    pub check: CheckOptions,
    /// Threads; 0 means one per core.
    pub jobs: usize,
    /// Files larger than this are reported as errors, not read.
    pub max_file_bytes: u64,
    /// `--fetch-missing`: where issuers missing from a path are fetched; `None` never
    /// touches the network.
    pub issuers: Option<std::sync::Arc<dyn crate::IssuerSource>>,
}

/// The order a scan reports in: by directory, and within a directory its files by
/// name before its subdirectories. A directory's files are then contiguous, so its
/// issuer files are known once its last file is read, and a scan holds back the
/// records of one directory at a time, however the tree is laid out.
pub fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    (a.parent(), a.file_name()).cmp(&(b.parent(), b.file_name()))
}

/// Files to check, each with the issuer files of its directory.
type Work<'a> = [(&'a Found, &'a [Certificate])];

thread_local! {
    /// The buffer this thread read its last file into.
    static READ: Spare = const { Spare::new() };
}

/// What reading one file gave.
enum Visit {
    Record(FileRecord),
    NoCertificate,
    /// CA certificates only (a vendor's intermediate or bundle): issuers for the
    /// bundles of its directory, not a bundle to check.
    IssuerFile(Vec<Certificate>),
}

/// The directory a file's issuer files are shared in.
fn directory(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new(""))
}

/// The threads a scan checks on: `jobs` of them (0: one per core); or none for one
/// job, when the calling thread does the work itself. A single worker beside it would
/// only add hand-offs: measured on the scan corpus, 2-3 us more CPU per bundle (4%),
/// from waking and waiting across threads. A pool that cannot be built also leaves the
/// work to the calling thread.
fn thread_pool(jobs: usize) -> Option<rayon::ThreadPool> {
    if jobs == 1 {
        return None;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .ok()
}

/// `f` of each item, in order: in parallel on `pool`, else on the calling thread.
fn map_on<T: Sync, R: Send>(
    pool: Option<&rayon::ThreadPool>,
    items: &[T],
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    match pool {
        Some(pool) => pool.install(|| items.par_iter().map(f).collect()),
        None => items.iter().map(f).collect(),
    }
}

/// Checks every file a walk finds (in [`path_order`], as [`Walk`] gives them) and
/// hands each record to `emit`, in order; `progress` is told how many files are done
/// after each chunk. Returns the counts.
///
/// A file of CA certificates only joins the pool of every bundle of its directory
/// (a vendor's `mail.cer` beside `intermediate.cer`), so a directory's records wait
/// until all of its files are read; a directory with issuer files has its bundles
/// checked again with them. Memory grows with the largest directory, not the tree.
pub fn scan(
    found: impl Iterator<Item = Found>,
    allowlist: &Allowlist,
    options: &ScanOptions,
    shared: &Shared,
    mut emit: impl FnMut(&FileRecord),
    mut progress: impl FnMut(usize),
) -> Summary {
    let pool = thread_pool(options.jobs);
    let run = |work: &Work| -> Vec<Visit> {
        map_on(pool.as_ref(), work, |&(found, local)| match found {
            Found::File(path) => visit(path, allowlist, options, shared, local),
            Found::Unwalkable { path, message } => {
                Visit::Record(error_record(path, message.clone()))
            }
        })
    };
    // A file of CA certificates that issued nothing of its directory, checked as the
    // bundle it is (a server certificate mis-issued with CA:TRUE).
    let as_bundle = |found: &Found, leaf: crate::chain::LeafSelector| -> Visit {
        let mut options = options.clone();
        options.check.leaf = Some(leaf);
        visit_as(found.path(), allowlist, &options, shared, &[], true)
    };
    let check = |taken: &[Taken]| -> Vec<Visit> {
        let work: Vec<(&Found, &[Certificate])> =
            taken.iter().map(|t| (&t.found, &[][..])).collect();
        run(&work)
    };
    let mut feed = Feed {
        found,
        last_dir: None,
        dir: 0,
    };
    let mut order = InOrder::default();
    let mut current = feed.take();
    let mut visits = check(&current);
    let mut next = feed.take();
    let mut done = 0;
    while !current.is_empty() {
        // Directories from the next chunk's first on may have more files to come.
        let open = next.first().map_or(usize::MAX, |t| t.dir);
        let mut next_visits = Vec::new();
        let mut after = Vec::new();
        // The pool checks the next chunk while this thread hands out the records of
        // this one and lists the files of the one after: writing records is serial,
        // and the cores would wait for it.
        let mut settle = || {
            done += current.len();
            order.settle(
                std::mem::take(&mut current),
                std::mem::take(&mut visits),
                open,
                &Again {
                    run: &run,
                    pool: &shared.extras,
                    as_bundle: &as_bundle,
                },
                &mut emit,
            );
            progress(done);
            after = feed.take();
        };
        match &pool {
            Some(pool) if !next.is_empty() => pool.in_place_scope(|s| {
                s.spawn(|_| next_visits = check(&next));
                settle();
            }),
            _ => {
                settle();
                next_visits = check(&next);
            }
        }
        current = next;
        visits = next_visits;
        next = after;
    }
    order.summary
}

/// How the files of a complete directory are checked again: its bundles with its
/// issuer files (`run`), and an issuer file that issued nothing there (nor in the
/// scan's `--chain-dir`, `pool`) as the bundle it is (`as_bundle`).
struct Again<'a> {
    run: &'a dyn Fn(&Work) -> Vec<Visit>,
    pool: &'a [Certificate],
    as_bundle: &'a dyn Fn(&Found, crate::chain::LeafSelector) -> Visit,
}

/// A file taken from a walk, with the number of its directory.
struct Taken {
    found: Found,
    dir: usize,
}

/// A walk's files in chunks, each numbered by its directory: a directory's files come
/// one after another, so a new directory begins where the parent path changes.
struct Feed<I> {
    found: I,
    last_dir: Option<PathBuf>,
    dir: usize,
}

impl<I: Iterator<Item = Found>> Feed<I> {
    /// The next chunk: up to [`CHUNK`] files, none when the walk is over.
    fn take(&mut self) -> Vec<Taken> {
        let mut taken = Vec::with_capacity(CHUNK);
        for found in self.found.by_ref().take(CHUNK) {
            let dir = directory(found.path());
            if self.last_dir.as_deref() != Some(dir) {
                self.dir += 1;
                self.last_dir = Some(dir.to_path_buf());
            }
            taken.push(Taken {
                found,
                dir: self.dir,
            });
        }
        taken
    }
}

/// The hand-out of a scan's records in file order: records wait until their
/// directory is complete, because an issuer file later in it changes their check.
#[derive(Default)]
struct InOrder {
    /// Issuer files of directories not yet complete, by directory number.
    issuers: HashMap<usize, Vec<Certificate>>,
    held: VecDeque<(Taken, Visit)>,
    summary: Summary,
}

impl InOrder {
    /// Takes the visits of a chunk, then hands out, in order, the records of every
    /// directory now complete (numbered below `open`); bundles of a directory with
    /// issuer files are checked again (by `run`) with them first.
    fn settle(
        &mut self,
        taken: Vec<Taken>,
        visits: Vec<Visit>,
        open: usize,
        checks: &Again<'_>,
        emit: &mut dyn FnMut(&FileRecord),
    ) {
        let run = checks.run;
        for (t, v) in taken.into_iter().zip(visits) {
            if let Visit::IssuerFile(certs) = &v {
                self.issuers
                    .entry(t.dir)
                    .or_default()
                    .extend(certs.iter().cloned());
            }
            self.held.push_back((t, v));
        }
        let mut ready: Vec<(Taken, Visit)> = Vec::new();
        while self.held.front().is_some_and(|(t, _)| t.dir < open) {
            ready.extend(self.held.pop_front());
        }
        let mut again: Vec<usize> = Vec::new();
        let mut work: Vec<(&Found, &[Certificate])> = Vec::new();
        for (i, (t, v)) in ready.iter().enumerate() {
            if let (Visit::Record(r), Some(local)) = (v, self.issuers.get(&t.dir))
                && r.leaf.is_some()
            {
                again.push(i);
                work.push((&t.found, local.as_slice()));
            }
        }
        let redone = if work.is_empty() {
            Vec::new()
        } else {
            run(&work)
        };
        for (i, visit) in again.into_iter().zip(redone) {
            if let Some((_, v)) = ready.get_mut(i) {
                *v = visit;
            }
        }
        issuers::judge_unused(&mut ready, checks.pool, checks.as_bundle);
        // The issuers of directories now complete are not needed any more.
        self.issuers.retain(|&dir, _| dir >= open);
        for (t, v) in ready {
            self.summary.files += 1;
            match v {
                Visit::Record(record) => {
                    self.summary.count(&record);
                    emit(&record);
                }
                Visit::NoCertificate => self.summary.no_certificate += 1,
                Visit::IssuerFile(certs) => {
                    let record = FileRecord {
                        path: path_text(t.found.path()),
                        status: FileStatus::IssuerFile(certs.len()),
                        leaf: None,
                        findings: Vec::new(),
                        chain: Vec::new(),
                    };
                    self.summary.count(&record);
                    emit(&record);
                }
            }
        }
    }
}

/// Reads and checks one file; `local` are issuers of its directory.
fn visit(
    path: &Path,
    allowlist: &Allowlist,
    options: &ScanOptions,
    shared: &Shared,
    local: &[Certificate],
) -> Visit {
    visit_as(path, allowlist, options, shared, local, false)
}

/// [`visit`]; `as_bundle` checks a file of CA certificates as a bundle (with the
/// leaf `options` names) instead of taking it as an issuer file.
fn visit_as(
    path: &Path,
    allowlist: &Allowlist,
    options: &ScanOptions,
    shared: &Shared,
    local: &[Certificate],
    as_bundle: bool,
) -> Visit {
    let bytes = match read_file(path, options.max_file_bytes, READ.with(Spare::take)) {
        Contents::Bytes(bytes) => bytes,
        Contents::Skip => return Visit::NoCertificate,
        Contents::Error(message) => return Visit::Record(error_record(path, message)),
    };
    let input = Input {
        name: path_text(path),
        bytes,
    };
    let loaded = load_bundle_with(
        std::slice::from_ref(&input),
        options.check.password.as_ref(),
        shared,
        local,
    );
    let checked = loaded.and_then(|bundle| {
        let own: Vec<&Certificate> = bundle
            .pool
            .own_ids()
            .map(|id| bundle.pool.get(id))
            .collect();
        if !as_bundle && bundle.keys.keys.is_empty() && own.iter().all(|c| c.is_ca_like()) {
            return Ok(Err(own.into_iter().cloned().collect()));
        }
        judge(bundle, &input, local, allowlist, options, shared).map(Ok)
    });
    let Input { name, bytes } = input;
    READ.with(|spare| spare.keep(bytes));
    match checked {
        // The record's path is the name the input was read under.
        Ok(Ok(outcome)) => Visit::Record(outcome_record(name, outcome)),
        Ok(Err(cas)) => Visit::IssuerFile(cas),
        Err(Error::Load(LoadError {
            problem: problem @ (Problem::Empty | Problem::NoCertificate(_)),
            ..
        })) => {
            if certificate_named(path) {
                Visit::Record(error_record(
                    path,
                    format!("named like a certificate file, but {problem}"),
                ))
            } else {
                Visit::NoCertificate
            }
        }
        Err(Error::KeyOnly { .. }) => Visit::NoCertificate,
        Err(e) => Visit::Record(error_record(path, error_words(&name, &e))),
    }
}

/// The check of a loaded bundle; with `--fetch-missing`, issuers missing from the path
/// are fetched, and the bundle is loaded again with them beside `local`.
fn judge(
    bundle: crate::Bundle,
    input: &Input,
    local: &[Certificate],
    allowlist: &Allowlist,
    options: &ScanOptions,
    shared: &Shared,
) -> Result<crate::Outcome, Error> {
    let Some(source) = &options.issuers else {
        return check_bundle(bundle, allowlist, &options.check, shared);
    };
    let reload = |fetched: &[Certificate]| {
        let issuers: Vec<Certificate> = local.iter().chain(fetched).cloned().collect();
        load_bundle_with(
            std::slice::from_ref(input),
            options.check.password.as_ref(),
            shared,
            &issuers,
        )
    };
    crate::check_fetching(
        bundle,
        reload,
        allowlist,
        &options.check,
        shared,
        source.as_ref(),
    )
}

/// An error's message without the input's name in front: the record carries it.
fn error_words(name: &str, e: &Error) -> String {
    let message = e.to_string();
    let prefix = format!("{name}: ");
    message.strip_prefix(&prefix).unwrap_or(&message).to_owned()
}

/// Checks the chain each endpoint presents (a live server's, fetched by `fetch`) as a
/// bundle of its own, in parallel, and hands each record to `emit` in the order of
/// `endpoints`; the record's path is the endpoint as it displays. An endpoint that
/// gives no chain is an error record with `fetch`'s reason, and the scan goes on.
/// This module never connects: `fetch` does, as `read_file` reads for files.
pub fn scan_endpoints<E: std::fmt::Display + Sync>(
    endpoints: &[E],
    fetch: impl Fn(&E) -> Result<Vec<u8>, String> + Sync,
    allowlist: &Allowlist,
    options: &ScanOptions,
    shared: &Shared,
    mut emit: impl FnMut(&FileRecord),
) -> Summary {
    let one = |endpoint: &E| {
        let name = endpoint.to_string();
        let bytes = match fetch(endpoint) {
            Ok(bytes) => bytes,
            Err(message) => return error_record(Path::new(&name), message),
        };
        let input = Input {
            name: name.clone(),
            bytes,
        };
        let checked = load_bundle_with(
            std::slice::from_ref(&input),
            options.check.password.as_ref(),
            shared,
            &[],
        )
        .and_then(|bundle| judge(bundle, &input, &[], allowlist, options, shared));
        match checked {
            Ok(outcome) => outcome_record(name, outcome),
            Err(e) => error_record(Path::new(&name), error_words(&name, &e)),
        }
    };
    let pool = thread_pool(options.jobs);
    let mut summary = Summary::default();
    for chunk in endpoints.chunks(CHUNK) {
        let records: Vec<FileRecord> = map_on(pool.as_ref(), chunk, one);
        for record in &records {
            summary.endpoints += 1;
            summary.count(record);
            emit(record);
        }
    }
    summary
}

/// Loads the CA certificates of a chain directory (every file below it that holds
/// certificates; files without any are ignored), for [`Shared::extras`].
pub fn load_chain_dir(dir: &Path, max_file_bytes: u64) -> Result<Vec<Certificate>, Error> {
    let mut certs = Vec::new();
    let all = Filter::default();
    for found in Walk::new(&[dir.to_path_buf()], &all) {
        let path = match found {
            Found::File(path) => path,
            Found::Unwalkable { path, message } => {
                return Err(Error::Load(LoadError {
                    file: path_text(&path),
                    problem: Problem::NoCertificate(message),
                }));
            }
        };
        let name = path_text(&path);
        let bytes = match read_file(&path, max_file_bytes, Vec::new()) {
            Contents::Bytes(bytes) => bytes,
            Contents::Skip => continue,
            Contents::Error(message) => {
                return Err(Error::Load(LoadError {
                    file: name,
                    problem: Problem::NoCertificate(message),
                }));
            }
        };
        match crate::load::load(&name, &bytes, None) {
            Ok(loaded) => {
                for raw in loaded.certificates {
                    certs.push(Certificate::from_raw(raw)?);
                }
            }
            Err(LoadError {
                problem: Problem::Empty | Problem::NoCertificate(_),
                ..
            }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(certs)
}
