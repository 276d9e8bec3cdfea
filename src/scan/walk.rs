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
/// subdirectories in name order, each listed when reached. The levels are a stack of
/// their own, not the thread's, so any depth of nesting is walked.
struct Tree<'a> {
    root: PathBuf,
    canonical: PathBuf,
    filter: &'a Filter,
    /// The files of the directory listed last, not yet handed out.
    files: std::vec::IntoIter<PathBuf>,
    /// For each directory being walked, its subdirectories not yet entered.
    levels: Vec<std::vec::IntoIter<PathBuf>>,
}

impl<'a> Tree<'a> {
    fn new(root: &Path, filter: &'a Filter) -> Self {
        Self {
            root: root.to_path_buf(),
            canonical: fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            filter,
            files: Vec::new().into_iter(),
            levels: vec![vec![root.to_path_buf()].into_iter()],
        }
    }

    /// Lists `dir`: its files (those the filter takes) to hand out, its
    /// subdirectories to enter after them.
    fn list(&mut self, dir: &Path) -> Result<(), Found> {
        let entries = fs::read_dir(dir).map_err(|e| Found::Unwalkable {
            path: dir.to_path_buf(),
            message: format!("cannot list the directory: {}", io_words(&e)),
        })?;
        // Each name is taken once: sorting by `DirEntry::file_name` would allocate it
        // at every comparison.
        let mut entries: Vec<(std::ffi::OsString, fs::DirEntry)> =
            entries.flatten().map(|e| (e.file_name(), e)).collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut files = Vec::new();
        let mut subdirectories = Vec::new();
        for (name, entry) in entries {
            // Made at its size: `Path::join` copies the directory, then grows for the name.
            let mut path = PathBuf::with_capacity(dir.as_os_str().len() + 1 + name.len());
            path.push(dir);
            path.push(name);
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                subdirectories.push(path);
            } else if (kind.is_file() || (kind.is_symlink() && self.inside(&path)))
                && self.wanted(&path)
            {
                files.push(path);
            }
        }
        self.files = files.into_iter();
        self.levels.push(subdirectories.into_iter());
        Ok(())
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
            if let Some(file) = self.files.next() {
                return Some(Found::File(file));
            }
            let level = self.levels.last_mut()?;
            match level.next() {
                Some(dir) => {
                    if let Err(unwalkable) = self.list(&dir) {
                        return Some(unwalkable);
                    }
                }
                None => {
                    self.levels.pop();
                }
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
