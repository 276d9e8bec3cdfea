//! OIDs of fixed tables, recognised by their DER contents. Writing an OID out as
//! dotted text allocates and formats every arc; a certificate names a dozen of them
//! (name attributes, algorithms), nearly always from a short list.

use std::borrow::Cow;
use std::sync::OnceLock;

use x509_parser::asn1_rs::Oid;

/// A table keyed by dotted OIDs, whose DER encodings are worked out on first use.
pub(crate) struct OidTable<T: 'static> {
    entries: &'static [(&'static str, T)],
    encoded: OnceLock<Vec<Vec<u8>>>,
}

impl<T> OidTable<T> {
    pub(crate) const fn new(entries: &'static [(&'static str, T)]) -> Self {
        Self {
            entries,
            encoded: OnceLock::new(),
        }
    }

    /// The entry for `oid`, compared by encoding, without formatting it.
    pub(crate) fn find(&self, oid: &Oid<'_>) -> Option<&'static (&'static str, T)> {
        let encoded = self.encoded.get_or_init(|| {
            self.entries
                .iter()
                .map(|(dotted, _)| {
                    dotted
                        .parse::<Oid<'_>>()
                        .map(|o| o.as_bytes().to_vec())
                        .unwrap_or_default()
                })
                .collect()
        });
        let bytes = oid.as_bytes();
        let index = encoded.iter().position(|e| e.as_slice() == bytes)?;
        self.entries.get(index)
    }

    /// `oid` in dotted form: borrowed from the table when listed there.
    pub(crate) fn dotted(&self, oid: &Oid<'_>) -> Cow<'static, str> {
        match self.find(oid) {
            Some((dotted, _)) => Cow::Borrowed(dotted),
            None => Cow::Owned(oid.to_id_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static TABLE: OidTable<u8> = OidTable::new(&[("2.5.4.3", 1), ("1.2.840.113549.1.1.11", 2)]);

    #[test]
    fn listed_oids_are_found_and_others_written_out() {
        let oid = |s: &str| s.parse::<Oid<'static>>().expect("a dotted OID");
        assert_eq!(
            TABLE.find(&oid("1.2.840.113549.1.1.11")).map(|e| e.1),
            Some(2)
        );
        assert!(matches!(
            TABLE.dotted(&oid("2.5.4.3")),
            Cow::Borrowed("2.5.4.3")
        ));
        assert_eq!(TABLE.find(&oid("2.5.4.4")), None);
        assert_eq!(TABLE.dotted(&oid("1.2.3.4")), "1.2.3.4");
    }
}
