//! TLS alerts by the names the RFCs give them (`handshake_failure`), which is what
//! server logs, Schannel event text and search engines use, with the number beside.

/// IANA's TLS Alert registry: the descriptions a server may end a handshake with.
const NAMES: &[(u8, &str)] = &[
    (0, "close_notify"),
    (10, "unexpected_message"),
    (20, "bad_record_mac"),
    (21, "decryption_failed"),
    (22, "record_overflow"),
    (30, "decompression_failure"),
    (40, "handshake_failure"),
    (41, "no_certificate"),
    (42, "bad_certificate"),
    (43, "unsupported_certificate"),
    (44, "certificate_revoked"),
    (45, "certificate_expired"),
    (46, "certificate_unknown"),
    (47, "illegal_parameter"),
    (48, "unknown_ca"),
    (49, "access_denied"),
    (50, "decode_error"),
    (51, "decrypt_error"),
    (60, "export_restriction"),
    (70, "protocol_version"),
    (71, "insufficient_security"),
    (80, "internal_error"),
    (86, "inappropriate_fallback"),
    (90, "user_canceled"),
    (100, "no_renegotiation"),
    (109, "missing_extension"),
    (110, "unsupported_extension"),
    (111, "certificate_unobtainable"),
    (112, "unrecognized_name"),
    (113, "bad_certificate_status_response"),
    (114, "bad_certificate_hash_value"),
    (115, "unknown_psk_identity"),
    (116, "certificate_required"),
    (120, "no_application_protocol"),
];

/// `handshake_failure (40)`; an unregistered number as `alert 201`.
pub(super) fn name(description: u8) -> String {
    match NAMES.iter().find(|(n, _)| *n == description) {
        Some((n, text)) => format!("{text} ({n})"),
        None => format!("alert {description}"),
    }
}

/// Alerts with which a server that only speaks TLS 1.0/1.1 or static-RSA suites
/// turns down a modern ClientHello.
pub(super) fn means_old_server(description: u8) -> bool {
    matches!(description, 40 | 70 | 71)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_registry() {
        assert_eq!(name(40), "handshake_failure (40)");
        assert_eq!(name(70), "protocol_version (70)");
        assert_eq!(name(112), "unrecognized_name (112)");
        assert_eq!(name(201), "alert 201");
        // Same as rustls' numbering, which the modern path reports through.
        assert_eq!(u8::from(rustls::AlertDescription::InsufficientSecurity), 71);
    }
}
