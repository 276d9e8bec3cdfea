//! `triage` and `lync` reports.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

use super::document::JSON_SCHEMA_VERSION;

use super::style::{
    BOLD, DIM, GREEN, RED, YELLOW, command_lines, labelled, paint, wrap, wrap_hanging, wrap_item,
};
use crate::lync::LyncReport;
use crate::policy::Step;
use crate::triage::exchange::PrintedDate;
use crate::triage::{CaThumbprint, Facts, KnowledgeBase, Triage};

fn facts_lines(f: &Facts) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for t in &f.thumbprints {
        let note = if t.invisible.is_empty() {
            String::new()
        } else {
            format!(" (with invisible {} beside it)", t.invisible.join(", "))
        };
        out.push(("thumbprint".to_owned(), format!("{}{note}", t.value)));
    }
    let list = |out: &mut Vec<(String, String)>, label: &str, values: &[String]| {
        if !values.is_empty() {
            out.push((label.to_owned(), values.join(", ")));
        }
    };
    list(&mut out, "cmdlets", &f.cmdlets);
    list(&mut out, "error ids", &f.error_ids);
    list(&mut out, "exceptions", &f.exceptions);
    if let Some(sip) = &f.sip {
        for (label, v) in [
            ("SIP status", &sip.status),
            ("SIP From", &sip.from),
            ("SIP To", &sip.to),
            ("user agent", &sip.user_agent),
            ("diagnostics", &sip.diagnostics),
        ] {
            if let Some(v) = v {
                out.push((label.to_owned(), v.clone()));
            }
        }
    }
    out
}

fn lines_word(lines: (usize, usize)) -> String {
    if lines.0 == lines.1 {
        format!("line {}", lines.0)
    } else {
        format!("lines {}-{}", lines.0, lines.1)
    }
}

fn date_word(d: Option<&PrintedDate>) -> String {
    match d {
        None => "?".to_owned(),
        Some(d) => match d.readings.as_slice() {
            [one] => one.get(..10).unwrap_or(one).to_owned(),
            _ => format!("{} (day or month first?)", d.text),
        },
    }
}

/// The Exchange Management Shell output read: each certificate (thumbprint, subject,
/// issuer, what was found about it), each trust and each failed test.
fn shell_text(t: &Triage, kb: &KnowledgeBase, width: usize) -> String {
    let shell = &t.facts.shell;
    let mut out = String::new();
    let found_for = |lines: (usize, usize)| -> String {
        let ids: Vec<&str> = t
            .recognised
            .iter()
            .filter(|r| r.lines.contains(&lines))
            .filter_map(|r| kb.entries().get(r.entry).map(|e| e.id.as_str()))
            .collect();
        if ids.is_empty() {
            "nothing wrong found".to_owned()
        } else {
            ids.join(", ")
        }
    };
    if !shell.exchange_certificates.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, "Get-ExchangeCertificate:"));
        for c in &shell.exchange_certificates {
            let _ = writeln!(
                out,
                "  {}  {}",
                paint(BOLD, &c.thumbprint),
                paint(DIM, &format!("({})", lines_word(c.lines)))
            );
            let mut rows = vec![
                ("subject", c.subject.clone().unwrap_or_else(|| "?".into())),
                (
                    "issuer",
                    c.issuer.clone().unwrap_or_else(|| "? (not printed)".into()),
                ),
                (
                    "valid",
                    format!(
                        "{} to {}",
                        date_word(c.not_before.as_ref()),
                        date_word(c.not_after.as_ref())
                    ),
                ),
            ];
            if let Some(services) = &c.services {
                rows.push(("services", services.clone()));
            }
            if let Some(key) = c.has_private_key {
                rows.push(("private key", if key { "yes" } else { "NO" }.into()));
            }
            rows.push(("found", found_for(c.lines)));
            for (label, value) in rows {
                out.push_str(&labelled(4, label, 12, &value, width));
            }
        }
        out.push('\n');
    }
    trusts_text(&mut out, &shell.federation_trusts, &found_for, width);
    tests_text(&mut out, &shell.trust_tests, width);
    out
}

/// Each `Get-FederationTrust` read: its certificates and what was found about it.
fn trusts_text(
    out: &mut String,
    trusts: &[crate::triage::exchange::FederationTrust],
    found_for: &dyn Fn((usize, usize)) -> String,
    width: usize,
) {
    for trust in trusts {
        let _ = writeln!(
            out,
            "{} {}  {}",
            paint(BOLD, "Get-FederationTrust:"),
            trust.name.as_deref().unwrap_or("?"),
            paint(DIM, &format!("({})", lines_word(trust.lines)))
        );
        let current = trust.org_priv_certificate.clone().or_else(|| {
            trust
                .org_certificate
                .as_ref()
                .and_then(|c| c.thumbprint.clone())
        });
        let current = current.as_deref().unwrap_or("?");
        out.push_str(&labelled(4, "certificate", 12, current, width));
        if let Some(next) = &trust.org_next_priv_certificate {
            out.push_str(&labelled(4, "next", 12, next, width));
        }
        out.push_str(&labelled(4, "found", 12, &found_for(trust.lines), width));
        out.push('\n');
    }
}

/// `Test-FederationTrust`: the checks that failed or warned.
fn tests_text(out: &mut String, tests: &[crate::triage::exchange::TrustTest], width: usize) {
    let failed: Vec<_> = tests
        .iter()
        .filter(|x| !x.result.eq_ignore_ascii_case("Success"))
        .collect();
    if !tests.is_empty() {
        let _ = writeln!(
            out,
            "{} {} of {} checks failed or warned",
            paint(BOLD, "Test-FederationTrust:"),
            failed.len(),
            tests.len()
        );
        for x in failed {
            out.push_str(&wrap(
                &format!(
                    "{} {}: {} ({})",
                    x.id,
                    x.result,
                    x.message,
                    lines_word(x.lines)
                ),
                "    ",
                width,
            ));
        }
        out.push('\n');
    }
}

/// A ticket that is only a server name: the two things to run next, each command on a
/// line of its own and never wrapped, so that it can be pasted whole.
fn server_hint(out: &mut String, server: &str, width: usize) {
    let smtp = server
        .rsplit_once(':')
        .is_some_and(|(_, port)| port == "25" || port == "587");
    let endpoint = match (server.contains(':'), smtp) {
        (_, true) => format!("{server} --starttls smtp"),
        (true, false) => server.to_owned(),
        (false, false) => format!("{server}:443"),
    };
    let _ = writeln!(
        out,
        "{}",
        paint(YELLOW, "Only a server name: nothing to triage yet.")
    );
    out.push_str(&wrap("What it presents for TLS:", "  ", width));
    let _ = writeln!(out, "    mfgcheck check --connect {endpoint}");
    out.push_str(&wrap(
        "Its federation certificate: ask for this output, run on that server, and triage it:",
        "  ",
        width,
    ));
    let _ = writeln!(out, "    Get-FederationTrust | Format-List");
    let _ = writeln!(out, "    Get-ExchangeCertificate | Format-List");
}

/// Each error recognised: what happened, its cause in this text, why, the fix, the
/// command to run next, and the lines it rests on.
fn recognised_text(out: &mut String, t: &Triage, kb: &KnowledgeBase, width: usize) {
    for (i, r) in t.recognised.iter().enumerate() {
        let Some(e) = kb.entries().get(r.entry) else {
            continue;
        };
        if i > 0 {
            out.push('\n');
        }
        // Title and (system; id) are columns: a narrow screen puts the second under
        // the first.
        let heading = format!(
            "{} {}  {}",
            paint(RED.bold(), &format!("[{}]", i + 1)),
            paint(BOLD, &e.title),
            paint(DIM, &format!("({}; {})", e.system, e.id))
        );
        out.push_str(&wrap_hanging(&heading, "", "    ", width));
        out.push_str(&wrap(&format!("What happened: {}", e.what), "    ", width));
        if let Some(cause) = &r.cause {
            out.push_str(&paint(
                YELLOW,
                &wrap(&format!("Cause in this text: {cause}"), "    ", width),
            ));
        }
        out.push_str(&wrap(&format!("Why: {}", e.why), "    ", width));
        let _ = writeln!(out, "    Fix:");
        for step in &r.fix {
            out.push_str(&wrap_item(&step.text, "      ", width));
            command_lines(out, &step.commands, "        ");
        }
        // A command is never wrapped, so that it copies whole.
        if let Some(next) = &r.next {
            let _ = writeln!(out, "    Next: {}", paint(GREEN, next));
        }
        if !r.lines.is_empty() {
            let words: Vec<String> = r.lines.iter().map(|l| lines_word(*l)).collect();
            let _ = writeln!(
                out,
                "    {}",
                paint(DIM, &format!("Rests on {}.", words.join(", ")))
            );
        }
    }
}

/// The text report of `triage`.
pub fn triage_text(t: &Triage, kb: &KnowledgeBase, width: usize) -> String {
    let mut out = String::new();
    let facts = facts_lines(&t.facts);
    if !facts.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, "Found in the text:"));
        for (label, value) in &facts {
            out.push_str(&labelled(2, label, 12, value, width));
        }
        out.push('\n');
    }
    out.push_str(&shell_text(t, kb, width));
    for ca in &t.ca_thumbprints {
        out.push_str(&paint(
            YELLOW,
            &wrap(
                &format!(
                    "{} is the thumbprint of the listed CA {}, not of a federation certificate: New-FederationTrust and Set-FederationTrust need the thumbprint of your own federation certificate (Get-ExchangeCertificate lists it), not the CA's.",
                    ca.thumbprint, ca.authority
                ),
                "",
                width,
            ),
        ));
        out.push('\n');
    }
    let unjudged = |out: &mut String| {
        if !t.unjudged.is_empty() {
            let _ = writeln!(out, "\n{}", paint(BOLD, "Not judged from the paste:"));
            for u in &t.unjudged {
                out.push_str(&wrap_item(u, "  ", width));
            }
        }
    };
    if t.recognised.is_empty() && !t.facts.shell.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                GREEN,
                "Nothing wrong found in the Exchange Management Shell output."
            )
        );
        unjudged(&mut out);
        return out;
    }
    if let (true, Some(server)) = (t.recognised.is_empty(), &t.facts.server) {
        server_hint(&mut out, server, width);
        return out;
    }
    if t.recognised.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                YELLOW,
                "Nothing in this text matches a known error. mfgcheck knows:"
            )
        );
        for e in kb.entries() {
            out.push_str(&wrap_item(
                &format!("{} ({})", e.title, e.system),
                "  ",
                width,
            ));
        }
        return out;
    }
    recognised_text(&mut out, t, kb, width);
    unjudged(&mut out);
    out
}

/// `mfgcheck triage --format json`.
#[derive(Serialize, JsonSchema)]
pub struct TriageDocument {
    pub schema_version: u32,
    pub recognised: Vec<RecognisedDoc>,
    pub facts: Facts,
    pub ca_thumbprints: Vec<CaThumbprint>,
    /// What the shell output left open, and what settles it
    pub unjudged: Vec<String>,
    /// The knowledge base, when nothing was recognised
    pub known: Vec<KnownEntry>,
}

/// A known problem the paste shows, with its cause and fix.
#[derive(Serialize, JsonSchema)]
#[serde(rename = "Recognised")]
pub struct RecognisedDoc {
    pub id: String,
    pub system: String,
    pub title: String,
    pub what: String,
    pub cause: Option<String>,
    pub why: String,
    /// The steps, each with its commands apart
    pub fix: Vec<Step>,
    pub next: Option<String>,
    pub source: String,
    /// Line ranges of the paste that show it (first, last; from 1)
    pub lines: Vec<(usize, usize)>,
}

/// One entry of the knowledge base.
#[derive(Serialize, JsonSchema)]
pub struct KnownEntry {
    pub id: String,
    pub title: String,
}

/// The JSON report of `triage`.
pub fn triage_json(t: &Triage, kb: &KnowledgeBase) -> TriageDocument {
    TriageDocument {
        schema_version: JSON_SCHEMA_VERSION,
        recognised: t
            .recognised
            .iter()
            .filter_map(|r| {
                let e = kb.entries().get(r.entry)?;
                Some(RecognisedDoc {
                    id: e.id.clone(),
                    system: e.system.clone(),
                    title: e.title.clone(),
                    what: e.what.clone(),
                    cause: r.cause.clone(),
                    why: e.why.clone(),
                    fix: r.fix.clone(),
                    next: r.next.clone(),
                    source: e.source.clone(),
                    lines: r.lines.clone(),
                })
            })
            .collect(),
        facts: t.facts.clone(),
        ca_thumbprints: t.ca_thumbprints.clone(),
        unjudged: t.unjudged.clone(),
        known: if t.recognised.is_empty() {
            kb.entries()
                .iter()
                .map(|e| KnownEntry {
                    id: e.id.clone(),
                    title: e.title.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// The text report of `lync`.
pub fn lync_text(r: &LyncReport, width: usize) -> String {
    let mut out = String::new();
    for s in &r.scopes {
        let (mark, style) = if s.ready() {
            ("✓", GREEN)
        } else {
            ("✗", RED)
        };
        let what = if s.kind == "media-configuration" {
            "media configuration"
        } else {
            "external access policy"
        };
        let _ = writeln!(
            out,
            "{} {} {}  {}",
            paint(style, mark),
            paint(BOLD, &s.scope),
            what,
            paint(DIM, &format!("(from {})", s.source))
        );
        for (k, v) in &s.settings {
            let _ = writeln!(out, "    {} {v}", paint(DIM, &format!("{k}:")));
        }
        for i in &s.issues {
            let style = if i.blocking { RED } else { YELLOW };
            out.push_str(&paint(style, &wrap(&i.message, "    ", width)));
        }
    }
    let commands: Vec<&String> = r.scopes.iter().flat_map(|s| &s.commands).collect();
    out.push('\n');
    let missing = r
        .missing
        .iter()
        .map(|m| format!("{m} | Format-List"))
        .collect::<Vec<_>>()
        .join(" and ");
    if r.verdict == "incomplete" {
        out.push_str(&paint(
            YELLOW.bold(),
            &wrap(
                &format!(
                    "INCOMPLETE: nothing to change in what was given, but the output of {missing} is missing, so mfgcheck cannot tell whether IM and A/V federation with Windows Live can work. Save it on the Front End and check both: mfgcheck lync policy.txt media.txt"
                ),
                "",
                width,
            ),
        ));
    } else if r.ready {
        let _ = writeln!(
            out,
            "{}",
            paint(
                GREEN.bold(),
                "READY: public IM and A/V federation with Windows Live can work in every scope given."
            )
        );
    } else {
        let _ = writeln!(
            out,
            "{}",
            paint(
                RED.bold(),
                "CHANGES NEEDED for IM and A/V federation with Windows Live:"
            )
        );
        for c in commands {
            let _ = writeln!(out, "  {c}");
        }
        if !r.missing.is_empty() {
            out.push_str(&wrap(
                &format!("The output of {missing} is missing: check it too once it is saved."),
                "",
                width,
            ));
        }
    }
    let _ = writeln!(out, "\nRemember:");
    for m in &r.reminders {
        out.push_str(&wrap_item(m, "  ", width));
    }
    out
}

/// `mfgcheck lync --format json`.
#[derive(Serialize, JsonSchema)]
pub struct LyncDocument {
    pub schema_version: u32,
    #[serde(flatten)]
    pub report: LyncReport,
    /// Every scope's commands, in order
    pub commands: Vec<String>,
}

/// The JSON report of `lync`.
pub fn lync_json(r: &LyncReport) -> LyncDocument {
    LyncDocument {
        schema_version: JSON_SCHEMA_VERSION,
        report: r.clone(),
        commands: r.scopes.iter().flat_map(|s| s.commands.clone()).collect(),
    }
}
