//! How findings speak of many certificates at once: a system bundle's 150 roots given
//! beside a leaf, or the same bundle given twice. Naming each with its thumbprint and
//! place fills a screen; where they came from is what the reader acts on (drop that
//! file), and `--format json` still lists every certificate.

use crate::model::Certificate;

/// How many certificates a finding names one by one before it counts the rest.
pub(super) const NAMED: usize = 5;

/// `"all from roots.pem: 93 named \"Test Mesh CA\""`: where many certificates came
/// from and what they are named, for a finding about more than [`NAMED`].
pub(super) fn described(certs: &[&Certificate]) -> String {
    let names: Vec<_> = certs.iter().map(|c| c.subject().short()).collect();
    format!(
        "{}: {}",
        from_files(certs.iter().map(|c| &*c.origin().file)),
        self::names(names.iter().map(|n| &**n))
    )
}

/// Each item once, with how many times it came, in the order first met.
fn tally<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for item in items {
        match counts.iter_mut().find(|(i, _)| *i == item) {
            Some((_, n)) => *n += 1,
            None => counts.push((item, 1)),
        }
    }
    counts
}

/// `"all from roots.pem"`, or `"148 from a.pem and 2 from b.pem"`: the files that
/// `files` (one per certificate) came from, in the order first met.
fn from_files<'a>(files: impl IntoIterator<Item = &'a str>) -> String {
    match tally(files).as_slice() {
        [(file, _)] => format!("all from {file}"),
        counts => and_list(counts.iter().map(|(file, n)| format!("{n} from {file}"))),
    }
}

/// `"\"A\", \"B\" and 148 more"`, or `"93 named \"Test Mesh CA\""`: the names of many
/// certificates, each name once with how many bear it, in the order first met; at
/// most [`NAMED`] names, then how many certificates are left.
fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let counts = tally(names);
    let shown: Vec<String> = counts
        .iter()
        .take(NAMED)
        .map(|(name, k)| match k {
            1 => format!("\"{name}\""),
            k => format!("{k} named \"{name}\""),
        })
        .collect();
    let rest: usize = counts.iter().skip(NAMED).map(|(_, k)| k).sum();
    match rest {
        0 => and_list(shown.into_iter()),
        rest => format!("{} and {rest} more", shown.join(", ")),
    }
}

/// Where the extra copies of many certificates were, file pair by file pair:
/// `"roots.pem was given twice"` when each copy sits at its certificate's own place in
/// a second mention of the same file, else `"148 of a.pem again in b.pem"`.
/// Each item of `copies` is (file of the copy kept, its index, file of the extra copy,
/// its index).
pub(super) fn copies_by_file<'a>(
    copies: impl IntoIterator<Item = (&'a str, usize, &'a str, usize)>,
) -> String {
    struct Group<'a> {
        kept: &'a str,
        extra: &'a str,
        count: usize,
        same_places: bool,
        /// The places of the copies kept, to tell a file given twice from one given
        /// three times.
        places: Vec<usize>,
    }
    let mut groups: Vec<Group<'a>> = Vec::new();
    for (kept, kept_index, extra, extra_index) in copies {
        let same = kept == extra && kept_index == extra_index;
        match groups
            .iter_mut()
            .find(|g| g.kept == kept && g.extra == extra)
        {
            Some(g) => {
                g.count += 1;
                g.same_places &= same;
                g.places.push(kept_index);
            }
            None => groups.push(Group {
                kept,
                extra,
                count: 1,
                same_places: same,
                places: vec![kept_index],
            }),
        }
    }
    and_list(groups.iter_mut().map(|g| {
        g.places.sort_unstable();
        g.places.dedup();
        if g.same_places && g.places.len() == g.count {
            format!("{} was given twice", g.kept)
        } else if g.same_places {
            format!("{} was given more than twice", g.kept)
        } else if g.kept == g.extra {
            format!("{} of {} again in the same file", g.count, g.kept)
        } else {
            format!("{} of {} again in {}", g.count, g.kept, g.extra)
        }
    }))
}

/// `"a"`, `"a and b"`, `"a, b and c"`.
fn and_list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == items.len() { " and " } else { ", " });
        }
        out.push_str(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_files_in_the_order_met() {
        assert_eq!(from_files(["r.pem"; 150]), "all from r.pem");
        assert_eq!(
            from_files(["a.pem", "b.pem", "a.pem", "c.pem"]),
            "2 from a.pem, 1 from b.pem and 1 from c.pem"
        );
    }

    #[test]
    fn names_each_name_once_with_its_count() {
        let roots: Vec<String> = (1..=150).map(|i| format!("Root {i}")).collect();
        assert_eq!(
            names(roots.iter().map(String::as_str)),
            "\"Root 1\", \"Root 2\", \"Root 3\", \"Root 4\", \"Root 5\" and 145 more"
        );
        assert_eq!(names(["Mesh CA"; 93]), "93 named \"Mesh CA\"");
        assert_eq!(
            names(["Mesh CA", "Other", "Mesh CA"]),
            "2 named \"Mesh CA\" and \"Other\""
        );
    }

    #[test]
    fn a_file_given_twice_is_said_so() {
        let twice = (0..150).map(|i| ("r.pem", i, "r.pem", i));
        assert_eq!(copies_by_file(twice), "r.pem was given twice");
        let thrice = (0..2).chain(0..2).map(|i| ("r.pem", i, "r.pem", i));
        assert_eq!(copies_by_file(thrice), "r.pem was given more than twice");
        let mixed = [
            ("a.pem", 0, "a.pem", 3),
            ("a.pem", 1, "b.pem", 0),
            ("a.pem", 2, "b.pem", 1),
        ];
        assert_eq!(
            copies_by_file(mixed),
            "1 of a.pem again in the same file and 2 of a.pem again in b.pem"
        );
    }
}
