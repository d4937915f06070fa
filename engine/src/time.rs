//! Instants on the UTC time line, and how they cross the log's edges.
//!
//! Inside ccsim every time is an [`Instant`]: whole milliseconds since the Unix epoch, UTC.
//! Text (JSON Lines, command-line flags) carries RFC 3339 with any UTC offset; the offset is
//! applied once, at ingest, and never kept. The binary log carries the integer.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// A moment in time: milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(i64);

/// Milliseconds in one second, minute, hour and day.
pub const SECOND_MS: i64 = 1_000;
/// Milliseconds in one minute.
pub const MINUTE_MS: i64 = 60 * SECOND_MS;
/// Milliseconds in one hour.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// Milliseconds in one day.
pub const DAY_MS: i64 = 24 * HOUR_MS;

impl Instant {
    /// The instant `ms` milliseconds after the Unix epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Instant(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// This instant moved by `ms` milliseconds (negative moves back).
    pub const fn plus_millis(self, ms: i64) -> Self {
        Instant(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self` (negative when `earlier` is later).
    pub const fn millis_since(self, earlier: Instant) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Parses an RFC 3339 timestamp with any UTC offset (`2021-05-01T09:00:00+02:00`,
    /// `2021-05-01T07:00:00Z`); sub-millisecond digits are truncated.
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimeError> {
        let dt = DateTime::parse_from_rfc3339(text).map_err(|e| TimeError {
            input: text.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Instant(dt.timestamp_millis()))
    }

    /// Parses what a person types on the command line: an RFC 3339 timestamp, or a bare date
    /// or date-and-time that is read in `zone` (`2021-05-01`, `2021-05-01T09:00`).
    pub fn parse_flexible(text: &str, zone: chrono_tz::Tz) -> Result<Self, TimeError> {
        if let Ok(i) = Self::parse_rfc3339(text) {
            return Ok(i);
        }
        let bad = |reason: &str| TimeError {
            input: text.to_string(),
            reason: reason.to_string(),
        };
        let naive = if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            d.and_hms_opt(0, 0, 0)
                .ok_or_else(|| bad("not a valid date"))?
        } else {
            [
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .ok_or_else(|| {
                bad("expected an RFC 3339 timestamp (2021-05-01T09:00:00Z) or a date (2021-05-01)")
            })?
        };
        zone.from_local_datetime(&naive)
            .earliest()
            .map(|dt| Instant(dt.timestamp_millis()))
            .ok_or_else(|| bad("that local time does not exist in the reporting time zone"))
    }

    /// The instant as a UTC date-time.
    pub fn to_utc(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// RFC 3339 in UTC with a `Z`, milliseconds only when there are some. One instant has one
    /// spelling, so logs written by ccsim compare byte for byte.
    pub fn to_rfc3339(self) -> String {
        let dt = self.to_utc();
        if self.0.rem_euclid(SECOND_MS) == 0 {
            dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
        }
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Seconds in a duration written as `8h`, `50m`, `1h 30m`, `90s`, `2.5m` or `7d`.
pub(crate) fn parse_duration(text: &str) -> Result<f64, DurationError> {
    let refuse = || DurationError {
        input: text.to_string(),
    };
    let mut total = 0.0;
    let mut number = String::new();
    let mut any = false;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let scale = match c {
            'd' => 86_400.0,
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return Err(refuse()),
        };
        let n: f64 = number.parse().map_err(|_| refuse())?;
        total += n * scale;
        number.clear();
        any = true;
    }
    if !number.is_empty() || !any {
        return Err(refuse());
    }
    Ok(total)
}

/// Seconds as the shortest duration text: `7d`, `8h`, `3h15m`, `45m`, `90.5s`.
pub(crate) fn compact_duration(seconds: f64) -> String {
    if seconds == 0.0 {
        return "0s".into();
    }
    let sign = if seconds < 0.0 { "-" } else { "" };
    let whole = seconds.abs().trunc() as i64;
    let frac = seconds.abs() - whole as f64;
    let (d, h, m, s) = (
        whole / 86_400,
        (whole / 3600) % 24,
        (whole / 60) % 60,
        whole % 60,
    );
    let mut out = String::from(sign);
    for (n, unit) in [(d, "d"), (h, "h"), (m, "m")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if s > 0 || frac > 0.0 {
        out.push_str(&decimal_text(s as f64 + frac));
        out.push('s');
    }
    out
}

/// A number as text: whole numbers without a fraction, others with up to three decimals
/// (`90`, `1.5`, `0.125`). Durations here and figures in reports are written this way.
pub(crate) fn decimal_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A duration that could not be read (a setting's value, an example's expected figure). The
/// setting or example that holds it is refused; nothing runs with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a duration; expected e.g. 7d, 8h, 50m, 1h30m or 90s")]
pub struct DurationError {
    /// The text as given.
    pub input: String,
}

/// A timestamp that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a timestamp: {reason}")]
pub struct TimeError {
    /// The text as given.
    pub input: String,
    /// Why it was refused.
    pub reason: String,
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.to_rfc3339())
        } else {
            s.serialize_i64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Instant::parse_rfc3339(&text).map_err(|e| {
                de::Error::custom(format!(
                    "{e}; expected RFC 3339 with an offset, e.g. 2021-05-01T09:00:00Z"
                ))
            })
        } else {
            i64::deserialize(d).map(Instant)
        }
    }
}

/// A half-open span of time `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First instant inside the span.
    pub start: Instant,
    /// First instant after the span.
    pub end: Instant,
}

impl Span {
    /// The span from `start` to `end`; an end before the start gives an empty span.
    pub fn new(start: Instant, end: Instant) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// Length in milliseconds.
    pub fn millis(self) -> i64 {
        self.end.millis_since(self.start)
    }

    /// The part of this span inside `other`, if any.
    pub fn intersect(self, other: Span) -> Option<Span> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Span { start, end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_applied_at_ingest() {
        // 04:00 at +05:30 is 22:30 the previous day in UTC (the seed 001 IST example, 2022).
        let ist = Instant::parse_rfc3339("2022-12-21T04:00:00+05:30").unwrap();
        assert_eq!(ist.to_rfc3339(), "2022-12-20T22:30:00Z");
        let pst = Instant::parse_rfc3339("2022-12-21T17:00:00-08:00").unwrap();
        assert_eq!(pst.to_rfc3339(), "2022-12-22T01:00:00Z");
    }

    #[test]
    fn millis_are_written_only_when_present() {
        let t = Instant::parse_rfc3339("2021-05-01T09:00:00.250Z").unwrap();
        assert_eq!(t.millis() % 1000, 250);
        assert_eq!(t.to_rfc3339(), "2021-05-01T09:00:00.250Z");
    }

    #[test]
    fn bare_dates_are_read_in_the_reporting_zone() {
        let t = Instant::parse_flexible("2021-05-01", chrono_tz::America::New_York).unwrap();
        assert_eq!(t.to_rfc3339(), "2021-05-01T04:00:00Z");
        assert!(Instant::parse_flexible("May 1st", chrono_tz::UTC).is_err());
    }

    #[test]
    fn compact_durations_read_back_to_the_same_seconds() {
        for (secs, text) in [
            (28_800.0, "8h"),
            (11_700.0, "3h15m"),
            (2_700.0, "45m"),
            (90.5, "1m30.5s"),
            (0.0, "0s"),
            (604_800.0, "7d"),
            (90_000.0, "1d1h"),
        ] {
            assert_eq!(compact_duration(secs), text);
            assert_eq!(parse_duration(text), Ok(secs));
        }
    }
}
