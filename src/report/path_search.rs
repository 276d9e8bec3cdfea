//! `check -v`: how the path was found. Every certificate whose issuer was looked
//! for, the candidates and the ones set aside, every signature check and its result,
//! every complete path and whether it became the best; when an allowance ran out,
//! which certificates fanned out most.

use super::style::{DIM, paint, wrap_hanging};
use crate::chain::{CertId, Decider, Exhausted, Flaw, Pool, Step, Top, Verification};
use crate::{Inspection, Outcome};

/// `"mail.contoso.com" (D8F5401D…)`: short enough for one line per step.
fn name(pool: &Pool, id: CertId) -> String {
    let cert = pool.get(id);
    let sha1 = cert.sha1().to_string();
    format!(
        "\"{}\" ({}…)",
        cert.subject().short(),
        sha1.get(..8).unwrap_or(&sha1)
    )
}

fn result_words(v: &Verification) -> String {
    match v {
        Verification::Valid => "valid".into(),
        Verification::Weak(w) => format!("valid, but weak ({w})"),
        Verification::Invalid => "INVALID: this key did not make the signature".into(),
        Verification::Unsupported(a) => format!("not checked ({a} is not supported)"),
    }
}

fn end_words(top: &Top) -> &'static str {
    match top {
        Top::SelfSigned(_) => "at a root (self-signed)",
        Top::IssuerAbsent { .. } => "where the issuer is not in the input",
        Top::Loop { .. } => "in a loop of CAs certifying each other",
        Top::SignatureInvalid { .. } => "at a signature that does not verify",
        Top::Truncated(_) => "where the budget ran out",
    }
}

/// What a flaw says of its certificate, for `check -v`.
fn flaw_words(pool: &Pool, flaw: &Flaw) -> String {
    match flaw {
        Flaw::OutOfDate(id) => format!("{} is out of date", name(pool, *id)),
        Flaw::Unverified(id) => format!("the signature on {} is not verified", name(pool, *id)),
        Flaw::NotCa(id) => format!("{} is not a CA certificate", name(pool, *id)),
        Flaw::PathLen(id) => format!("{}'s path length limit is exceeded", name(pool, *id)),
        Flaw::UnknownCritical(id) => {
            format!("{} has an unknown critical extension", name(pool, *id))
        }
    }
}

/// Why a path became the best, or why it lost to the best before it.
fn ranking_words(best: bool, decided_by: Option<Decider>) -> &'static str {
    match (best, decided_by) {
        (true, None) => ": the best so far",
        (true, Some(Decider::Flaws)) => ": the best so far (valid, where the one before was not)",
        (true, Some(Decider::Anchor)) => {
            ": the best so far (it reaches a listed CA nearer the leaf)"
        }
        (true, Some(Decider::Ending)) => ": the best so far (it ends better)",
        (true, Some(Decider::FlawCount)) => ": the best so far (fewer flaws)",
        (true, Some(Decider::Tie)) => ": the best so far",
        (false, Some(Decider::Flaws)) => ": lost, the best so far is valid and this one is not",
        (false, Some(Decider::Anchor)) => {
            ": lost, the best so far reaches a listed CA nearer the leaf"
        }
        (false, Some(Decider::Ending)) => ": lost, the best so far ends better",
        (false, Some(Decider::FlawCount)) => ": lost, the best so far has fewer flaws",
        (false, _) => ": not better than the one found before",
    }
}

fn exhausted_words(e: Exhausted) -> &'static str {
    match e {
        Exhausted::SignatureChecks => "the signature checks ran out",
        Exhausted::Depth => "the path reached the depth limit",
        Exhausted::Steps => "the search steps ran out",
    }
}

/// What one step of the search says: a line, and one for each of its findings
/// (indented two spaces: what came of looking for an issuer).
fn step_lines(pool: &Pool, step: &Step) -> Vec<String> {
    let mut lines = Vec::new();
    match step {
        Step::Issuers {
            cert,
            candidates,
            other_keys,
        } => {
            let listed: Vec<String> = candidates.iter().map(|&c| name(pool, c)).collect();
            lines.push(match listed.len() {
                0 => format!("issuer of {}: no candidate in the input", name(pool, *cert)),
                _ => format!(
                    "issuer of {}: {} ({})",
                    name(pool, *cert),
                    super::count(listed.len(), "candidate", "candidates"),
                    listed.join(", ")
                ),
            });
            for &other in other_keys {
                lines.push(format!(
                    "  set aside {}: its key identifier is not the Authority Key Identifier",
                    name(pool, other)
                ));
            }
        }
        Step::Signature {
            cert,
            issuer,
            result,
            cached,
        } => {
            let by = if cert == issuer {
                "its own key".to_owned()
            } else {
                name(pool, *issuer)
            };
            let cached = if *cached {
                paint(DIM, " (checked before)")
            } else {
                String::new()
            };
            lines.push(format!(
                "  signature of {} by {by}: {}{cached}",
                name(pool, *cert),
                result_words(result)
            ));
        }
        Step::ListedKey { cert, result } => lines.push(format!(
            "  signature of {} by the key the allowlist lists for \"{}\": {}",
            name(pool, *cert),
            pool.get(*cert).issuer().short(),
            result_words(result)
        )),
        Step::OnPath { cert, candidate } => lines.push(format!(
            "  set aside {} for {}: already on the path (a loop)",
            name(pool, *candidate),
            name(pool, *cert)
        )),
        Step::Ended {
            length,
            top,
            flaws,
            best,
            decided_by,
        } => {
            let flawed = if flaws.is_empty() {
                String::new()
            } else {
                let each: Vec<String> = flaws.iter().map(|f| flaw_words(pool, f)).collect();
                format!(", not valid: {}", each.join("; "))
            };
            lines.push(format!(
                "  a path of {length} ends {}{flawed}{}",
                end_words(top),
                ranking_words(*best, *decided_by)
            ));
        }
        Step::Exhausted(e) => lines.push(format!("  stopped: {}", exhausted_words(*e))),
    }
    lines
}

/// The search, one step a line (wrapped at `width`), after the report.
pub fn search_text(outcome: &Outcome, width: usize) -> String {
    let (pool, chain) = (&outcome.pool, &outcome.chain);
    let mut out = format!(
        "\nPath search ({}):\n",
        super::count(
            chain.signature_checks,
            "signature check",
            "signature checks"
        )
    );
    // Looking for an issuer at two spaces; what came of it at four.
    let mut line = |text: String| {
        let (first, rest) = match text.strip_prefix("  ") {
            Some(_) => ("    ", "        "),
            None => ("  ", "      "),
        };
        out.push_str(&wrap_hanging(text.trim_start(), first, rest, width));
    };
    let mut fan_out: Vec<(CertId, usize)> = Vec::new();
    for step in &chain.trace {
        if let Step::Issuers {
            cert, candidates, ..
        } = step
        {
            fan_out.push((*cert, candidates.len()));
        }
        step_lines(pool, step).into_iter().for_each(&mut line);
    }
    if let Some(e) = chain.exhausted {
        fan_out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        fan_out.dedup_by_key(|(id, _)| *id);
        let widest: Vec<String> = fan_out
            .iter()
            .take(5)
            .map(|(id, n)| format!("{} ({n})", name(pool, *id)))
            .collect();
        out.push_str(&wrap_hanging(
            &format!(
                "The search stopped because {}. Candidate issuers per certificate, most first: {}.",
                exhausted_words(e),
                widest.join(", ")
            ),
            "",
            "  ",
            width,
        ));
    }
    out
}

/// `inspect -v`: every signature check the issuer tree rests on, and the certificates
/// set aside for another key identifier.
pub fn forest_text(inspection: &Inspection, width: usize) -> String {
    let (pool, forest) = (&inspection.pool, &inspection.forest);
    let mut out = format!(
        "\nSignature checks ({}):\n",
        super::count(forest.checks.len(), "check", "checks")
    );
    for (cert, issuer, result) in &forest.checks {
        let by = if cert == issuer {
            "its own key".to_owned()
        } else {
            name(pool, *issuer)
        };
        out.push_str(&wrap_hanging(
            &format!(
                "signature of {} by {by}: {}",
                name(pool, *cert),
                result_words(result)
            ),
            "  ",
            "      ",
            width,
        ));
    }
    for (cert, other) in &forest.set_aside {
        out.push_str(&wrap_hanging(
            &format!(
                "set aside {} as the issuer of {}: its key identifier is not the Authority Key Identifier",
                name(pool, *other),
                name(pool, *cert)
            ),
            "  ",
            "      ",
            width,
        ));
    }
    if forest.exhausted {
        out.push_str(&wrap_hanging(
            &format!(
                "The signature budget ({}) ran out: the links after it are by name and key identifier only.",
                crate::chain::FOREST_SIGNATURE_BUDGET
            ),
            "",
            "  ",
            width,
        ));
    }
    out
}
