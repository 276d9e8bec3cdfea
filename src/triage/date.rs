//! Dates as PowerShell prints them in the admin's culture: en-US `3/14/2013 6:59:59 PM`,
//! de-DE `14.03.2013 18:59:59`, en-GB `14/03/2013 18:59:59`, ISO `2013-03-14T18:59:59Z`.
//!
//! A date with slashes whose first two numbers are both 12 or less could be either
//! order. The paste usually tells (another date of it with a 13th or later day); when
//! it does not, both readings are kept and the judge says so rather than guess.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Which number comes first in a slashed date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    MonthFirst,
    DayFirst,
}

/// A date read from the text: one reading, or two when the order is unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellDate {
    pub text: String,
    pub readings: Vec<OffsetDateTime>,
}

impl ShellDate {
    /// The one reading, when there is no doubt.
    pub fn certain(&self) -> Option<OffsetDateTime> {
        match self.readings.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    pub fn ambiguous(&self) -> bool {
        self.readings.len() > 1
    }
}

/// The clock part: `18:59:59`, `6:59:59 PM`, `6:59 PM`.
fn clock(text: &str) -> Option<Time> {
    let text = text.trim();
    let (clock, meridiem) = match text.rsplit_once(' ') {
        Some((c, m)) if m.eq_ignore_ascii_case("AM") || m.eq_ignore_ascii_case("PM") => {
            (c.trim(), Some(m.eq_ignore_ascii_case("PM")))
        }
        _ => (text, None),
    };
    let mut parts = clock.split(':').map(|p| p.trim().parse::<u8>().ok());
    let mut hour = parts.next()??;
    let minute = parts.next()??;
    let second = parts.next().flatten().unwrap_or(0);
    match meridiem {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    Time::from_hms(hour, minute, second).ok()
}

fn at(year: i32, month: u8, day: u8, time: Time) -> Option<OffsetDateTime> {
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// The three numbers and the clock of a `a/b/yyyy time` or `a.b.yyyy time` date.
fn numbers(text: &str, separator: char) -> Option<(u8, u8, i32, Time)> {
    let (date, time) = text.trim().split_once(' ').unwrap_or((text.trim(), "0:00"));
    let mut parts = date.split(separator);
    let a = parts.next()?.trim().parse().ok()?;
    let b = parts.next()?.trim().parse().ok()?;
    let year: i32 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1900..=2200).contains(&year) {
        return None;
    }
    Some((a, b, year, clock(time)?))
}

/// What a slashed date says about the order: a first number over 12 is a day.
pub fn order_hint(text: &str) -> Option<Order> {
    let (a, b, _, _) = numbers(text, '/')?;
    match (a > 12, b > 12) {
        (true, false) => Some(Order::DayFirst),
        (false, true) => Some(Order::MonthFirst),
        _ => None,
    }
}

/// Reads one date; `order` is what the rest of the paste showed, if anything.
pub fn parse(text: &str, order: Option<Order>) -> Option<ShellDate> {
    let text = text.trim();
    let readings = if let Ok(t) =
        OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        vec![t]
    } else if let Some((date, time)) = text
        .split_once('T')
        .or_else(|| text.split_once(' '))
        .filter(|(d, _)| d.len() == 10 && d.as_bytes().get(4) == Some(&b'-'))
    {
        let mut parts = date.split('-').map(|p| p.parse::<i32>().ok());
        let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
        let time = clock(time.trim_end_matches('Z'))?;
        vec![at(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?, time)?]
    } else if text.contains('.') && !text.contains('/') {
        let (d, m, y, time) = numbers(text, '.')?;
        vec![at(y, m, d, time)?]
    } else {
        let (a, b, y, time) = numbers(text, '/')?;
        let month_first = at(y, a, b, time);
        let day_first = at(y, b, a, time);
        match (order, month_first, day_first) {
            (_, Some(m), None) => vec![m],
            (_, None, Some(d)) => vec![d],
            (Some(Order::MonthFirst), Some(m), Some(_)) => vec![m],
            (Some(Order::DayFirst), Some(_), Some(d)) => vec![d],
            (None, Some(m), Some(d)) if m == d => vec![m],
            (None, Some(m), Some(d)) => vec![m, d],
            (_, None, None) => return None,
        }
    };
    Some(ShellDate {
        text: text.to_owned(),
        readings,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(text: &str, order: Option<Order>) -> Vec<String> {
        parse(text, order)
            .unwrap()
            .readings
            .iter()
            .map(|t| format!("{} {}", t.date(), t.time()))
            .collect()
    }

    #[test]
    fn cultures() {
        assert_eq!(day("3/14/2013 6:59:59 PM", None), ["2013-03-14 18:59:59.0"]);
        assert_eq!(day("14.03.2013 18:59:59", None), ["2013-03-14 18:59:59.0"]);
        assert_eq!(day("14/03/2013 18:59:59", None), ["2013-03-14 18:59:59.0"]);
        assert_eq!(day("2013-03-14T18:59:59Z", None), ["2013-03-14 18:59:59.0"]);
        assert_eq!(day("2013-03-14 18:59:59", None), ["2013-03-14 18:59:59.0"]);
        assert_eq!(day("12/1/2010 12:00:00 AM", None).len(), 2, "ambiguous");
        assert_eq!(
            day("12/1/2010 12:00:00 AM", Some(Order::MonthFirst)),
            ["2010-12-01 0:00:00.0"]
        );
        assert_eq!(
            day("12/1/2010 12:00:00 AM", Some(Order::DayFirst)),
            ["2010-01-12 0:00:00.0"]
        );
        assert_eq!(
            day("5/5/2012 1:00:00 PM", None).len(),
            1,
            "the same either way"
        );
        assert_eq!(order_hint("3/14/2013 6:59:59 PM"), Some(Order::MonthFirst));
        assert_eq!(order_hint("14/03/2013 18:59:59"), Some(Order::DayFirst));
        assert!(parse("not a date", None).is_none());
        assert!(parse("13/13/2013", None).is_none());
    }
}
