//! The knowledge base: known errors, how to recognise them, what to do. Built in
//! (`data/triage-kb.yaml`), extendable with the user's own files.

use std::fmt;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::policy::Step;

/// The knowledge base compiled into the binary.
pub const EMBEDDED: &str = include_str!("../../data/triage-kb.yaml");

/// How an entry is recognised in a text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Match {
    /// Any one of these (compared without case, white space or quoting); each is one
    /// text, or several that must all appear.
    pub any: Vec<Vec<String>>,
    /// Any one of these as a whole word (an error id, a diagnostic code): `52017`, but
    /// not the digits inside a thumbprint.
    pub words: Vec<String>,
    /// All of these texts.
    pub all: Vec<String>,
    /// None of these texts: they belong to a more specific entry.
    pub none: Vec<String>,
    /// A Windows Live Messenger user agent older than this version (major.minor).
    pub wlm_older_than: Option<(u32, u32)>,
    /// Recognised only when no other entry is: the bare line of a more specific error.
    pub fallback: bool,
    /// Recognised by the reader of Exchange Management Shell output, never by words.
    pub shell: bool,
}

/// One known error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub system: String,
    pub title: String,
    pub matcher: Match,
    pub what: String,
    pub why: String,
    pub fix: Vec<Step>,
    pub next: Option<String>,
    /// The cause to state when the text's thumbprint carries an invisible character
    /// ({invisible} names it, {thumbprint} is the clean value).
    pub invisible: Option<String>,
    /// The entry is a consequence (a failed token validation): recognised beside
    /// others, it is listed after them, so that causes come first.
    pub consequence: bool,
    /// Where the entry came from: "built-in" or the file name.
    pub source: String,
}

/// A knowledge base file that cannot be used: every problem, with its line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct KbError {
    pub file: String,
    /// (line, message); line 0 when unknown.
    pub problems: Vec<(usize, String)>,
}

impl fmt::Display for KbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, message) = self.problems.first().cloned().unwrap_or_default();
        write!(f, "{}: ", self.file)?;
        if line > 0 {
            write!(f, "line {line}: ")?;
        }
        f.write_str(&message)?;
        if self.problems.len() > 1 {
            write!(f, " (and {} more problems)", self.problems.len() - 1)?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Spanned<u32>,
    entries: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Spanned<String>,
    system: String,
    title: String,
    #[serde(rename = "match")]
    matcher: Spanned<RawMatch>,
    what: String,
    why: String,
    fix: Vec<RawStep>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    invisible: Option<String>,
    #[serde(default)]
    consequence: bool,
}

/// A fix step: words alone, or words and the commands that do it.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawStep {
    Words(String),
    Step(RawCommands),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommands {
    text: String,
    commands: Vec<String>,
}

impl From<RawStep> for Step {
    fn from(raw: RawStep) -> Self {
        match raw {
            RawStep::Words(text) => Step::new(text),
            RawStep::Step(RawCommands { text, commands }) => Step { text, commands },
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPattern {
    One(String),
    All(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    #[serde(default)]
    any: Vec<RawPattern>,
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    wlm_older_than: Option<String>,
    #[serde(default)]
    fallback: bool,
    #[serde(default)]
    shell: bool,
}

/// The known errors, built-in first.
#[derive(Clone, Debug)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
}

fn parse_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

impl KnowledgeBase {
    /// The built-in knowledge base.
    pub fn embedded() -> Result<Self, KbError> {
        Ok(Self {
            entries: parse(EMBEDDED, "built-in")?,
        })
    }

    /// Adds the entries of a user's file; an id already known is an error.
    pub fn extend(&mut self, text: &str, source: &str) -> Result<(), KbError> {
        let entries = parse(text, source)?;
        for e in &entries {
            if self.entries.iter().any(|k| k.id == e.id) {
                return Err(KbError {
                    file: source.to_owned(),
                    problems: vec![(
                        0,
                        format!("id \"{}\" is already in the knowledge base", e.id),
                    )],
                });
            }
        }
        self.entries.extend(entries);
        Ok(())
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// An entry's `match`, with the problems of its texts and versions.
fn matcher(raw: Spanned<RawMatch>, problems: &mut Vec<(usize, String)>) -> Match {
    let line = raw.referenced.line() as usize;
    let m = raw.value;
    let wlm = match m.wlm_older_than.as_deref().map(|v| (v, parse_version(v))) {
        Some((v, None)) => {
            problems.push((
                line,
                format!("wlm_older_than \"{v}\": expected a version like 15.4"),
            ));
            None
        }
        Some((_, version)) => version,
        None => None,
    };
    let any: Vec<Vec<String>> = m
        .any
        .into_iter()
        .map(|p| match p {
            RawPattern::One(t) => vec![t],
            RawPattern::All(ts) => ts,
        })
        .collect();
    let mut texts = any
        .iter()
        .flatten()
        .chain(&m.all)
        .chain(&m.none)
        .chain(&m.words);
    if any.iter().any(Vec::is_empty) || texts.any(|t| t.split_whitespace().next().is_none()) {
        problems.push((line, "match: an empty text matches everything".to_owned()));
    }
    if any.is_empty() && m.words.is_empty() && m.all.is_empty() && wlm.is_none() && !m.shell {
        problems.push((
            line,
            "match needs any, words, all or wlm_older_than".to_owned(),
        ));
    }
    Match {
        any,
        words: m.words,
        all: m.all,
        none: m.none,
        wlm_older_than: wlm,
        fallback: m.fallback,
        shell: m.shell,
    }
}

fn parse(text: &str, source: &str) -> Result<Vec<Entry>, KbError> {
    let fail = |problems| KbError {
        file: source.to_owned(),
        problems,
    };
    let raw: RawFile =
        serde_saphyr::from_str(text).map_err(|e| fail(vec![crate::load::yaml_error(text, &e)]))?;
    let mut problems = Vec::new();
    if raw.version.value != 1 {
        problems.push((
            raw.version.referenced.line() as usize,
            format!(
                "version {} is not supported (this mfgcheck reads version 1)",
                raw.version.value
            ),
        ));
    }
    let mut entries = Vec::new();
    for e in raw.entries {
        let line = e.id.referenced.line() as usize;
        let id = e.id.value.trim().to_owned();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            problems.push((
                line,
                format!("id \"{id}\": use lower-case letters, digits and dashes"),
            ));
        }
        if entries.iter().any(|k: &Entry| k.id == id) {
            problems.push((line, format!("id \"{id}\" appears twice")));
        }
        let matcher = matcher(e.matcher, &mut problems);
        if e.fix.is_empty() {
            problems.push((line, "fix lists no step".to_owned()));
        }
        entries.push(Entry {
            id,
            system: e.system,
            title: e.title,
            matcher,
            what: e.what,
            why: e.why,
            fix: e.fix.into_iter().map(Step::from).collect(),
            next: e.next,
            invisible: e.invisible,
            consequence: e.consequence,
            source: source.to_owned(),
        });
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        problems.sort();
        Err(fail(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_base_is_valid() {
        let kb = KnowledgeBase::embedded().unwrap();
        assert!(kb.entries().len() >= 8);
    }

    #[test]
    fn bad_files_name_every_problem() {
        let text = "version: 1\nentries:\n  - id: Bad Id\n    system: s\n    title: t\n    match: {}\n    what: w\n    why: y\n    fix: []\n";
        let err = parse(text, "kb.yaml").unwrap_err();
        let lines: Vec<usize> = err.problems.iter().map(|p| p.0).collect();
        assert_eq!(lines, [3, 3, 6], "{err:?}");
        assert!(err.to_string().starts_with("kb.yaml: line 3:"), "{err}");
    }

    #[test]
    fn versions_compare_by_major_and_minor() {
        assert_eq!(parse_version("15.4"), Some((15, 4)));
        assert_eq!(parse_version("14"), Some((14, 0)));
        assert_eq!(parse_version("x"), None);
    }
}
