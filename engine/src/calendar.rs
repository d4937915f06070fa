//! Reporting calendars: cutting the UTC time line into days, months or 15/30/60-minute
//! intervals of a reporting time zone (an IANA name; UTC unless the user picks another).

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;

use crate::time::{Instant, Span, MINUTE_MS};

/// The size of a reporting bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grain {
    /// A local calendar day.
    Day,
    /// A local calendar month.
    Month,
    /// A stretch of 15, 30 or 60 minutes aligned to the local clock.
    Minutes(u32),
}

/// A time zone and a grain: turns instants into bucket starts and labels. It remembers the
/// last bucket it computed, so runs of facts in one day cost no time-zone arithmetic.
#[derive(Clone, Copy, Debug)]
pub struct Calendar {
    zone: Tz,
    grain: Grain,
    /// The last bucket computed: [start, end).
    last: Option<(Instant, Instant)>,
}

impl Calendar {
    /// A calendar of `grain`-sized buckets in `zone`.
    pub fn new(zone: Tz, grain: Grain) -> Self {
        Calendar {
            zone,
            grain,
            last: None,
        }
    }

    /// The bucket `[start, end)` holding `t`.
    pub fn bucket(&mut self, t: Instant) -> (Instant, Instant) {
        if let Some((start, end)) = self.last {
            if start <= t && t < end {
                return (start, end);
            }
        }
        let start = self.floor(t);
        let end = self.next(start);
        self.last = Some((start, end));
        (start, end)
    }

    /// The start of the bucket holding `t`.
    pub fn floor(&self, t: Instant) -> Instant {
        let local = self
            .zone
            .from_utc_datetime(&t.to_utc().naive_utc())
            .naive_local();
        let floored = match self.grain {
            Grain::Day => local.date().and_time(chrono::NaiveTime::MIN),
            Grain::Month => first_of_month(local.date()).and_time(chrono::NaiveTime::MIN),
            Grain::Minutes(m) => {
                let minute = local.minute() - local.minute() % m.clamp(1, 60);
                local
                    .date()
                    .and_hms_opt(local.hour(), minute, 0)
                    .unwrap_or(local)
            }
        };
        self.local_to_instant(floored, t)
    }

    /// The start of the bucket after the one starting at `start`.
    pub fn next(&self, start: Instant) -> Instant {
        match self.grain {
            Grain::Minutes(m) => start.plus_millis(i64::from(m.clamp(1, 60)) * MINUTE_MS),
            Grain::Day | Grain::Month => {
                let local = self
                    .zone
                    .from_utc_datetime(&start.to_utc().naive_utc())
                    .naive_local();
                let date = match self.grain {
                    Grain::Day => local.date().succ_opt().unwrap_or(local.date()),
                    _ => next_month(local.date()),
                };
                let next = self.local_to_instant(date.and_time(chrono::NaiveTime::MIN), start);
                if next > start {
                    next
                } else {
                    start.plus_millis(crate::time::DAY_MS)
                }
            }
        }
    }

    /// Cuts `span` at bucket boundaries: (bucket start, piece of the span inside it).
    pub fn split(&mut self, span: Span, mut each: impl FnMut(Instant, Span)) {
        if span.millis() <= 0 {
            return;
        }
        let mut at = span.start;
        while at < span.end {
            let (bucket, next) = self.bucket(at);
            if let Some(piece) = span.intersect(Span::new(bucket, next)) {
                each(bucket, piece);
            }
            at = next;
        }
    }

    /// The bucket's name: `2021-05-01`, `2021-05`, or `2021-05-01T09:30+02:00`.
    pub fn label(&self, start: Instant) -> String {
        let local = self.zone.from_utc_datetime(&start.to_utc().naive_utc());
        match self.grain {
            Grain::Day => local.format("%Y-%m-%d").to_string(),
            Grain::Month => local.format("%Y-%m").to_string(),
            Grain::Minutes(_) => local.format("%Y-%m-%dT%H:%M%:z").to_string(),
        }
    }

    /// `t` as RFC 3339 in the calendar's zone, with its offset (`2022-12-21T04:00:00+05:30`).
    pub fn local_rfc3339(&self, t: Instant) -> String {
        self.zone
            .from_utc_datetime(&t.to_utc().naive_utc())
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// The local wall time `naive` as an instant. In a repeated hour, the later reading that
    /// is not after `hint`; in a skipped hour, the first instant after the gap.
    fn local_to_instant(&self, naive: NaiveDateTime, hint: Instant) -> Instant {
        let mut probe = naive;
        for _ in 0..(24 * 4) {
            match self.zone.from_local_datetime(&probe) {
                LocalResult::Single(dt) => return Instant::from_millis(dt.timestamp_millis()),
                LocalResult::Ambiguous(early, late) => {
                    let late = Instant::from_millis(late.timestamp_millis());
                    return if late <= hint {
                        late
                    } else {
                        Instant::from_millis(early.timestamp_millis())
                    };
                }
                LocalResult::None => probe += Duration::minutes(15),
            }
        }
        hint
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Instant {
        Instant::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn a_span_over_local_midnight_splits_in_one_zone_and_not_another() {
        // 22:00Z–02:00Z: crosses midnight in UTC, but is 18:00–22:00 the same day in New York.
        let span = Span::new(t("2021-05-01T22:00:00Z"), t("2021-05-02T02:00:00Z"));
        let mut utc = Vec::new();
        Calendar::new(chrono_tz::UTC, Grain::Day).split(span, |b, p| utc.push((b, p.millis())));
        assert_eq!(
            utc,
            vec![
                (t("2021-05-01T00:00:00Z"), 2 * 3_600_000),
                (t("2021-05-02T00:00:00Z"), 2 * 3_600_000)
            ]
        );
        let mut ny = Vec::new();
        let mut cal = Calendar::new(chrono_tz::America::New_York, Grain::Day);
        let labels = cal;
        cal.split(span, |b, p| ny.push((labels.label(b), p.millis())));
        assert_eq!(ny, vec![("2021-05-01".to_string(), 4 * 3_600_000)]);
    }

    #[test]
    fn days_follow_daylight_saving_changes() {
        // 2021-03-14 in New York has 23 hours.
        let cal = Calendar::new(chrono_tz::America::New_York, Grain::Day);
        let start = cal.floor(t("2021-03-14T12:00:00Z"));
        assert_eq!(start, t("2021-03-14T05:00:00Z"));
        assert_eq!(cal.next(start).millis_since(start), 23 * 3_600_000);
    }

    #[test]
    fn intervals_follow_the_local_clock_in_half_hour_zones() {
        let cal = Calendar::new(chrono_tz::Asia::Kolkata, Grain::Minutes(60));
        let start = cal.floor(t("2022-12-20T22:40:00Z")); // 04:10 IST
        assert_eq!(cal.label(start), "2022-12-21T04:00+05:30");
        let months = Calendar::new(chrono_tz::UTC, Grain::Month);
        assert_eq!(
            months.label(months.next(months.floor(t("2022-12-31T23:00:00Z")))),
            "2023-01"
        );
    }
}
