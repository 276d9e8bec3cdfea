//! The files of a scan, in scan order ([`path_order`]), each directory listed only
//! when the scan reaches it. Nothing holds the whole tree: a walk keeps the files of
//! the directory it is in and, for each directory above, the subdirectories still to
//! enter, so a scan's memory does not grow with the number of files (measured: the
//! same peak for 10,000 and 50,000 bundles).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs;
use std::path::{Path, PathBuf};

use super::{Filter, io_words, path_order};

/// One thing a walk finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A file to check.
    File(PathBuf),
    /// A path that cannot be walked (a missing root, a directory that cannot be
    /// listed): a file in error, in its place in the order.
    Unwalkable { path: PathBuf, message: String },
}

impl Found {
    pub fn path(&self) -> &Path {
        match self {
            Self::File(path) | Self::Unwalkable { path, .. } => path,
        }
    }
}

/// The files below several paths, merged in scan order with paths found twice (a
/// directory given beside one of its own subdirectories) taken once. Symbolic links
/// are followed only when they lead to a file inside the tree being walked; linked
/// directories are not entered. Files given by name are always taken; the filter
/// applies to what a walk finds.
pub struct Walk<'a> {
    roots: Vec<Root<'a>>,
    /// The next path of each root that has one, the first in scan order on top: a
    /// shell's `scan *.pem` gives thousands of roots, each file one.
    heads: BinaryHeap<Head>,
    last: Option<PathBuf>,
}

/// A root's next path, ordered so that the heap's top comes first in scan order.
struct Head {
    found: Found,
    root: usize,
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        path_order(other.found.path(), self.found.path()).then(other.root.cmp(&self.root))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

impl<'a> Walk<'a> {
    pub fn new(paths: &[PathBuf], filter: &'a Filter) -> Self {
        let mut roots: Vec<Root<'a>> = paths.iter().map(|path| Root::new(path, filter)).collect();
        let heads = roots
            .iter_mut()
            .enumerate()
            .filter_map(|(root, r)| {
                Some(Head {
                    found: r.next()?,
                    root,
                })
            })
            .collect();
        Self {
            roots,
            heads,
            last: None,
        }
    }
}

impl Iterator for Walk<'_> {
    type Item = Found;

    fn next(&mut self) -> Option<Found> {
        loop {
            let Head { found, root } = self.heads.pop()?;
            if let Some(next) = self.roots.get_mut(root).and_then(Iterator::next) {
                self.heads.push(Head { found: next, root });
            }
            // One root cannot yield a path twice: only several need the last one kept.
            if self.roots.len() > 1 {
                if self.last.as_deref() == Some(found.path()) {
                    continue;
                }
                self.last = Some(found.path().to_path_buf());
            }
            return Some(found);
        }
    }
}

/// What one path given to a scan yields.
enum Root<'a> {
    /// A file given by name, or a path that cannot be read: one item.
    One(Option<Found>),
    Tree(Tree<'a>),
}

impl<'a> Root<'a> {
    fn new(path: &Path, filter: &'a Filter) -> Self {
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => Self::Tree(Tree::new(path, filter)),
            Ok(_) => Self::One(Some(Found::File(path.to_path_buf()))),
            Err(e) => Self::One(Some(Found::Unwalkable {
                path: path.to_path_buf(),
                message: io_words(&e),
            })),
        }
    }
}

impl Iterator for Root<'_> {
    type Item = Found;

    fn next(&mut self) -> Option<Found> {
        match self {
            Self::One(found) => found.take(),
            Self::Tree(tree) => tree.next(),
        }
    }
}

/// One directory tree, depth first: a directory's files in name order, then its
/// subdirectories in name order, each listed when reached (walkdir, each directory's
/// entries sorted files first): the order of [`path_order`]. walkdir keeps its levels
/// on a stack of its own, so any depth of nesting is walked.
struct Tree<'a> {
    root: PathBuf,
    canonical: PathBuf,
    filter: &'a Filter,
    entries: walkdir::IntoIter,
}

impl<'a> Tree<'a> {
    fn new(root: &Path, filter: &'a Filter) -> Self {
        let entries = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by(|a, b| {
                let (a_dir, b_dir) = (a.file_type().is_dir(), b.file_type().is_dir());
                a_dir
                    .cmp(&b_dir)
                    .then_with(|| a.file_name().cmp(b.file_name()))
            })
            .into_iter();
        Self {
            root: root.to_path_buf(),
            canonical: fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            filter,
            entries,
        }
    }

    /// Whether a link leads to a file inside this tree.
    fn inside(&self, link: &Path) -> bool {
        fs::canonicalize(link).is_ok_and(|t| t.starts_with(&self.canonical) && t.is_file())
    }

    fn wanted(&self, file: &Path) -> bool {
        self.filter.takes_all()
            || file
                .strip_prefix(&self.root)
                .is_ok_and(|relative| self.filter.wants(relative))
    }
}

impl Iterator for Tree<'_> {
    type Item = Found;

    fn next(&mut self) -> Option<Found> {
        loop {
            let entry = match self.entries.next()? {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e
                        .path()
                        .map_or_else(|| self.root.clone(), Path::to_path_buf);
                    let why = e.io_error().map_or_else(|| e.to_string(), io_words);
                    return Some(Found::Unwalkable {
                        path,
                        message: format!("cannot list the directory: {why}"),
                    });
                }
            };
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            let path = entry.into_path();
            if (kind.is_file() || (kind.is_symlink() && self.inside(&path))) && self.wanted(&path) {
                return Some(Found::File(path));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("mfgcheck-walk-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for dir in ["a/b", "a/c", "d"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in [
            "z.pem",
            "a/y.pem",
            "a/b/x.pem",
            "a/c/w.pem",
            "a/c/v.pem",
            "d/u.pem",
        ] {
            fs::write(root.join(file), b"").unwrap();
        }
        root
    }

    fn relative(found: &[Found], root: &Path) -> Vec<String> {
        found
            .iter()
            .map(|f| {
                let path = f.path().strip_prefix(root).unwrap_or(f.path());
                path.to_string_lossy().replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn files_come_in_scan_order_and_overlapping_roots_once() {
        let root = tree("order");
        let all = Filter::default();
        let found: Vec<Found> = Walk::new(std::slice::from_ref(&root), &all).collect();
        let expected = [
            "z.pem",
            "a/y.pem",
            "a/b/x.pem",
            "a/c/v.pem",
            "a/c/w.pem",
            "d/u.pem",
        ];
        assert_eq!(relative(&found, &root), expected);
        assert!(found.is_sorted_by(|a, b| path_order(a.path(), b.path()).is_le()));
        // A subdirectory and a file given beside their tree: each file once.
        let paths = [root.join("a/c"), root.clone(), root.join("z.pem")];
        let merged: Vec<Found> = Walk::new(&paths, &all).collect();
        assert_eq!(relative(&merged, &root), expected);
        // Files given by name, in any order: in scan order, each once.
        let mut named: Vec<PathBuf> = expected.iter().rev().map(|f| root.join(f)).collect();
        named.push(root.join("a/y.pem"));
        let sorted: Vec<Found> = Walk::new(&named, &all).collect();
        assert_eq!(relative(&sorted, &root), expected);
        // A missing root is an error in its place.
        let missing = root.join("a/bb");
        let with_missing: Vec<Found> = Walk::new(&[root.clone(), missing], &all).collect();
        assert_eq!(
            relative(&with_missing, &root),
            [
                "z.pem",
                "a/bb",
                "a/y.pem",
                "a/b/x.pem",
                "a/c/v.pem",
                "a/c/w.pem",
                "d/u.pem"
            ]
        );
        assert!(
            matches!(&with_missing[1], Found::Unwalkable { message, .. } if message == "no such file")
        );
        let only_c = Filter::new(&["a/c/*".to_owned()], &[]).unwrap();
        let filtered: Vec<Found> = Walk::new(std::slice::from_ref(&root), &only_c).collect();
        assert_eq!(relative(&filtered, &root), ["a/c/v.pem", "a/c/w.pem"]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn directories_are_listed_when_reached() {
        let root = tree("lazy");
        let all = Filter::default();
        let mut walk = Walk::new(std::slice::from_ref(&root), &all);
        let first = walk.next().unwrap();
        assert_eq!(first.path(), root.join("z.pem"));
        // Nothing below the root is listed yet: a file added now is found.
        fs::write(root.join("d/t.pem"), b"").unwrap();
        let rest: Vec<Found> = walk.collect();
        assert_eq!(
            relative(&rest, &root),
            [
                "a/y.pem",
                "a/b/x.pem",
                "a/c/v.pem",
                "a/c/w.pem",
                "d/t.pem",
                "d/u.pem"
            ]
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
