//! The human report: the chain as a tree, the verdict in one line, then each
//! finding with its fix.

use std::fmt::Write as _;

use super::style::{
    BOLD, DIM, GREEN, RED, YELLOW, command_lines, paint, visible_len, wrap, wrap_hanging,
};
use super::{datetime, day, mark};
use crate::Outcome;
use crate::chain::{Top, Verification};
use crate::model::{Certificate, KeyMatch, KeyRing, ProviderKind};
use crate::policy::{Allowlist, DirectIssuer, Identity, KeyStatus, Severity, Verdict};

/// Layout settings.
#[derive(Clone, Copy, Debug)]
pub struct TextOptions {
    /// Wrap long messages at this many columns.
    pub width: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        Self { width: 100 }
    }
}

fn details(cert: &Certificate) -> String {
    format!(
        "SHA-1 {}  {}  {}  {} to {}",
        cert.sha1(),
        cert.public_key().algorithm(),
        cert.signature_algorithm(),
        day(cert.not_before()),
        day(cert.not_after()),
    )
}

/// Where a certificate came from, so that a helpdesk knows which file to fix: the
/// file and position (with a PFX bag's friendly name), or the address it was fetched
/// from.
fn provenance(cert: &Certificate) -> String {
    let origin = cert.origin();
    match cert.friendly_name() {
        Some(name) if !origin.fetched => format!("from {origin}, friendly name \"{name}\""),
        _ if origin.fetched => origin.to_string(),
        _ => format!("from {origin}"),
    }
}

/// Renders a check's outcome for a terminal or a log.
pub fn text(outcome: &Outcome, allowlist: &Allowlist, options: TextOptions) -> String {
    let Outcome { assessment, .. } = outcome;
    let at = assessment.at;
    let width = options.width.max(40);
    let mut out = String::new();

    let checked = format!(
        "Checked at {} against {} ({}{}).",
        datetime(at),
        allowlist.describe_source(),
        super::count(allowlist.authorities().len(), "authority", "authorities"),
        match allowlist.issuance() {
            crate::policy::Issuance::Direct => "",
            crate::policy::Issuance::Chain => ", roots to chain to",
        },
    );
    let profile = format!(
        "Profile {}: {}.",
        assessment.profile.name(),
        assessment.profile.describe()
    );
    for line in [checked, profile] {
        out.push_str(&paint(DIM, wrap(&line, "", width).trim_end()));
        out.push('\n');
    }
    out.push('\n');
    out.push_str("Chain, leaf first:\n");
    for line in tree(outcome, allowlist, width) {
        out.push_str(&line);
    }

    out.push('\n');
    let verdict = verdict_line(outcome);
    out.push_str(&wrap_hanging(&verdict, "", "  ", width));

    if !assessment.findings.is_empty() {
        out.push('\n');
    }
    for f in &assessment.findings {
        let (style, word) = match f.severity() {
            Severity::Error => (RED.bold(), "error  "),
            Severity::Warning => (YELLOW.bold(), "warning"),
            Severity::Info => (DIM, "info   "),
        };
        let _ = writeln!(
            out,
            "{} {}",
            paint(style, word),
            paint(BOLD, f.code.as_str())
        );
        out.push_str(&wrap(&f.message, "        ", width));
        if let Some(fix) = &f.fix {
            out.push_str(&wrap(&format!("Fix: {fix}"), "        ", width));
        }
        command_lines(&mut out, &f.commands, "          ");
    }
    if !assessment.next_steps.is_empty() {
        let _ = writeln!(out, "\n{}", paint(BOLD, "Next steps:"));
        for (i, step) in assessment.next_steps.iter().enumerate() {
            // A step that a finding's Fix just said (where to get an accepted
            // certificate, a paragraph) points back to it instead of saying it twice.
            let said = assessment.findings.iter().find(|f| {
                f.fix
                    .as_deref()
                    .is_some_and(|fix| fix.starts_with(step.text.as_str()))
            });
            let text = match said {
                Some(f) => format!("Follow the Fix of {} above.", f.code.as_str()),
                None => step.text.clone(),
            };
            let text = wrap(&text, "   ", width);
            let _ = write!(out, "{}.{}", i + 1, text.get(2..).unwrap_or_default());
            if said.is_none() {
                command_lines(&mut out, &step.commands, "     ");
            }
        }
    }
    let (errors, warnings) = (assessment.errors(), assessment.warnings());
    let notes = assessment.findings.len() - errors - warnings;
    let notes = match notes {
        0 => String::new(),
        n => format!(", {n} info"),
    };
    let _ = writeln!(
        out,
        "\n{}",
        paint(
            DIM,
            &format!(
                "{}, {}{notes}.",
                super::count(errors, "error", "errors"),
                super::count(warnings, "warning", "warnings"),
            )
        )
    );
    out
}

/// The leaf's private key as a PFX showed it; nothing for other formats (the next
/// steps say where the key must be).
fn key_line(status: Option<KeyStatus>, keys: &KeyRing) -> Option<String> {
    match status? {
        KeyStatus::Missing => Some(paint(RED, "private key: not in the PFX")),
        KeyStatus::Held { index, by } => {
            let key = keys.keys.get(index)?;
            let how = match by {
                KeyMatch::PublicKey => "",
                KeyMatch::LocalKeyId => ", paired by localKeyId",
            };
            let provider = match key.provider() {
                Some(p) => {
                    let text = p.to_string();
                    if p.kind == ProviderKind::Cng {
                        paint(RED, &text)
                    } else {
                        text
                    }
                }
                None => "no provider named (Windows uses its default on import)".to_owned(),
            };
            Some(format!(
                "private key: {} in {}{how}; {provider}",
                key.algorithm(),
                key.file()
            ))
        }
    }
}

/// One certificate (or absent issuer) in the tree: a title and detail lines.
struct Node {
    title: String,
    details: Vec<String>,
}

/// The path as a tree, leaf at the top, each issuer one level in:
///
/// ```text
///   CN=leaf
///   │  SHA-1 ...
///   └─ CN=issuer
///         SHA-1 ...
/// ```
fn tree(outcome: &Outcome, allowlist: &Allowlist, width: usize) -> Vec<String> {
    let mut nodes = path_nodes(outcome, allowlist);
    if let Some(top) = top_node(outcome, allowlist, &mut nodes) {
        nodes.push(top);
    }
    draw(nodes, width)
}

/// `✓ accepted ...` or `✗ ...`: the allowlist's word on a CA of the tree.
fn accepted_mark(identity: &Identity, allowlist: &Allowlist, at: time::OffsetDateTime) -> String {
    let m = mark(identity, allowlist, at);
    let sym = if m.accepted {
        paint(GREEN, "✓")
    } else {
        paint(RED, "✗")
    };
    format!("{sym} {}", m.words)
}

/// A node for each certificate of the path, leaf first.
fn path_nodes(outcome: &Outcome, allowlist: &Allowlist) -> Vec<Node> {
    let Outcome {
        pool,
        keys,
        chain,
        assessment,
    } = outcome;
    let at = assessment.at;
    let mut nodes: Vec<Node> = Vec::new();
    for (depth, &id) in chain.path.iter().enumerate() {
        let cert = pool.get(id);
        // The leaf's friendly name has a line of its own: the Windows store shows it.
        let from = match (depth, cert.friendly_name()) {
            (0, Some(_)) => format!("from {}", cert.origin()),
            _ => provenance(cert),
        };
        let mut details = vec![paint(DIM, &format!("{}  {from}", details(cert)))];
        let identity = assessment
            .identities
            .get(depth)
            .unwrap_or(&Identity::Unlisted);
        if depth == 0 {
            details.push(if cert.is_ca() {
                "the certificate checked: a CA certificate, so its thumbprint is not one for New-FederationTrust".to_owned()
            } else {
                "the certificate checked: its thumbprint is the one for New-FederationTrust".to_owned()
            });
            if let Some(name) = cert.friendly_name() {
                details.push(format!("friendly name: {name}"));
            }
            details.extend(key_line(assessment.private_key, keys));
            // A CA checked by mistake: say which listed CA it is (or pretends to be).
            if *identity != Identity::Unlisted {
                details.push(accepted_mark(identity, allowlist, at));
            }
        } else {
            details.push(accepted_mark(identity, allowlist, at));
        }
        match chain.signatures.get(depth) {
            Some(Verification::Weak(w)) => details.push(paint(
                YELLOW,
                &format!("signed by the next CA: genuine, but weak ({w})"),
            )),
            Some(Verification::Unsupported(a)) => details.push(paint(
                RED,
                &format!("signed by the next CA: not checked ({a} is not supported)"),
            )),
            _ => {}
        }
        nodes.push(Node {
            title: paint(BOLD, &cert.subject().to_string()),
            details,
        });
    }
    nodes
}

/// What is above the path's last certificate: nothing more (self-signed, where the
/// last node says so), the CA a loop returns to, the absent issuer, the candidate whose
/// key failed, or the budget's end.
fn top_node(outcome: &Outcome, allowlist: &Allowlist, nodes: &mut [Node]) -> Option<Node> {
    let Outcome {
        pool,
        chain,
        assessment,
        ..
    } = outcome;
    let depth = chain.path.len();
    let last = pool.get(chain.top_cert());
    Some(match &chain.top {
        Top::SelfSigned(_) => {
            if let Some(n) = nodes.last_mut() {
                n.details.push(paint(DIM, "self-signed"));
            }
            return None;
        }
        Top::Loop { back_to } => Node {
            title: paint(BOLD, &pool.get(*back_to).subject().to_string()),
            details: vec![paint(
                DIM,
                &format!(
                    "SHA-1 {}, already above: these CAs certify each other",
                    pool.get(*back_to).sha1()
                ),
            )],
        },
        Top::IssuerAbsent { listed_key, .. } => {
            let identity = match &assessment.direct_issuer {
                DirectIssuer::Absent { identity, .. } if depth == 1 => identity.clone(),
                _ => allowlist.identify_issuer_checked(last, listed_key.as_ref()),
            };
            let mut details = vec![paint(
                DIM,
                &last.aki().map_or_else(
                    || {
                        "not in the input; the certificate has no Authority Key Identifier"
                            .to_owned()
                    },
                    |k| format!("not in the input; Authority Key Identifier {k}"),
                ),
            )];
            match listed_key {
                Some(v) if v.is_genuine() => details.push(paint(
                    DIM,
                    "the signature below verified with the key the allowlist lists for this CA",
                )),
                Some(Verification::Invalid) => details.push(paint(
                    RED,
                    "✗ the signature below does not verify with the key the allowlist lists for this CA",
                )),
                _ => {}
            }
            if identity != Identity::Unlisted || depth == 1 {
                details.push(accepted_mark(&identity, allowlist, assessment.at));
            }
            Node {
                title: paint(BOLD, &last.issuer().to_string()),
                details,
            }
        }
        Top::SignatureInvalid { candidate } => {
            let cand = pool.get(*candidate);
            Node {
                title: paint(BOLD, &cand.subject().to_string()),
                details: vec![
                    paint(DIM, &details(cand)),
                    paint(RED, "✗ its key did not make the signature above"),
                ],
            }
        }
        Top::Truncated(_) => Node {
            title: paint(YELLOW, "(search stopped: path-building budget exhausted)"),
            details: Vec::new(),
        },
    })
}

/// The nodes as a tree: each under the one before, its details on the rail.
fn draw(nodes: Vec<Node>, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let count = nodes.len();
    for (depth, node) in nodes.into_iter().enumerate() {
        let indent = "   ".repeat(depth.saturating_sub(1));
        let branch = if depth == 0 { "" } else { "└─ " };
        let inner = "   ".repeat(depth);
        let rail = if depth + 1 < count { "│  " } else { "   " };
        let under = format!("  {inner}{rail}");
        // A long distinguished name wraps under itself, the rail kept.
        lines.push(wrap_hanging(
            &node.title,
            &format!("  {indent}{branch}"),
            &under,
            width,
        ));
        for d in node.details {
            lines.push(wrap_hanging(&d, &under, &format!("{under}  "), width));
        }
    }
    lines
}

/// The verdict in one sentence, with the codes that decide it: what `check -q` prints.
pub fn verdict_line(outcome: &Outcome) -> String {
    let leaf = outcome.pool.get(outcome.chain.leaf());
    match outcome.assessment.verdict {
        Verdict::Accepted => format!(
            "{} the MFG should accept {} for New-FederationTrust.",
            paint(GREEN.bold(), "ACCEPTED:"),
            leaf.subject().short()
        ),
        Verdict::Rejected => format!(
            "{} the MFG will not accept {} ({}).",
            paint(RED.bold(), "REJECTED:"),
            leaf.subject().short(),
            reasons(outcome)
        ),
        Verdict::Undetermined => format!(
            "{} the input does not show whether the MFG will accept {} ({}).",
            paint(YELLOW.bold(), "UNDETERMINED:"),
            leaf.subject().short(),
            reasons(outcome)
        ),
    }
}

/// The error codes, comma-separated, for the verdict line.
fn reasons(outcome: &Outcome) -> String {
    let codes = codes(outcome, Severity::Error);
    if codes.is_empty() {
        "its issuer is not an accepted CA".to_owned()
    } else {
        codes
    }
}

/// Lines a `--brief` report takes at most: it must fit a ticket's preview.
pub const BRIEF_LINES: usize = 10;

/// The `--brief` report: the verdict, the finding that decides it with its fix, and
/// one next command, in at most [`BRIEF_LINES`] lines. `full` is the command that
/// prints the whole report (the same check without --brief).
pub fn brief(outcome: &Outcome, width: usize, full: &str) -> String {
    let Outcome {
        pool,
        chain,
        assessment,
        ..
    } = outcome;
    let width = width.max(40);
    let leaf = pool.get(chain.leaf());
    let wrapped = |text: &str, first: &str| -> Vec<String> {
        let text = wrap_hanging(text, first, "  ", width);
        text.lines().map(str::to_owned).collect()
    };
    // A part of the report, wrapped, cut to `most` lines.
    let part = |text: &str, first: &str, most: usize| cut(wrapped(text, first), most, width);
    // The next command is never cut, or it could not be run as copied; one too long for
    // the report (a long list of files) is named instead of printed.
    // A command is one line however wide (never wrapped: pasting half of it runs the
    // cmdlet without its arguments), so its length is what counts.
    let command = |text: &str, instead: &str| {
        if visible_len(text) <= COMMAND_LINES * width {
            wrapped(text, "")
        } else {
            wrapped(instead, "")
        }
    };
    let mut lines: Vec<String> = Vec::new();
    match assessment.verdict {
        Verdict::Accepted => {
            lines.extend(part(
                &format!(
                    "ACCEPTED: the MFG should accept {} for New-FederationTrust.",
                    leaf.subject().short()
                ),
                "",
                2,
            ));
            let warnings = assessment.warnings();
            if warnings > 0 {
                let said = format!(
                    "{} ({})",
                    super::count(warnings, "warning", "warnings"),
                    codes(outcome, Severity::Warning)
                );
                lines.extend(command(
                    &format!("{said}; the full report: {full}"),
                    &format!("{said}; the full report: the same command without --brief."),
                ));
            }
            lines.extend(command(
                &format!(
                    "Next: New-FederationTrust -Name \"Microsoft Federation Gateway\" -Thumbprint {}",
                    leaf.sha1()
                ),
                "Next: New-FederationTrust with this certificate's SHA-1 thumbprint.",
            ));
        }
        Verdict::Rejected | Verdict::Undetermined => {
            let word = if assessment.verdict == Verdict::Rejected {
                "REJECTED: the MFG will not accept"
            } else {
                "UNDETERMINED: the input does not show whether the MFG will accept"
            };
            lines.extend(part(
                &format!("{word} {} ({}).", leaf.subject().short(), reasons(outcome)),
                "",
                2,
            ));
            let next = if assessment.verdict == Verdict::Undetermined {
                command(
                    &format!("Next: add the issuer's certificate: {full} intermediate.cer"),
                    "Next: add the issuer's certificate (intermediate.cer) to the same command without --brief.",
                )
            } else {
                command(
                    &format!("Next, every finding: {full}"),
                    "Next, every finding: the same command without --brief.",
                )
            };
            let deciding = assessment
                .findings
                .iter()
                .find(|f| f.severity() == Severity::Error);
            if let Some(f) = deciding {
                let mut fix = f
                    .fix
                    .as_deref()
                    .map(|fix| part(fix, "Fix: ", 2))
                    .unwrap_or_default();
                fix.extend(f.commands.iter().take(1).map(|c| format!("  {c}")));
                // The finding's message takes the lines the others leave.
                let room = BRIEF_LINES
                    .saturating_sub(lines.len() + fix.len() + next.len())
                    .clamp(1, 3);
                lines.extend(part(&f.message, &format!("{}: ", f.code), room));
                lines.extend(fix);
            }
            lines.extend(next);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Lines a `--brief` report gives its next command at most.
const COMMAND_LINES: usize = 4;

/// `taken` cut to `most` lines, the last ending with " …" (within `width`) when cut.
fn cut(mut taken: Vec<String>, most: usize, width: usize) -> Vec<String> {
    if taken.len() <= most {
        return taken;
    }
    taken.truncate(most);
    if let Some(last) = taken.last_mut() {
        // The mark must fit the width too: drop words until it does.
        while visible_len(last) + 2 > width {
            match last.trim_end().rsplit_once(' ') {
                Some((kept, _)) if !kept.trim().is_empty() => *last = kept.trim_end().to_owned(),
                _ => break,
            }
        }
        last.push_str(" …");
    }
    taken
}

/// The codes of `severity`, comma-separated, each once.
fn codes(outcome: &Outcome, severity: Severity) -> String {
    let mut codes: Vec<&str> = Vec::new();
    for f in &outcome.assessment.findings {
        if f.severity() == severity && !codes.contains(&f.code.as_str()) {
            codes.push(f.code.as_str());
        }
    }
    codes.join(", ")
}
