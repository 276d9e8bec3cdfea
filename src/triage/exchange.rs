//! What the Exchange Management Shell printed: `Get-ExchangeCertificate` (list, table,
//! CSV, JSON), `Get-FederationTrust`, `Test-FederationTrust` and
//! `Get-FederatedOrganizationIdentifier`, read from a paste into records that keep the
//! lines they came from. The judging is [`super::judge`]'s.

use crate::load::powershell::{self, Object};

use super::date::{self, Order, ShellDate};

/// A date as printed, with its reading(s).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct PrintedDate {
    /// As printed, in the admin's culture.
    pub text: String,
    /// RFC 3339; two when the day and month order is unknown.
    pub readings: Vec<String>,
    #[serde(skip)]
    pub parsed: ShellDate,
}

impl PrintedDate {
    fn read(text: &str, order: Option<Order>) -> Option<Self> {
        let parsed = date::parse(text, order)?;
        Some(Self {
            text: parsed.text.clone(),
            readings: parsed
                .readings
                .iter()
                .map(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default()
                })
                .collect(),
            parsed,
        })
    }
}

/// One certificate of `Get-ExchangeCertificate`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ExchangeCertificate {
    pub thumbprint: String,
    pub subject: Option<String>,
    /// Null from a table (Format-Table leaves the issuer out).
    pub issuer: Option<String>,
    pub not_before: Option<PrintedDate>,
    pub not_after: Option<PrintedDate>,
    pub services: Option<String>,
    pub has_private_key: Option<bool>,
    pub is_self_signed: Option<bool>,
    pub root_ca_type: Option<String>,
    pub status: Option<String>,
    pub public_key_size: Option<u32>,
    pub domains: Vec<String>,
    /// The console cut the domain list short (`...`).
    pub domains_cut: bool,
    /// First and last line of the paste it was read from.
    pub lines: (usize, usize),
}

/// A certificate Get-FederationTrust printed whole (`[Subject] ... [Thumbprint]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct PrintedCertificate {
    pub subject: Option<String>,
    pub issuer: Option<String>,
    pub serial: Option<String>,
    pub not_before: Option<PrintedDate>,
    pub not_after: Option<PrintedDate>,
    pub thumbprint: Option<String>,
}

/// A `Get-FederationTrust` object.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FederationTrust {
    pub name: Option<String>,
    /// OrgPrivCertificate: the thumbprint of the certificate in use.
    pub org_priv_certificate: Option<String>,
    pub org_certificate: Option<PrintedCertificate>,
    pub org_next_priv_certificate: Option<String>,
    pub org_next_certificate: Option<PrintedCertificate>,
    pub org_prev_priv_certificate: Option<String>,
    pub token_issuer_certificate: Option<PrintedCertificate>,
    pub token_issuer_prev_certificate: Option<PrintedCertificate>,
    pub token_issuer_metadata_epr: Option<String>,
    pub token_issuer_uri: Option<String>,
    pub lines: (usize, usize),
}

/// One `Id / Type / Message` block of `Test-FederationTrust`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct TrustTest {
    pub id: String,
    /// Success, Warning or Error.
    pub result: String,
    pub message: String,
    pub lines: (usize, usize),
}

/// One row of `Test-FederationTrustCertificate`: the federation certificate's state
/// on one server (table or Format-List form).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct CertificateState {
    pub site: Option<String>,
    pub server: String,
    /// Installed, NotInstalled, ...
    pub state: String,
    pub thumbprint: String,
    pub lines: (usize, usize),
}

/// A `Get-FederatedOrganizationIdentifier` object.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct OrganizationIdentifier {
    pub enabled: Option<bool>,
    pub account_namespace: Option<String>,
    pub domains: Vec<String>,
    pub delegation_trust_link: Option<String>,
    pub lines: (usize, usize),
}

/// Everything of the Exchange Management Shell found in a paste.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ShellFacts {
    pub exchange_certificates: Vec<ExchangeCertificate>,
    pub federation_trusts: Vec<FederationTrust>,
    pub trust_tests: Vec<TrustTest>,
    pub organization_identifiers: Vec<OrganizationIdentifier>,
    pub certificate_states: Vec<CertificateState>,
}

impl ShellFacts {
    pub fn is_empty(&self) -> bool {
        self.exchange_certificates.is_empty()
            && self.federation_trusts.is_empty()
            && self.trust_tests.is_empty()
            && self.organization_identifiers.is_empty()
            && self.certificate_states.is_empty()
    }
}

/// 40 hex digits, upper case, from a value that may carry spaces or marks.
fn thumbprint(value: &str) -> Option<String> {
    let hex: String = value.chars().filter(char::is_ascii_hexdigit).collect();
    (hex.len() == 40 && value.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 40)
        .then(|| hex.to_ascii_uppercase())
}

fn boolean(value: Option<&str>) -> Option<bool> {
    match value?.trim() {
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn text(o: &Object, name: &str) -> Option<String> {
    o.value(name).map(str::to_owned)
}

/// A certificate printed as `[Subject] CN=...\n[Issuer] ...\n[Thumbprint] ...`.
fn printed(value: &str, order: Option<Order>) -> Option<PrintedCertificate> {
    let mut c = PrintedCertificate::default();
    for line in value.lines() {
        let Some((label, rest)) = line
            .trim()
            .strip_prefix('[')
            .and_then(|l| l.split_once(']'))
        else {
            continue;
        };
        let rest = rest.trim();
        let v = (!rest.is_empty()).then(|| rest.to_owned());
        match label.to_ascii_lowercase().as_str() {
            "subject" => c.subject = v,
            "issuer" => c.issuer = v,
            "serial number" => c.serial = v,
            "not before" => c.not_before = PrintedDate::read(rest, order),
            "not after" => c.not_after = PrintedDate::read(rest, order),
            "thumbprint" => c.thumbprint = thumbprint(rest),
            _ => {}
        }
    }
    (c != PrintedCertificate::default()).then_some(c)
}

/// The order of slashed dates the whole paste shows, when some date tells it.
fn paste_order(objects: &[Object]) -> Option<Order> {
    let hints: Vec<Order> = objects
        .iter()
        .flat_map(|o| o.fields.iter())
        .flat_map(|(_, v)| {
            v.lines()
                .map(|l| {
                    l.trim()
                        .rsplit(']')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_owned()
                })
                .collect::<Vec<_>>()
        })
        .filter_map(|v| date::order_hint(&v))
        .collect();
    match (
        hints.contains(&Order::MonthFirst),
        hints.contains(&Order::DayFirst),
    ) {
        (true, false) => Some(Order::MonthFirst),
        (false, true) => Some(Order::DayFirst),
        _ => None,
    }
}

fn certificate(o: &Object, order: Option<Order>) -> Option<ExchangeCertificate> {
    // A "Thumbprint:" line alone (in an error message) is not Get-ExchangeCertificate.
    let described = ["Subject", "Issuer", "Services", "NotAfter", "HasPrivateKey"]
        .iter()
        .any(|f| o.get(f).is_some());
    if !described {
        return None;
    }
    let thumbprint = thumbprint(o.value("Thumbprint")?)?;
    let (domains, domains_cut) = o
        .value("CertificateDomains")
        .map(powershell::collection)
        .unwrap_or_default();
    Some(ExchangeCertificate {
        thumbprint,
        subject: text(o, "Subject"),
        issuer: text(o, "Issuer"),
        not_before: o
            .value("NotBefore")
            .and_then(|v| PrintedDate::read(v, order)),
        not_after: o
            .value("NotAfter")
            .and_then(|v| PrintedDate::read(v, order)),
        services: text(o, "Services"),
        has_private_key: boolean(o.get("HasPrivateKey")),
        is_self_signed: boolean(o.get("IsSelfSigned")),
        root_ca_type: text(o, "RootCAType"),
        status: text(o, "Status"),
        public_key_size: o.value("PublicKeySize").and_then(|v| v.parse().ok()),
        domains,
        domains_cut,
        lines: o.lines,
    })
}

fn trust(o: &Object, order: Option<Order>) -> FederationTrust {
    let cert = |name: &str| o.value(name).and_then(|v| printed(v, order));
    let thumb = |name: &str| o.value(name).and_then(thumbprint);
    FederationTrust {
        name: text(o, "Name"),
        org_priv_certificate: thumb("OrgPrivCertificate"),
        org_certificate: cert("OrgCertificate"),
        org_next_priv_certificate: thumb("OrgNextPrivCertificate"),
        org_next_certificate: cert("OrgNextCertificate"),
        org_prev_priv_certificate: thumb("OrgPrevPrivCertificate"),
        token_issuer_certificate: cert("TokenIssuerCertificate"),
        token_issuer_prev_certificate: cert("TokenIssuerPrevCertificate"),
        token_issuer_metadata_epr: text(o, "TokenIssuerMetadataEpr"),
        token_issuer_uri: text(o, "TokenIssuerUri"),
        lines: o.lines,
    }
}

/// Reads every Exchange Management Shell output in `text`.
pub fn read(paste: &str) -> ShellFacts {
    let objects = powershell::parse(paste, "paste").unwrap_or_default();
    let order = paste_order(&objects);
    let mut facts = ShellFacts::default();
    for o in &objects {
        if o.get("OrgPrivCertificate").is_some()
            || o.get("TokenIssuerUri").is_some()
            || o.get("OrgCertificate").is_some()
        {
            facts.federation_trusts.push(trust(o, order));
        } else if let (Some(id), Some(result)) = (o.value("Id"), o.value("Type"))
            && ["Success", "Warning", "Error"]
                .iter()
                .any(|t| t.eq_ignore_ascii_case(result))
        {
            facts.trust_tests.push(TrustTest {
                id: id.to_owned(),
                result: result.to_owned(),
                message: o.value("Message").unwrap_or_default().to_owned(),
                lines: o.lines,
            });
        } else if let (Some(server), Some(state), Some(thumb)) = (
            o.value("Server"),
            o.value("State"),
            o.value("Thumbprint").and_then(thumbprint),
        ) {
            facts.certificate_states.push(CertificateState {
                site: text(o, "Site"),
                server: server.to_owned(),
                state: state.to_owned(),
                thumbprint: thumb,
                lines: o.lines,
            });
        } else if o.get("AccountNamespace").is_some() || o.get("DelegationTrustLink").is_some() {
            facts.organization_identifiers.push(OrganizationIdentifier {
                enabled: boolean(o.get("Enabled")),
                account_namespace: text(o, "AccountNamespace"),
                domains: o
                    .value("Domains")
                    .map(|v| powershell::collection(v).0)
                    .unwrap_or_default(),
                delegation_trust_link: text(o, "DelegationTrustLink"),
                lines: o.lines,
            });
        } else if let Some(c) = certificate(o, order) {
            if !facts
                .exchange_certificates
                .iter()
                .any(|k| k.thumbprint == c.thumbprint)
            {
                facts.exchange_certificates.push(c);
            }
        }
    }
    facts
}
