//! **Triage**: what a pasted error means. Reads any text a helpdesk gets (a shell
//! transcript, an event, a SIP trace, a mail thread with `>` quoting and wrapped
//! lines), pulls out the facts it can and recognises the known errors of the
//! knowledge base, each with its cause, its fix and the next command to run.

pub mod date;
pub mod exchange;
pub mod judge;
pub mod kb;

pub use kb::{Entry, KbError, KnowledgeBase};

use crate::model::hex::{INVISIBLE, invisible_name};
use crate::policy::Allowlist;

/// A thumbprint found in the text, with any invisible character stuck to it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FoundThumbprint {
    /// Upper-case hex without separators.
    pub value: String,
    /// Invisible characters right before or inside it (U+200E from the certificate
    /// dialog is what makes `-Thumbprint` fail), as `U+200E`.
    pub invisible: Vec<String>,
    /// The value exactly as pasted, invisible characters included, so that a command
    /// built from it shows `mfgcheck thumbprint` what Exchange was given.
    pub pasted: String,
    /// The invisible characters themselves, for the words that name them.
    #[serde(skip)]
    marks: Vec<char>,
}

/// A thumbprint in the text that is a listed CA's: not the one New-FederationTrust takes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct CaThumbprint {
    pub thumbprint: String,
    pub authority: String,
}

/// What a SIP trace in the text says.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct SipFacts {
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub user_agent: Option<String>,
    pub diagnostics: Option<String>,
}

/// Everything recognisable in a text, whether or not an error was recognised.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Facts {
    pub thumbprints: Vec<FoundThumbprint>,
    pub cmdlets: Vec<String>,
    pub error_ids: Vec<String>,
    pub exceptions: Vec<String>,
    pub sip: Option<SipFacts>,
    /// The Windows Live Messenger version of a `WLM/x.y...` user agent.
    pub wlm_version: Option<String>,
    /// The whole text is a server's name or address (`mail.contoso.com`, `host:443`,
    /// `https://host/`): a ticket that gives nothing else, to be answered with what
    /// to run next, not with every error mfgcheck knows.
    pub server: Option<String>,
    /// What the Exchange Management Shell printed: certificates, trusts, tests.
    #[serde(flatten)]
    pub shell: exchange::ShellFacts,
    #[serde(skip)]
    wlm: Option<(u32, u32)>,
    /// Which thumbprint the next commands name: the first that is not a listed CA's
    /// (a CA's thumbprint is never the certificate to check); `None` when every one is.
    #[serde(skip)]
    own: Option<usize>,
}

/// A known error found in the text, its steps with the text's facts filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognised {
    /// Index into the knowledge base's entries.
    pub entry: usize,
    /// The cause this text shows (an invisible mark in the thumbprint), stated before
    /// the entry's general reasons.
    pub cause: Option<String>,
    pub fix: Vec<crate::policy::Step>,
    pub next: Option<String>,
    /// The lines of the text it rests on (first, last; from 1): empty for errors
    /// recognised by their words anywhere in the text.
    pub lines: Vec<(usize, usize)>,
}

/// What decides a triage besides the text: as `check` takes them.
#[derive(Clone, Copy, Debug)]
pub struct TriageOptions {
    /// When expiry and the allowlist's dates are judged.
    pub at: time::OffsetDateTime,
    /// Whether a self-signed federation certificate is allowed.
    pub profile: crate::policy::Profile,
}

/// The triage of one text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Triage {
    pub recognised: Vec<Recognised>,
    pub facts: Facts,
    /// Thumbprints of the text that belong to listed CAs.
    pub ca_thumbprints: Vec<CaThumbprint>,
    /// What the shell output left open, each with what would settle it.
    pub unjudged: Vec<String>,
}

/// Lines without mail quoting, with straight quotes and plain spaces.
fn clean_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let mut l = line.trim_start();
            while let Some(rest) = l.strip_prefix('>') {
                l = rest.trim_start();
            }
            l.chars()
                .map(|c| match c {
                    '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => '"',
                    '\u{2018}' | '\u{2019}' | '\u{201A}' => '\'',
                    '\u{00A0}' | '\u{202F}' => ' ',
                    c => c,
                })
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}

/// Lower case without white space (or invisible marks): what patterns are found in,
/// so that a line wrapped in the middle of a word still matches.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !INVISIBLE.contains(c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2018}' | '\u{2019}' => '\'',
            c => c,
        })
        .collect()
}

const VERBS: &[&str] = &[
    "Add", "Disable", "Enable", "Export", "Get", "Import", "New", "Remove", "Set", "Test", "Update",
];

/// Nouns of the cmdlets tickets quote, in their canonical case: the Exchange Management
/// Console prints `new-FederationTrust`, admins type `new-federationtrust`.
const NOUNS: &[&str] = &[
    "FederationTrust",
    "FederationTrustCertificate",
    "FederatedOrganizationIdentifier",
    "FederatedDomain",
    "FederationInformation",
    "ExchangeCertificate",
    "OrganizationRelationship",
    "CsExternalAccessPolicy",
    "CsMediaConfiguration",
    "CsAccessEdgeConfiguration",
    "CsPublicProvider",
];

/// `Verb-Noun` in any case, written the way PowerShell documents it.
fn cmdlet(word: &str) -> Option<String> {
    let (verb, noun) = word.split_once('-')?;
    let verb = VERBS.iter().find(|v| v.eq_ignore_ascii_case(verb))?;
    if noun.len() <= 2 || !noun.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let known = NOUNS.iter().find(|n| n.eq_ignore_ascii_case(noun));
    match known {
        Some(n) => Some(format!("{verb}-{n}")),
        // An unknown noun counts only as PowerShell writes it, capitalised.
        None if noun.starts_with(|c: char| c.is_ascii_uppercase()) => {
            Some(format!("{verb}-{noun}"))
        }
        None => None,
    }
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Thumbprints: 40 hex digits in a row, or 20 pairs separated by spaces.
fn thumbprints(text: &str, out: &mut Vec<FoundThumbprint>) {
    let chars: Vec<char> = text.chars().collect();
    let before = |i: usize| i.checked_sub(1).and_then(|p| chars.get(p)).copied();
    let mut i = 0;
    while let Some(&first) = chars.get(i) {
        let boundary = before(i).is_none_or(|c| !c.is_ascii_alphanumeric());
        if !boundary || !first.is_ascii_hexdigit() {
            i += 1;
            continue;
        }
        // Read hex digits, allowing single spaces or invisible marks between pairs.
        let mut digits = String::new();
        let mut invisible = Vec::new();
        let mut j = i;
        let mut last_end = i;
        while let Some(&c) = chars.get(j) {
            if c.is_ascii_hexdigit() {
                digits.push(c);
                j += 1;
                last_end = j;
                if digits.len() == 40 {
                    break;
                }
            } else if c == '\n'
                && !digits.is_empty()
                && j.checked_sub(1)
                    .and_then(|p| chars.get(p))
                    .is_some_and(char::is_ascii_hexdigit)
                && chars.get(j + 1).is_some_and(char::is_ascii_hexdigit)
            {
                // A mail client or a console wrapped the value: `> ...3C8B78` / `> 06`
                // (the quote marks are gone from the lines already).
                j += 1;
            } else if (c == ' ' || INVISIBLE.contains(&c))
                && digits.len() % 2 == 0
                && !digits.is_empty()
            {
                if INVISIBLE.contains(&c) {
                    invisible.push(c);
                }
                j += 1;
            } else {
                break;
            }
        }
        let ends_cleanly = chars
            .get(last_end)
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if digits.len() == 40 && ends_cleanly {
            let mut start = i;
            if let Some(c) = before(i).filter(|c| INVISIBLE.contains(c)) {
                invisible.insert(0, c);
                start = i - 1;
            }
            let value = digits.to_ascii_uppercase();
            if !out.iter().any(|t| t.value == value) {
                out.push(FoundThumbprint {
                    value,
                    invisible: invisible
                        .iter()
                        .map(|c| format!("U+{:04X}", u32::from(*c)))
                        .collect(),
                    // As pasted, less the line break a wrap put inside it.
                    pasted: chars
                        .get(start..last_end)
                        .unwrap_or_default()
                        .iter()
                        .filter(|&&c| c != '\n')
                        .collect(),
                    marks: invisible,
                });
            }
            i = last_end;
        } else {
            i = last_end.max(i + 1);
        }
    }
}

/// The value after `Header:` on a line, if the line is that header.
fn header<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let (key, value) = line.split_once(':')?;
    key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
}

fn wlm_version(text: &str) -> Option<((u32, u32), String)> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("wlm/")? + 4;
    let version: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    Some(((major, minor), version))
}

/// Pulls every fact out of the cleaned lines.
/// `text` when it is nothing but a host name or address, with an optional scheme, port
/// and trailing slash: `mail.contoso.com`, `autodiscover.contoso.com:443`, `10.0.0.5`.
fn server_name(text: &str) -> Option<String> {
    let t = text.trim().trim_start_matches('\u{feff}');
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t)
        .trim_end_matches('/');
    let host = match t.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => t,
    };
    let labels: Vec<&str> = host.split('.').collect();
    let is_name = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|l| l.chars().any(|c| c.is_ascii_alphabetic()))
        || host.parse::<std::net::Ipv4Addr>().is_ok();
    (is_name && t.len() <= 253).then(|| t.to_owned())
}

/// `text` with a word cut at a line's end joined to its rest: a line that ends in a
/// letter and a next line that starts with a lower-case run of letters ending in
/// `Exception` (an exception name never starts lower case).
fn rejoin_cut_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let first = line.split_whitespace().next().unwrap_or_default();
        let word: String = first
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let cut = out.ends_with(|c: char| c.is_ascii_alphabetic())
            && word.starts_with(|c: char| c.is_ascii_lowercase())
            && word.ends_with("Exception");
        if cut {
            out.push_str(line.trim_start());
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

fn facts(lines: &[String], raw: &str) -> Facts {
    let joined = lines.join("\n");
    let mut f = Facts {
        server: server_name(raw),
        ..Facts::default()
    };
    thumbprints(&joined, &mut f.thumbprints);
    // Words cut by Format-List at the console's width are whole again for this, and so
    // are words a mail client cut at the end of a line (`ProvisioningFederat` /
    // `edExchangeException`).
    // Format-List's cuts are found by their indentation, so on the text as pasted; the
    // quote marks are dropped after.
    let dewrapped =
        rejoin_cut_words(&clean_lines(&crate::load::powershell::dewrap(raw)).join("\n"));
    for word in dewrapped.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.')) {
        let word = word.trim_matches('.');
        if let Some(cmdlet) = cmdlet(word) {
            push_unique(&mut f.cmdlets, cmdlet);
        }
        let last = word.rsplit('.').next().unwrap_or(word);
        if last.len() > "Exception".len()
            && last.ends_with("Exception")
            && last.chars().all(|c| c.is_ascii_alphanumeric())
        {
            push_unique(&mut f.exceptions, last.to_owned());
        }
    }
    let compact_text: String = joined.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = compact_text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("fullyqualifiederrorid") {
        let start = from + pos + "fullyqualifiederrorid".len();
        // Eight hex digits, a line break (a space here) perhaps inside them: `6501C` /
        // `8A0,Microsoft...` when a mail client cut the line.
        let mut id = String::new();
        for c in compact_text[start..].trim_start_matches([' ', ':']).chars() {
            match c {
                c if c.is_ascii_hexdigit() && id.len() < 8 => id.push(c),
                ' ' if id.len() < 8 => {}
                _ => break,
            }
        }
        if id.len() == 8 {
            push_unique(&mut f.error_ids, id.to_ascii_uppercase());
        }
        from = start;
    }
    let mut sip = SipFacts::default();
    for line in lines {
        if let Some(v) = header(line, "Start-Line") {
            sip.status = Some(v.to_owned());
        } else if line.starts_with("SIP/2.0 ") && sip.status.is_none() {
            sip.status = Some(line.clone());
        } else if let Some(v) = header(line, "From") {
            sip.from = Some(v.to_owned());
        } else if let Some(v) = header(line, "To") {
            sip.to = Some(v.to_owned());
        } else if let Some(v) = header(line, "User-Agent") {
            sip.user_agent = Some(v.to_owned());
        } else if let Some(v) = header(line, "ms-client-diagnostics") {
            sip.diagnostics = Some(v.to_owned());
        }
    }
    if sip != SipFacts::default() {
        f.sip = Some(sip);
    }
    if let Some((v, text)) = wlm_version(&joined) {
        f.wlm = Some(v);
        f.wlm_version = Some(text);
    }
    f
}

/// A step of a fix with its placeholders filled, in the words and in each command.
fn fill_step(step: &crate::policy::Step, fill: impl Fn(&str) -> String) -> crate::policy::Step {
    crate::policy::Step {
        text: fill(&step.text),
        commands: step.commands.iter().map(|c| fill(c)).collect(),
    }
}

fn fill(template: &str, facts: &Facts) -> String {
    let first = facts.thumbprints.first();
    let thumbprint = first.map_or("<thumbprint>", |t| t.value.as_str());
    // The certificate to check is never a listed CA's, whatever else the text says of it.
    let own = facts
        .own
        .and_then(|i| facts.thumbprints.get(i))
        .map_or("<thumbprint>", |t| t.value.as_str());
    let pasted = first.map_or("<thumbprint>", |t| t.pasted.as_str());
    let invisible = first.map_or_else(String::new, |t| {
        t.marks
            .iter()
            .map(|&c| format!("U+{:04X} ({})", u32::from(c), invisible_name(c)))
            .collect::<Vec<_>>()
            .join(", ")
    });
    template
        .replace("--leaf {thumbprint}", &format!("--leaf {own}"))
        .replace("{thumbprint}", thumbprint)
        .replace("{pasted_thumbprint}", pasted)
        .replace("{invisible}", &invisible)
        .replace("{scope}", "Global")
}

impl kb::Match {
    /// One of `any` is in `compacted` (the text through [`compact`]), or one of
    /// `words` is a whole word of `text`.
    fn hit(&self, compacted: &str, text: &str) -> bool {
        self.any
            .iter()
            .any(|all| all.iter().all(|p| compacted.contains(&compact(p))))
            || self.words.iter().any(|w| has_word(text, w))
    }
}

/// `word` appears in `text` as a whole word (case-insensitive).
fn has_word(text: &str, word: &str) -> bool {
    let lower = text.to_lowercase();
    let word = word.to_lowercase();
    lower.match_indices(&word).any(|(at, _)| {
        let before = lower.get(..at).and_then(|b| b.chars().next_back());
        let after = lower.get(at + word.len()..).and_then(|a| a.chars().next());
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

/// The thumbprints of the paste that are a listed CA's, not a federation
/// certificate's.
fn ca_thumbprints(facts: &Facts, allowlist: &Allowlist) -> Vec<CaThumbprint> {
    facts
        .thumbprints
        .iter()
        .filter_map(|t| {
            let lookup = crate::policy::look_up(&t.value, allowlist);
            let (authority, _) = lookup.matches.iter().find(|(_, f)| {
                matches!(f, crate::policy::Field::Sha1 | crate::policy::Field::Sha256)
            })?;
            Some(CaThumbprint {
                thumbprint: t.value.clone(),
                authority: allowlist.authority(*authority).name.clone(),
            })
        })
        .collect()
}

/// Adds what the judgement of the shell output found, except the failed tests whose
/// message an entry already recognised by its words; returns what it could not judge.
fn add_judged(
    recognised: &mut Vec<Recognised>,
    judgement: judge::Judgement,
    kb: &KnowledgeBase,
    facts: &Facts,
) -> Vec<String> {
    // A Test-FederationTrust block that an entry recognised by its words explains
    // (its message is that entry's text) needs no generic explanation beside it.
    let explained = |message: &str| {
        let text = compact(message);
        recognised.iter().any(|r| {
            kb.entries()
                .get(r.entry)
                .is_some_and(|e| e.matcher.hit(&text, message))
        })
    };
    let judged: Vec<judge::Judged> = judgement
        .judged
        .into_iter()
        .filter(|j| !j.message.as_deref().is_some_and(explained))
        .collect();
    for j in judged {
        let Some(entry) = kb.entries().iter().position(|e| e.id == j.id) else {
            continue;
        };
        let Some(e) = kb.entries().get(entry) else {
            continue;
        };
        let with = |t: &str| {
            j.values.iter().fold(fill(t, facts), |t, (k, v)| {
                t.replace(&format!("{{{k}}}"), v)
            })
        };
        recognised.push(Recognised {
            entry,
            cause: Some(j.cause.clone()),
            fix: e.fix.iter().map(|f| fill_step(f, with)).collect(),
            next: e.next.as_deref().map(with),
            lines: j.lines,
        });
    }
    judgement.unjudged
}

/// Reads `text` and recognises every known error in it, and judges the Exchange
/// Management Shell output it holds; `allowlist` tells which CAs are accepted and which
/// of its thumbprints are CAs'.
pub fn triage(
    text: &str,
    kb: &KnowledgeBase,
    allowlist: &Allowlist,
    options: TriageOptions,
) -> Triage {
    let lines = clean_lines(text);
    let joined = lines.join("\n");
    let haystack = compact(&joined);
    let mut facts = facts(&lines, text);
    facts.shell = exchange::read(text);
    let ca_thumbprints = ca_thumbprints(&facts, allowlist);
    facts.own = facts
        .thumbprints
        .iter()
        .position(|t| !ca_thumbprints.iter().any(|c| c.thumbprint == t.value));
    let contains = |pattern: &String| haystack.contains(&compact(pattern));
    let matches = |m: &kb::Match| {
        if m.shell {
            return false;
        }
        let any = (m.any.is_empty() && m.words.is_empty()) || m.hit(&haystack, &joined);
        let all = m.all.iter().all(contains);
        let none = !m.none.iter().any(contains);
        let wlm = m
            .wlm_older_than
            .is_none_or(|limit| facts.wlm.is_some_and(|v| v < limit));
        let has_text = !m.any.is_empty() || !m.words.is_empty() || !m.all.is_empty();
        any && all && none && wlm && (has_text || facts.wlm.is_some())
    };
    let found: Vec<usize> = kb
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| matches(&e.matcher))
        .map(|(i, _)| i)
        .collect();
    // A fallback (the bare 403 line) only when nothing more specific was recognised.
    let specific = found
        .iter()
        .any(|&i| kb.entries().get(i).is_some_and(|e| !e.matcher.fallback));
    let invisible = facts
        .thumbprints
        .first()
        .is_some_and(|t| !t.invisible.is_empty());
    let recognised = found
        .into_iter()
        .filter_map(|entry| {
            let e = kb.entries().get(entry)?;
            if e.matcher.fallback && specific {
                return None;
            }
            Some(Recognised {
                entry,
                cause: e
                    .invisible
                    .as_deref()
                    .filter(|_| invisible)
                    .map(|c| fill(c, &facts)),
                fix: e
                    .fix
                    .iter()
                    .map(|f| fill_step(f, |t| fill(t, &facts)))
                    .collect(),
                next: e.next.as_deref().map(|n| fill(n, &facts)),
                lines: Vec::new(),
            })
        })
        .collect::<Vec<_>>();
    let mut recognised = recognised;
    let judgement = judge::judge(&facts.shell, allowlist, options.at, options.profile);
    let unjudged = add_judged(&mut recognised, judgement, kb, &facts);
    // Causes before consequences: an expired certificate before the failed token
    // validation it causes (the order is otherwise kept).
    recognised.sort_by_key(|r| kb.entries().get(r.entry).is_some_and(|e| e.consequence));
    Triage {
        recognised,
        facts,
        ca_thumbprints,
        unjudged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let kb = KnowledgeBase::embedded().unwrap();
        let allowlist = Allowlist::embedded().unwrap();
        let options = TriageOptions {
            at: time::OffsetDateTime::UNIX_EPOCH,
            profile: crate::policy::Profile::Exchange2010,
        };
        triage(text, &kb, &allowlist, options)
            .recognised
            .iter()
            .map(|r| kb.entries()[r.entry].id.clone())
            .collect()
    }

    #[test]
    fn wrapped_quoted_curly_text_is_recognised() {
        let mail = "> An error occurred while attempting to provision Exchange to the Partn\n> er STS. Detailed information \u{201C}An error occurred accessing Windows Live.\u{201D}\n";
        assert_eq!(ids(mail), ["new-federationtrust-403"]);
    }

    #[test]
    fn thumbprints_with_pairs_and_invisible_marks() {
        let mut found = Vec::new();
        thumbprints(
            "thumbprint \"\u{200E}7C4656C3061F7F4C0D67B319A855F60EBC11FC44\" and 7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 45 but not 7C4656C3061F7F4C0D67B319A855F60EBC11FC44AB",
            &mut found,
        );
        let values: Vec<&str> = found.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(
            values,
            [
                "7C4656C3061F7F4C0D67B319A855F60EBC11FC44",
                "7C4656C3061F7F4C0D67B319A855F60EBC11FC45"
            ]
        );
        assert_eq!(found[0].invisible, ["U+200E"]);
        assert!(found[1].invisible.is_empty());
    }

    #[test]
    fn old_messenger_versions_only() {
        assert_eq!(
            ids("USER-AGENT: UCCAPI/4.0.7440.0 WLM/14.0.8117.0416"),
            ["windows-live-messenger-too-old"]
        );
        assert!(ids("USER-AGENT: UCCAPI/4.0.7440.0 WLM/15.4.3502.0922").is_empty());
    }
}
