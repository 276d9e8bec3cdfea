//! What the Exchange Management Shell output of a paste shows, judged without the
//! certificate files: by issuer NAME against the allowlist in use, by the dates
//! printed, by what the trust and its tests say. What cannot be judged without the
//! file is said, with the command that settles it.

use time::OffsetDateTime;

use super::exchange::{ExchangeCertificate, FederationTrust, PrintedDate, ShellFacts};
use crate::model::DistinguishedName;
use crate::policy::{Allowlist, Issuance, Profile, Standing};

/// One judgement: a knowledge-base id, the cause in this paste's words, the lines it
/// rests on, and the values its fix and next command are filled with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    pub id: &'static str,
    pub cause: String,
    /// For a Test-FederationTrust block: its message, which a more specific entry of
    /// the knowledge base may already explain.
    pub message: Option<String>,
    pub lines: Vec<(usize, usize)>,
    /// Placeholders of the entry's fix and next command: {thumbprint}, {accepted}, ...
    pub values: Vec<(&'static str, String)>,
}

/// What the judge found, and what it could not judge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Judgement {
    pub judged: Vec<Judged>,
    pub unjudged: Vec<String>,
}

/// Before, within or after a certificate's validity; `None` when a date is missing,
/// `Some(Err(..))` when the two readings of an ambiguous date disagree.
enum When {
    NotYet,
    Valid,
    Expired,
}

fn when(
    not_before: Option<&PrintedDate>,
    not_after: Option<&PrintedDate>,
    at: OffsetDateTime,
) -> Option<Result<When, String>> {
    let verdicts = |d: &PrintedDate, past: When, future: When| -> Result<When, String> {
        let mut seen: Vec<bool> = d.parsed.readings.iter().map(|t| *t < at).collect();
        seen.dedup();
        match seen.as_slice() {
            [true] => Ok(past),
            [false] => Ok(future),
            _ => Err(d.text.clone()),
        }
    };
    let after = not_after?;
    match verdicts(after, When::Expired, When::Valid) {
        Ok(When::Expired) => Some(Ok(When::Expired)),
        Err(text) => Some(Err(text)),
        Ok(_) => match not_before.map(|b| verdicts(b, When::Valid, When::NotYet)) {
            Some(Ok(When::NotYet)) => Some(Ok(When::NotYet)),
            Some(Err(text)) => Some(Err(text)),
            _ => Some(Ok(When::Valid)),
        },
    }
}

fn day(d: &PrintedDate) -> String {
    match d.readings.as_slice() {
        [one] => one.get(..10).unwrap_or(one).to_owned(),
        _ => d.text.clone(),
    }
}

fn label(c: &ExchangeCertificate) -> String {
    match &c.subject {
        Some(s) => format!("{} ({s})", c.thumbprint),
        None => c.thumbprint.clone(),
    }
}

/// Test-FederationTrustCertificate rows whose state is not Installed: a server that
/// lacks the federation certificate (and so fails federated requests).
fn not_installed(facts: &ShellFacts, out: &mut Judgement) {
    for row in facts
        .certificate_states
        .iter()
        .filter(|r| !r.state.eq_ignore_ascii_case("Installed"))
    {
        let site = row
            .site
            .as_deref()
            .map_or_else(String::new, |s| format!(" (site {s})"));
        out.judged.push(Judged {
            id: "federation-certificate-not-installed",
            cause: format!(
                "On {}{site}, the federation certificate {} is {}: Test-FederationTrustCertificate found it missing from that server's local computer store.",
                row.server, row.thumbprint, row.state
            ),
            message: None,
            lines: vec![row.lines],
            values: vec![
                ("thumbprint", row.thumbprint.clone()),
                ("server", row.server.clone()),
            ],
        });
    }
}

/// The CAs to buy from at `at`, as every piece of advice names them
/// ([`Allowlist::recommended_at`]): never one that cannot issue then or is unconfirmed.
fn accepted(allowlist: &Allowlist, at: OffsetDateTime) -> String {
    let names: Vec<&str> = allowlist
        .recommended_at(at)
        .map(|a| a.name.as_str())
        .collect();
    names.join("; ")
}

/// The federation certificates among those printed: with a trust in the paste, the
/// ones it names (perhaps none: the server lacks them); else those whose services
/// include Federation; else all of them.
fn federation_certificates(facts: &ShellFacts) -> Vec<&ExchangeCertificate> {
    let of_trust: Vec<&String> = facts
        .federation_trusts
        .iter()
        .flat_map(|t| {
            [
                t.org_priv_certificate.as_ref(),
                t.org_next_priv_certificate.as_ref(),
                t.org_certificate
                    .as_ref()
                    .and_then(|c| c.thumbprint.as_ref()),
            ]
        })
        .flatten()
        .collect();
    if !facts.federation_trusts.is_empty() {
        return facts
            .exchange_certificates
            .iter()
            .filter(|c| of_trust.contains(&&c.thumbprint))
            .collect();
    }
    let federation: Vec<&ExchangeCertificate> = facts
        .exchange_certificates
        .iter()
        .filter(|c| {
            c.services
                .as_deref()
                .is_some_and(|s| s.to_ascii_lowercase().contains("federation"))
        })
        .collect();
    if federation.is_empty() {
        facts.exchange_certificates.iter().collect()
    } else {
        federation
    }
}

fn judge_certificate(
    c: &ExchangeCertificate,
    allowlist: &Allowlist,
    at: OffsetDateTime,
    profile: Profile,
    out: &mut Judgement,
) {
    let mut add = |id: &'static str, cause: String| {
        let thumbprint = Some(&c.thumbprint);
        out.judged
            .push(judged(id, cause, vec![c.lines], thumbprint, allowlist, at));
    };
    let at_day = at.date().to_string();
    match when(c.not_before.as_ref(), c.not_after.as_ref(), at) {
        Some(Ok(When::Expired)) => add(
            "exchange-certificate-expired",
            format!(
                "{} expired on {} (judged at {at_day}).",
                label(c),
                c.not_after.as_ref().map(day).unwrap_or_default()
            ),
        ),
        Some(Ok(When::NotYet)) => add(
            "exchange-certificate-not-yet-valid",
            format!(
                "{} is valid only from {} (judged at {at_day}).",
                label(c),
                c.not_before.as_ref().map(day).unwrap_or_default()
            ),
        ),
        Some(Err(text)) => add(
            "exchange-certificate-date-ambiguous",
            format!(
                "The date \"{text}\" of {} reads as two different days (month first or day first), and one is before {at_day}, the other after: whether it has expired depends on which.",
                label(c)
            ),
        ),
        Some(Ok(When::Valid)) => {}
        None => out.unjudged.push(format!(
            "the validity of {}: its NotAfter is not in the paste (Get-ExchangeCertificate | Format-List shows it)",
            label(c)
        )),
    }
    if c.has_private_key == Some(false) {
        add(
            "exchange-certificate-no-private-key",
            format!(
                "{} has no private key on this server (HasPrivateKey False).",
                label(c)
            ),
        );
    }
    if let Some(bits) = c.public_key_size.filter(|&b| b < 2048) {
        add(
            "exchange-certificate-weak-key",
            format!("{} has a {bits}-bit key.", label(c)),
        );
    }
    let self_signed = c.is_self_signed == Some(true)
        || matches!((&c.subject, &c.issuer), (Some(s), Some(i)) if s == i);
    if self_signed {
        if profile == Profile::Exchange2010 {
            add(
                "exchange-certificate-self-signed",
                format!(
                    "{} is self-signed; the Exchange 2010 RTM rules need a certificate from an accepted CA.",
                    label(c)
                ),
            );
        }
        return;
    }
    judge_issuer(c, allowlist, at, out);
}

/// The issuer of an Exchange certificate, by name only (the paste has no key): a CA
/// the gateway accepts, one on the list but not accepted then, or none of its CAs.
fn judge_issuer(
    c: &ExchangeCertificate,
    allowlist: &Allowlist,
    at: OffsetDateTime,
    out: &mut Judgement,
) {
    let at_day = at.date().to_string();
    let mut add = |id: &'static str, cause: String| {
        let thumbprint = Some(&c.thumbprint);
        out.judged
            .push(judged(id, cause, vec![c.lines], thumbprint, allowlist, at));
    };
    let Some(issuer_text) = &c.issuer else {
        out.unjudged.push(format!(
            "the issuer of {}: the paste does not show it (Get-ExchangeCertificate | fl shows Issuer)",
            label(c)
        ));
        return;
    };
    let Ok(issuer) = DistinguishedName::parse(issuer_text) else {
        out.unjudged.push(format!(
            "the issuer of {}: \"{issuer_text}\" is not a readable name",
            label(c)
        ));
        return;
    };
    // A name read from pasted text may carry a stray space where a console or a mail
    // client wrapped it ("S=Be rlin", "C =GB"): compared without white space too, so a
    // wrap never turns a listed issuer into an unlisted one.
    let squeezed = |text: &str| {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        DistinguishedName::parse(&t).ok()
    };
    let issuer_squeezed = squeezed(issuer_text);
    let listed = allowlist.authorities().iter().find(|a| {
        a.subject.matches_either_order(&issuer)
            || issuer_squeezed.as_ref().is_some_and(|i| {
                squeezed(&a.subject.to_string()).is_some_and(|s| s.matches_either_order(i))
            })
    });
    match listed {
        Some(a) if a.standing(at) == Standing::Accepted => add(
            "exchange-certificate-issuer-listed",
            format!(
                "{} was issued by \"{}\", by name the accepted CA {}.",
                label(c),
                issuer.short(),
                a.name
            ),
        ),
        _ if allowlist.issuance() == Issuance::Chain => out.unjudged.push(format!(
            "the issuer of {} under the later rules: \"{}\" is not a listed root, and whether it chains to one needs the file",
            label(c),
            issuer.short()
        )),
        Some(a) => add(
            "exchange-certificate-issuer-unlisted",
            format!(
                "{} was issued by \"{}\": {} is on the list, but {}.",
                label(c),
                issuer.short(),
                a.name,
                match a.standing(at) {
                    Standing::NotYet(d) => format!("accepted only from {d}"),
                    Standing::Ended(d) => format!("no longer accepted since {d}"),
                    Standing::Requested => "only requested, never confirmed".to_owned(),
                    Standing::Removed => "removed".to_owned(),
                    Standing::Accepted => format!("not accepted at {at_day}"),
                }
            ),
        ),
        None => add(
            "exchange-certificate-issuer-unlisted",
            format!(
                "{} was issued by \"{}\", which is not a CA the gateway accepts.",
                label(c),
                issuer.short()
            ),
        ),
    }
}

/// What a judgement of a certificate or a trust found: the thumbprint (or a
/// placeholder) and the accepted CAs fill the entry's fix.
fn judged(
    id: &'static str,
    cause: String,
    lines: Vec<(usize, usize)>,
    thumbprint: Option<&String>,
    allowlist: &Allowlist,
    at: OffsetDateTime,
) -> Judged {
    Judged {
        id,
        cause,
        message: None,
        lines,
        values: vec![
            (
                "thumbprint",
                thumbprint.cloned().unwrap_or_else(|| "<thumbprint>".into()),
            ),
            ("accepted", accepted(allowlist, at)),
        ],
    }
}

/// One federation trust: its certificate missing from the server, expired, a next one
/// pending, or the gateway's token-signing certificate expired.
fn judge_trust(
    t: &FederationTrust,
    facts: &ShellFacts,
    allowlist: &Allowlist,
    at: OffsetDateTime,
    out: &mut Judgement,
) {
    let at_day = at.date().to_string();
    let name = t.name.as_deref().unwrap_or("the federation trust");
    let current = t.org_priv_certificate.clone().or_else(|| {
        t.org_certificate
            .as_ref()
            .and_then(|c| c.thumbprint.clone())
    });
    let mut push =
        |id: &'static str, cause: String, lines: Vec<(usize, usize)>, thumb: Option<&String>| {
            out.judged
                .push(judged(id, cause, lines, thumb, allowlist, at));
        };
    if let Some(thumb) = &current
        && !facts.exchange_certificates.is_empty()
        && !facts
            .exchange_certificates
            .iter()
            .any(|c| &c.thumbprint == thumb)
    {
        let mut lines = vec![t.lines];
        lines.extend(facts.exchange_certificates.iter().map(|c| c.lines));
        push(
            "federation-certificate-not-on-server",
            format!(
                "{name} uses the certificate {thumb}, which is not among the {} certificates Get-ExchangeCertificate printed.",
                facts.exchange_certificates.len()
            ),
            lines,
            Some(thumb),
        );
    }
    // Expired: from the trust's own printed certificate, else the server's entry.
    let printed_expired = t
        .org_certificate
        .as_ref()
        .and_then(|c| when(c.not_before.as_ref(), c.not_after.as_ref(), at))
        .map(|w| matches!(w, Ok(When::Expired)));
    let entry = current.as_ref().and_then(|th| {
        facts
            .exchange_certificates
            .iter()
            .find(|c| &c.thumbprint == th)
    });
    let entry_expired = entry
        .and_then(|c| when(c.not_before.as_ref(), c.not_after.as_ref(), at))
        .map(|w| matches!(w, Ok(When::Expired)));
    if printed_expired == Some(true) || entry_expired == Some(true) {
        let until = t
            .org_certificate
            .as_ref()
            .and_then(|c| c.not_after.as_ref())
            .or_else(|| entry.and_then(|c| c.not_after.as_ref()))
            .map(day)
            .unwrap_or_default();
        let mut lines = vec![t.lines];
        lines.extend(entry.map(|c| c.lines));
        push(
            "federation-certificate-expired",
            format!(
                "The organisation certificate of {name} expired on {until} (judged at {at_day})."
            ),
            lines,
            current.as_ref(),
        );
    }
    let next = t.org_next_priv_certificate.clone().or_else(|| {
        t.org_next_certificate
            .as_ref()
            .and_then(|c| c.thumbprint.clone())
    });
    if let Some(next) = next.filter(|n| Some(n) != current.as_ref()) {
        push(
            "federation-next-certificate-pending",
            format!("{name} has the next certificate {next} set, not yet published."),
            vec![t.lines],
            Some(&next),
        );
    }
    if let Some(token) = &t.token_issuer_certificate
        && let Some(Ok(When::Expired)) =
            when(token.not_before.as_ref(), token.not_after.as_ref(), at)
    {
        push(
            "token-issuer-certificate-expired",
            format!(
                "The gateway's token-signing certificate {name} holds expired on {} (judged at {at_day}).",
                token.not_after.as_ref().map(day).unwrap_or_default()
            ),
            vec![t.lines],
            None,
        );
    }
}

/// The checks of `Test-FederationTrust` that failed or warned, each as the error it
/// stands for (or as more lines of the same error found from the printed values).
fn judge_tests(facts: &ShellFacts, allowlist: &Allowlist, at: OffsetDateTime, out: &mut Judgement) {
    for test in &facts.trust_tests {
        if test.result.eq_ignore_ascii_case("Success") {
            continue;
        }
        let lower = test.message.to_ascii_lowercase();
        let id: &'static str = match test.id.to_ascii_lowercase().as_str() {
            "organizationcertificate" | "organizationnextcertificate"
                if lower.contains("expired") =>
            {
                "federation-certificate-expired"
            }
            "organizationcertificate" | "organizationnextcertificate" => {
                "federation-certificate-not-on-server"
            }
            "stscertificate" | "stspreviouscertificate" => "token-issuer-certificate-expired",
            "organizationpreviouscertificate" => "federation-test-previous-certificate",
            "federationmetadata" => "federation-test-metadata",
            "tokenrequest" | "tokenvalidation" | "token" => "federation-test-token",
            _ => "federation-test-configuration",
        };
        // The trust's own judgement already said it, from the printed values.
        if out.judged.iter().any(|j| j.id == id) {
            if let Some(j) = out.judged.iter_mut().find(|j| j.id == id) {
                j.lines.push(test.lines);
            }
            continue;
        }
        out.judged.push(Judged {
            id,
            cause: format!(
                "Test-FederationTrust: {} {}: {}",
                test.id, test.result, test.message
            ),
            message: Some(test.message.clone()),
            lines: vec![test.lines],
            values: vec![
                ("thumbprint", "<thumbprint>".into()),
                ("accepted", accepted(allowlist, at)),
            ],
        });
    }
}

/// Judges everything of the Exchange Management Shell in the paste.
pub fn judge(
    facts: &ShellFacts,
    allowlist: &Allowlist,
    at: OffsetDateTime,
    profile: Profile,
) -> Judgement {
    let mut out = Judgement::default();
    for c in federation_certificates(facts) {
        judge_certificate(c, allowlist, at, profile, &mut out);
    }
    not_installed(facts, &mut out);
    for t in &facts.federation_trusts {
        judge_trust(t, facts, allowlist, at, &mut out);
    }
    judge_tests(facts, allowlist, at, &mut out);
    out
}
