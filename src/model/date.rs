//! Calendar days as admins write them (`2011-06-01`), for `--at`, the allowlist's
//! since/until and every date a report shows. One format, always in UTC, so a message
//! and the tree beside it never disagree about the day.

use time::{Date, OffsetDateTime, UtcOffset};

/// `YYYY-MM-DD` of `t` in UTC.
pub fn format_day(t: OffsetDateTime) -> String {
    let d = t.to_offset(UtcOffset::UTC).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Reads a moment as an allowlist writes a certificate's validity: RFC 3339
/// (`2019-12-24T17:50:51Z`) or a day (`2019-12-24`, midnight UTC).
pub fn parse_moment(text: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .or_else(|| parse_day(text).map(|d| d.midnight().assume_utc()))
}

/// A moment that is neither a day nor an RFC 3339 time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected YYYY-MM-DD or an RFC 3339 time such as 2010-12-01T09:30:00Z")]
pub struct NotAMoment;

/// Reads `--at` (and the page's "at" field): a day, midnight UTC, or an RFC 3339 time.
pub fn parse_at(text: &str) -> Result<OffsetDateTime, NotAMoment> {
    parse_moment(text).ok_or(NotAMoment)
}

/// Reads `YYYY-MM-DD` (surrounding white space ignored).
pub fn parse_day(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_is_taken_in_utc() {
        let t = time::macros::datetime!(2011-06-01 01:00 +02:00);
        assert_eq!(format_day(t), "2011-05-31");
        assert_eq!(
            parse_day(" 2011-06-01 "),
            Some(time::macros::date!(2011 - 06 - 01))
        );
        assert_eq!(parse_day("2011-13-01"), None);
        assert_eq!(
            parse_at("2010-12-01"),
            Ok(time::macros::datetime!(2010-12-01 0:00 UTC))
        );
        assert_eq!(
            parse_at("2010-12-01T09:30:00+01:00"),
            Ok(time::macros::datetime!(2010-12-01 8:30 UTC))
        );
        assert_eq!(parse_at("12/01/2010"), Err(NotAMoment));
    }
}
