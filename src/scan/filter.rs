//! `--include` and `--exclude`: which files of a walk a scan checks.

use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Which files of a walk to check: `--include` and `--exclude` globs, matched on the
/// path relative to the scan root with `/` separators (on every system), so that one
/// pattern works in a CI job on Linux and on an admin's Windows machine. On Windows,
/// whose file names ignore case, so do the globs: `*.cer` takes `MAIL.CER`.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

/// A glob that cannot be used, with the pattern.
#[derive(Debug, thiserror::Error)]
#[error("--{option} {pattern}: {reason}")]
pub struct FilterError {
    pub option: &'static str,
    pub pattern: String,
    pub reason: String,
}

impl Filter {
    /// `*` matches across directories too (`*.pem` is every PEM file of the tree);
    /// `**/` and `{a,b}` work as in .gitignore and ripgrep.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, FilterError> {
        Self::with_case(include, exclude, cfg!(windows))
    }

    /// [`Filter::new`], ignoring case or not.
    fn with_case(
        include: &[String],
        exclude: &[String],
        ignore_case: bool,
    ) -> Result<Self, FilterError> {
        let set =
            |option: &'static str, patterns: &[String]| -> Result<Option<GlobSet>, FilterError> {
                if patterns.is_empty() {
                    return Ok(None);
                }
                let mut builder = GlobSetBuilder::new();
                for pattern in patterns {
                    let glob = GlobBuilder::new(pattern)
                        .case_insensitive(ignore_case)
                        .build()
                        .map_err(|e| FilterError {
                            option,
                            pattern: pattern.clone(),
                            reason: e.kind().to_string(),
                        })?;
                    builder.add(glob);
                }
                builder.build().map(Some).map_err(|e| FilterError {
                    option,
                    pattern: patterns.join(" "),
                    reason: e.to_string(),
                })
            };
        Ok(Self {
            include: set("include", include)?,
            exclude: set("exclude", exclude)?,
        })
    }

    /// No `--include` or `--exclude`: every file is wanted.
    pub(super) fn takes_all(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }

    pub(super) fn wants(&self, relative: &Path) -> bool {
        let text = relative.to_string_lossy().replace('\\', "/");
        self.include.as_ref().is_none_or(|g| g.is_match(&text))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_ignore_case_where_file_names_do() {
        let cer = ["*.cer".to_owned()];
        let exact = Filter::with_case(&cer, &[], false).unwrap();
        let any = Filter::with_case(&cer, &[], true).unwrap();
        assert!(exact.wants(Path::new("vendor/mail.cer")));
        assert!(!exact.wants(Path::new("vendor/MAIL.CER")));
        assert!(any.wants(Path::new("vendor/MAIL.CER")));
        let excluded = Filter::with_case(&[], &["old/**".to_owned()], true).unwrap();
        assert!(!excluded.wants(Path::new("OLD/a.pem")));
        // This system's choice: Windows ignores case, the others do not.
        let here = Filter::new(&cer, &[]).unwrap();
        assert_eq!(here.wants(Path::new("MAIL.CER")), cfg!(windows));
    }
}
