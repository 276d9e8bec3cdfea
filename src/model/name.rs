//! Distinguished names: read from certificates and from text, compared the way
//! RFC 5280 section 7.1 asks (case-insensitive, white space folded), shown the way
//! Windows shows them (`CN=..., O=..., C=US`).
//!
//! Issuer lookup and allowlist matching both hinge on name equality, and real CAs
//! differ from their own listings in case and spacing, so there is one comparison,
//! through [`DistinguishedName::key`], used everywhere.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use x509_parser::asn1_rs::{Oid, Tag};
use x509_parser::x509::X509Name;

use super::oid::OidTable;

/// Attribute types with the keywords people write. The first keyword is the one
/// Windows prints; the others are accepted when parsing.
const ATTRIBUTE_TYPES: &[(&str, &[&str])] = &[
    ("2.5.4.3", &["CN", "COMMONNAME"]),
    ("2.5.4.4", &["SN", "SURNAME"]),
    ("2.5.4.5", &["SERIALNUMBER", "SERIAL_NUMBER"]),
    ("2.5.4.6", &["C", "COUNTRYNAME"]),
    ("2.5.4.7", &["L", "LOCALITYNAME"]),
    ("2.5.4.8", &["S", "ST", "STATEORPROVINCENAME"]),
    ("2.5.4.9", &["STREET", "STREETADDRESS"]),
    ("2.5.4.10", &["O", "ORGANIZATIONNAME"]),
    ("2.5.4.11", &["OU", "ORGANIZATIONALUNITNAME"]),
    ("2.5.4.12", &["T", "TITLE"]),
    ("2.5.4.15", &["BUSINESSCATEGORY"]),
    ("2.5.4.17", &["POSTALCODE"]),
    ("2.5.4.42", &["G", "GN", "GIVENNAME"]),
    ("2.5.4.43", &["I", "INITIALS"]),
    ("2.5.4.46", &["DNQUALIFIER"]),
    ("2.5.4.97", &["ORGANIZATIONIDENTIFIER"]),
    ("1.2.840.113549.1.9.1", &["E", "EMAIL", "EMAILADDRESS"]),
    ("0.9.2342.19200300.100.1.25", &["DC", "DOMAINCOMPONENT"]),
    ("0.9.2342.19200300.100.1.1", &["UID", "USERID"]),
    ("1.3.6.1.4.1.311.60.2.1.1", &["JURISDICTIONL"]),
    ("1.3.6.1.4.1.311.60.2.1.2", &["JURISDICTIONST"]),
    ("1.3.6.1.4.1.311.60.2.1.3", &["JURISDICTIONC"]),
];

/// Attribute types looked up by encoding: reading a name formats no OID.
static ATTRIBUTE_OIDS: OidTable<&[&str]> = OidTable::new(ATTRIBUTE_TYPES);

fn keyword_for(oid: &str) -> Option<&'static str> {
    ATTRIBUTE_TYPES
        .iter()
        .find(|(o, _)| *o == oid)
        .and_then(|(_, names)| names.first().copied())
}

fn oid_for(keyword: &str) -> Option<&'static str> {
    let upper = keyword.to_ascii_uppercase();
    ATTRIBUTE_TYPES
        .iter()
        .find(|(_, names)| names.contains(&upper.as_str()))
        .map(|(oid, _)| *oid)
}

/// One attribute of a name, such as `CN=Go Daddy Secure Certification Authority`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Dotted OID of the attribute type.
    pub oid: Cow<'static, str>,
    /// The value as text.
    pub value: String,
}

/// A relative distinguished name: usually one attribute, sometimes several joined by `+`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rdn(pub Vec<Attribute>);

/// A distinguished name with its comparison key computed once.
///
/// RDNs are kept in encoding order (most general first, `C=` usually first), the
/// order in which certificates store them. Shared (`Arc`): a copy costs nothing, so
/// a scan keeps the issuer names its leaves repeat, read once.
#[derive(Clone, Debug)]
pub struct DistinguishedName(Arc<Name>);

#[derive(Debug)]
struct Name {
    rdns: Vec<Rdn>,
    key: NameKey,
    /// The key of the RDNs in reverse order, worked out on first use: allowlist
    /// names are compared with thousands of certificates in either order.
    reversed: OnceLock<NameKey>,
}

/// The normalised form two names are compared by: type OIDs, values case-folded
/// and white space collapsed, multi-valued RDNs sorted. Equal keys mean equal names.
///
/// It carries a hash of itself, worked out once: issuer lookup indexes names by it,
/// and unequal names almost always differ there first.
#[derive(Clone, Debug)]
pub struct NameKey {
    text: String,
    hash: u64,
}

impl NameKey {
    fn new(text: String) -> Self {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        text.hash(&mut hasher);
        Self {
            hash: hasher.finish(),
            text,
        }
    }

    /// A hash of the key: equal keys have equal hashes.
    pub fn hash_value(&self) -> u64 {
        self.hash
    }
}

impl PartialEq for NameKey {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}
impl Eq for NameKey {}

impl std::hash::Hash for NameKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Case-folds and collapses white space, as RFC 5280 7.1 (via RFC 4518) asks.
fn fold_into(out: &mut String, value: &str) {
    for (i, word) in value.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
}

/// `type=folded value`, the key of one attribute.
fn attribute_key(out: &mut String, attribute: &Attribute) {
    out.push_str(&attribute.oid);
    out.push('=');
    fold_into(out, &attribute.value);
}

/// Built in one string: names are read for every certificate a scan meets, and an
/// RDN almost always holds one attribute, which needs no sorting.
fn compute_key<'a>(rdns: impl Iterator<Item = &'a Rdn>) -> NameKey {
    let mut key = String::with_capacity(128);
    for rdn in rdns {
        match rdn.0.as_slice() {
            [one] => attribute_key(&mut key, one),
            several => {
                let mut parts: Vec<String> = several
                    .iter()
                    .map(|a| {
                        let mut part = String::new();
                        attribute_key(&mut part, a);
                        part
                    })
                    .collect();
                parts.sort();
                key.push_str(&parts.join("\u{1}"));
            }
        }
        key.push('\u{2}');
    }
    NameKey::new(key)
}

impl PartialEq for DistinguishedName {
    fn eq(&self, other: &Self) -> bool {
        self.0.key == other.0.key
    }
}
impl Eq for DistinguishedName {}

/// Why a textual name could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("empty name")]
    Empty,
    #[error("'{0}' has no '=' (expected TYPE=value)")]
    MissingEquals(String),
    #[error(
        "unknown attribute type '{0}' (use CN, OU, O, L, S/ST, C, E, DC, SERIALNUMBER, ... or a dotted OID)"
    )]
    UnknownType(String),
    #[error("unterminated quoted value")]
    UnterminatedQuote,
    #[error("bad escape sequence at the end of '{0}'")]
    BadEscape(String),
}

impl DistinguishedName {
    /// Builds a name from RDNs in encoding order.
    pub fn from_rdns(rdns: Vec<Rdn>) -> Self {
        let key = compute_key(rdns.iter());
        Self(Arc::new(Name {
            rdns,
            key,
            reversed: OnceLock::new(),
        }))
    }

    /// Reads a certificate's name, decoding every ASN.1 string type CAs have used.
    pub fn from_x509(name: &X509Name<'_>) -> Self {
        Self::from_encoded(name.iter().map(|rdn| {
            rdn.iter().map(|atv| {
                let value = atv.attr_value();
                (atv.attr_type().clone(), value.tag(), value.data)
            })
        }))
    }

    /// A certificate's name from its attributes as encoded: per RDN, each attribute's
    /// type, and its value's tag and contents: how [`Self::from_x509`] reads a
    /// certificate's names.
    pub(crate) fn from_encoded<'a, R, A>(rdns: R) -> Self
    where
        R: Iterator<Item = A>,
        A: Iterator<Item = (Oid<'a>, Tag, &'a [u8])>,
    {
        let rdns = rdns
            .map(|attributes| {
                Rdn(attributes
                    .map(|(oid, tag, data)| Attribute {
                        oid: ATTRIBUTE_OIDS.dotted(&oid),
                        value: decode_string(tag, data),
                    })
                    .collect())
            })
            .collect();
        Self::from_rdns(rdns)
    }

    /// Parses a name written by a person or a tool, in any of the forms admins meet:
    /// RFC 4514 (`CN=a,O=b\, Inc.,C=US`), Windows (`CN=a, O="b, Inc.", C=US`),
    /// OpenSSL (`C = US, O = b, CN = a`) and OpenSSL's old slash form (`/C=US/O=b/CN=a`).
    ///
    /// Text forms other than the slash form are taken as most-specific-first, the
    /// RFC 4514 convention; [`Self::matches_either_order`] absorbs the OpenSSL order.
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        if let Some(rest) = text.strip_prefix('/') {
            let rdns = rest
                .split('/')
                .filter(|p| !p.trim().is_empty())
                .map(|part| parse_attribute(part).map(|a| Rdn(vec![a])))
                .collect::<Result<Vec<_>, _>>()?;
            if rdns.is_empty() {
                return Err(NameError::Empty);
            }
            return Ok(Self::from_rdns(rdns));
        }
        let mut rdns = split_rdns(text)?
            .into_iter()
            .map(|attrs| {
                attrs
                    .iter()
                    .map(|a| parse_attribute_unescaped(a))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Rdn)
            })
            .collect::<Result<Vec<_>, _>>()?;
        rdns.reverse();
        Ok(Self::from_rdns(rdns))
    }

    /// RDNs in encoding order.
    pub fn rdns(&self) -> &[Rdn] {
        &self.0.rdns
    }

    /// The comparison key; equal keys mean the names match under RFC 5280 rules.
    pub fn key(&self) -> &NameKey {
        &self.0.key
    }

    /// Equal names, RDNs in the same order.
    pub fn matches(&self, other: &Self) -> bool {
        self.0.key == other.0.key
    }

    /// Equal names with the RDNs of one in either order: for names typed by people,
    /// who write them most-specific-first (RFC 4514, Windows) or the other way (OpenSSL).
    pub fn matches_either_order(&self, other: &Self) -> bool {
        self.matches(other)
            || *self
                .0
                .reversed
                .get_or_init(|| compute_key(self.0.rdns.iter().rev()))
                == other.0.key
    }

    /// True when the name has no attributes at all (some end-entity certificates
    /// carry only a subjectAltName).
    pub fn is_empty(&self) -> bool {
        self.0.rdns.iter().all(|r| r.0.is_empty())
    }

    /// The value of the most specific attribute of a type, e.g. the CN.
    pub fn first(&self, oid: &str) -> Option<&str> {
        self.0
            .rdns
            .iter()
            .rev()
            .flat_map(|r| r.0.iter())
            .find(|a| a.oid == oid)
            .map(|a| a.value.as_str())
    }

    /// The common name, or the whole name when there is none: what to call a
    /// certificate in one line. Borrowed when there is a common name (nearly always):
    /// findings name certificates this way, thousands of times in a scan.
    pub fn short(&self) -> Cow<'_, str> {
        match self.first("2.5.4.3") {
            Some(cn) => Cow::Borrowed(cn),
            None => Cow::Owned(self.to_string()),
        }
    }
}

/// Windows form: most specific first, `, ` between RDNs, ` + ` inside one, values
/// quoted when they hold a separator (`O="GoDaddy.com, Inc."`).
impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.0.rdns.iter().rev().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            for (j, attr) in rdn.0.iter().enumerate() {
                if j > 0 {
                    f.write_str(" + ")?;
                }
                match keyword_for(&attr.oid) {
                    Some(k) => f.write_str(k)?,
                    None => write!(f, "OID.{}", attr.oid)?,
                }
                f.write_str("=")?;
                let v = &attr.value;
                let needs_quotes = v.is_empty()
                    || v.starts_with(' ')
                    || v.ends_with(' ')
                    || v.contains([',', '+', '=', '"', '\n', '<', '>', '#', ';']);
                if needs_quotes {
                    write!(f, "\"{}\"", v.replace('"', "\"\""))?;
                } else {
                    f.write_str(v)?;
                }
            }
        }
        Ok(())
    }
}

impl serde::Serialize for DistinguishedName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for DistinguishedName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DistinguishedName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "description": "A distinguished name in the Windows form: CN=..., O=..., C=US", "type": "string" })
    }
}

/// Decodes a DirectoryString (and the other string types names use) to text.
fn decode_string(tag: Tag, data: &[u8]) -> String {
    match tag {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::VisibleString
        | Tag::NumericString => match std::str::from_utf8(data) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(data).into_owned(),
        },
        // T.61 in theory; in practice CAs put Latin-1 there.
        Tag::TeletexString => data.iter().map(|&b| char::from(b)).collect(),
        Tag::BmpString => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([*c.first().unwrap_or(&0), *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        Tag::UniversalString => data
            .chunks(4)
            .map(|c| {
                let mut b = [0u8; 4];
                for (slot, byte) in b.iter_mut().zip(c) {
                    *slot = *byte;
                }
                char::from_u32(u32::from_be_bytes(b)).unwrap_or('\u{FFFD}')
            })
            .collect(),
        _ => format!("#{}", hex::encode_upper(data)),
    }
}

/// Splits `a=1+b=2, c=3` into RDNs of raw (still escaped or quoted) attributes,
/// honouring quotes and backslash escapes.
fn split_rdns(text: &str) -> Result<Vec<Vec<String>>, NameError> {
    let mut rdns = vec![];
    let mut attrs = vec![];
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                match chars.next() {
                    Some(n) => current.push(n),
                    None => return Err(NameError::BadEscape(current)),
                }
            }
            '"' => {
                // A doubled quote inside quotes is Windows' escaped quote.
                if in_quotes && chars.peek() == Some(&'"') {
                    current.push_str("\"\"");
                    chars.next();
                } else {
                    in_quotes = !in_quotes;
                    current.push(c);
                }
            }
            ',' | ';' if !in_quotes => {
                attrs.push(std::mem::take(&mut current));
                rdns.push(std::mem::take(&mut attrs));
            }
            '+' if !in_quotes => attrs.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if in_quotes {
        return Err(NameError::UnterminatedQuote);
    }
    attrs.push(current);
    rdns.push(attrs);
    // A trailing separator leaves an empty attribute; ignore it, as people do.
    for rdn in &mut rdns {
        rdn.retain(|a| !a.trim().is_empty());
    }
    rdns.retain(|r| !r.is_empty());
    if rdns.is_empty() {
        return Err(NameError::Empty);
    }
    Ok(rdns)
}

fn attribute_type(raw: &str) -> Result<Cow<'static, str>, NameError> {
    let t = raw.trim();
    let t = t
        .strip_prefix("OID.")
        .or_else(|| t.strip_prefix("oid."))
        .unwrap_or(t);
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Ok(Cow::Owned(t.to_owned()));
    }
    oid_for(t)
        .map(Cow::Borrowed)
        .ok_or_else(|| NameError::UnknownType(t.to_owned()))
}

/// `TYPE=value` with the value taken literally (slash form).
fn parse_attribute(raw: &str) -> Result<Attribute, NameError> {
    let (t, v) = raw
        .split_once('=')
        .ok_or_else(|| NameError::MissingEquals(raw.trim().to_owned()))?;
    Ok(Attribute {
        oid: attribute_type(t)?,
        value: v.trim().to_owned(),
    })
}

/// `TYPE=value` with RFC 4514 escapes or Windows quotes in the value.
fn parse_attribute_unescaped(raw: &str) -> Result<Attribute, NameError> {
    let (t, v) = raw
        .split_once('=')
        .ok_or_else(|| NameError::MissingEquals(raw.trim().to_owned()))?;
    let oid = attribute_type(t)?;
    let v = v.trim();
    let value = if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let inner = &v[1..v.len() - 1];
        unescape(&inner.replace("\"\"", "\""))?
    } else {
        unescape(v)?
    };
    Ok(Attribute { oid, value })
}

/// Resolves RFC 4514 escapes: `\,` and friends, and `\XX` hex pairs (UTF-8 bytes).
fn unescape(v: &str) -> Result<String, NameError> {
    let mut bytes = Vec::with_capacity(v.len());
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some(n) = chars.next() else {
            return Err(NameError::BadEscape(v.to_owned()));
        };
        match (n.to_digit(16), chars.peek().and_then(|p| p.to_digit(16))) {
            (Some(hi), Some(lo)) => {
                chars.next();
                bytes.push((hi * 16 + lo) as u8);
            }
            _ => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(n.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> DistinguishedName {
        DistinguishedName::parse(s).unwrap()
    }

    #[test]
    fn the_three_text_forms_agree() {
        let rfc = n("CN=Go Daddy Secure Certification Authority,O=GoDaddy.com\\, Inc.,C=US");
        let windows =
            n("CN=Go Daddy Secure Certification Authority, O=\"GoDaddy.com, Inc.\", C=US");
        let openssl =
            n("C = US, O = \"GoDaddy.com, Inc.\", CN = Go Daddy Secure Certification Authority");
        let slash = n("/C=US/O=GoDaddy.com, Inc./CN=Go Daddy Secure Certification Authority");
        assert!(rfc.matches(&windows));
        assert!(!rfc.matches(&openssl), "OpenSSL order is the reverse");
        assert!(rfc.matches_either_order(&openssl));
        assert!(openssl.matches_either_order(&rfc), "symmetric");
        assert!(rfc.matches(&slash), "slash form is in encoding order");
    }

    #[test]
    fn comparison_folds_case_and_white_space() {
        let a = n("CN=Entrust.net  Secure Server Certification Authority, O=Entrust.net, C=US");
        let b = n("cn=ENTRUST.NET Secure server certification authority ,o=entrust.net,c=us");
        assert!(a.matches(&b));
        assert!(b.matches(&a));
        assert!(!a.matches(&n(
            "CN=Entrust.net Secure Server Certification Authority, C=US"
        )));
    }

    #[test]
    fn aliases_and_oids_name_the_same_type() {
        assert!(n("S=Arizona, C=US").matches(&n("ST=Arizona, C=US")));
        assert!(n("E=a@b.c").matches(&n("emailAddress=a@b.c")));
        assert!(n("SERIALNUMBER=07969287").matches(&n("2.5.4.5=07969287")));
        assert!(n("OID.2.5.4.5=07969287").matches(&n("serialNumber=07969287")));
    }

    #[test]
    fn names_read_from_der_keep_known_and_unknown_types() {
        use x509_parser::prelude::FromDer;
        // CN=a, then an attribute of type 1.2.3.4 = "B \u{c9}cole" in UTF-8.
        let mut der = vec![0x30, 0x1e, 0x31, 0x0a, 0x30, 0x08];
        der.extend([0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, b'a']);
        der.extend([
            0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x0c, 0x07,
        ]);
        der.extend("B \u{c9}col".as_bytes());
        let (_, x509) = X509Name::from_der(&der).expect("a DER name");
        let name = DistinguishedName::from_x509(&x509);
        assert_eq!(name.to_string(), "OID.1.2.3.4=B \u{c9}col, CN=a");
        assert_eq!(name.first("2.5.4.3"), Some("a"));
        assert!(
            name.matches(&n("1.2.3.4=b  \u{e9}COL, cn=A")),
            "non-ASCII folds too"
        );
        assert!(!name.matches(&n("1.2.3.4=b ecol, cn=A")));
    }

    #[test]
    fn escapes_and_multivalued_rdns() {
        let a = n("CN=a\\2Cb+OU=x, C=US");
        assert_eq!(a.rdns().len(), 2);
        assert_eq!(a.rdns()[1].0.len(), 2);
        assert_eq!(a.first("2.5.4.3"), Some("a,b"));
        assert!(
            a.matches(&n("OU=x+CN=a\\,b,C=US")),
            "order inside an RDN does not matter"
        );
    }

    #[test]
    fn windows_display_quotes_values_with_separators() {
        let a =
            n("CN=Go Daddy Secure Certification Authority,O=GoDaddy.com\\, Inc.,ST=Arizona,C=US");
        assert_eq!(
            a.to_string(),
            "CN=Go Daddy Secure Certification Authority, O=\"GoDaddy.com, Inc.\", S=Arizona, C=US"
        );
        // What we print, we read back.
        assert!(n(&a.to_string()).matches(&a));
        assert_eq!(a.short(), "Go Daddy Secure Certification Authority");
    }

    #[test]
    fn bad_names_are_refused_with_a_reason() {
        assert_eq!(DistinguishedName::parse("  "), Err(NameError::Empty));
        assert!(matches!(
            DistinguishedName::parse("CN"),
            Err(NameError::MissingEquals(_))
        ));
        assert!(matches!(
            DistinguishedName::parse("XYZ=1"),
            Err(NameError::UnknownType(_))
        ));
        assert_eq!(
            DistinguishedName::parse("O=\"abc"),
            Err(NameError::UnterminatedQuote)
        );
        assert!(matches!(
            DistinguishedName::parse("O=abc\\"),
            Err(NameError::BadEscape(_))
        ));
    }
}
