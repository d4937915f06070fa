//! Arrival-rate functions for workstreams (`arrivals`) and campaigns (`attempts`): a constant
//! rate, or a profile of rates per local interval of each weekday, turned into [`Segment`]s
//! over the horizon.

use ccsim_engine::time::{Instant, HOUR_MS, MINUTE_MS, SECOND_MS};
use chrono::{Datelike, TimeZone, Timelike};

use super::build::{Context, Horizon, DAYS};
use super::check::{non_negative, unknown, Problem};
use super::Segment;
use crate::locate::KeyPath;
use crate::spec::{ArrivalSpec, Day, DayRates, ProfileSpec};

/// The rate function `arrival_spec` describes over the horizon, in arrivals per millisecond;
/// `what` names the rate's unit in messages ("arrivals per hour").
pub(super) fn rate_function(
    arrival_spec: &ArrivalSpec,
    at: &KeyPath,
    context: &Context<'_>,
    what: &str,
) -> Result<Vec<Segment>, Problem> {
    let multiplier = non_negative(
        arrival_spec.multiplier,
        at.key("multiplier"),
        "a multiplier",
    )?;
    let horizon = context.horizon;
    match (&arrival_spec.rate_per_h, &arrival_spec.profile) {
        (Some(rate_per_h), None) => {
            let rate_per_h = non_negative(*rate_per_h, at.key("rate_per_h"), what)?;
            Ok(vec![Segment {
                start: horizon.start.millis(),
                end: horizon.end.millis(),
                rate: rate_per_h * multiplier / HOUR_MS as f64,
            }])
        }
        (None, Some(name)) => {
            let Some(profile) = context.spec.profiles.get(name) else {
                return Err(Problem::new(
                    at.key("profile"),
                    unknown("profile", name, &context.names.profiles),
                ));
            };
            check_profile(profile, &KeyPath::of(&["profiles", name]))?;
            Ok(profile_segments(profile, multiplier, horizon))
        }
        (Some(_), Some(_)) => Err(Problem::new(
            at.key("profile"),
            "both `rate_per_h` and `profile` are set; expected one",
        )),
        (None, None) => Err(Problem::new(
            at.clone(),
            "expected `rate_per_h` (constant) or `profile` (time-varying)",
        )),
    }
}

/// The rates of `day` and the key they come from: the day's own, else `weekdays` or
/// `weekend`, else `every_day`.
fn day_rates(rates: &DayRates, day: Day) -> Option<(&Vec<f64>, &'static str)> {
    let (own, own_key, group, group_key) = match day {
        Day::Mon => (&rates.mon, "mon", &rates.weekdays, "weekdays"),
        Day::Tue => (&rates.tue, "tue", &rates.weekdays, "weekdays"),
        Day::Wed => (&rates.wed, "wed", &rates.weekdays, "weekdays"),
        Day::Thu => (&rates.thu, "thu", &rates.weekdays, "weekdays"),
        Day::Fri => (&rates.fri, "fri", &rates.weekdays, "weekdays"),
        Day::Sat => (&rates.sat, "sat", &rates.weekend, "weekend"),
        Day::Sun => (&rates.sun, "sun", &rates.weekend, "weekend"),
    };
    own.as_ref()
        .map(|values| (values, own_key))
        .or_else(|| group.as_ref().map(|values| (values, group_key)))
        .or_else(|| rates.every_day.as_ref().map(|values| (values, "every_day")))
}

/// A problem if `profile` (at `at`) has an unknown interval length, a day with the wrong
/// number of rates or a negative rate, or no rates at all.
fn check_profile(profile: &ProfileSpec, at: &KeyPath) -> Result<(), Problem> {
    if ![15, 30, 60].contains(&profile.interval_min) {
        return Err(Problem::new(
            at.key("interval_min"),
            format!(
                "{} is not an interval length; expected 15, 30 or 60",
                profile.interval_min
            ),
        ));
    }
    let per_day = (24 * 60 / profile.interval_min) as usize;
    let rates_at = at.key("rates_per_h");
    let mut any = false;
    for day in DAYS {
        let Some((rates, key)) = day_rates(&profile.rates_per_h, day) else {
            continue;
        };
        any = true;
        if rates.len() != per_day {
            return Err(Problem::new(
                rates_at.key(key),
                format!(
                    "{} rates; expected {per_day} (one per {}-minute interval of the day)",
                    rates.len(),
                    profile.interval_min
                ),
            ));
        }
        for (rate_idx, rate) in rates.iter().enumerate() {
            non_negative(
                *rate,
                rates_at.key(key).index(rate_idx),
                "arrivals per hour",
            )?;
        }
    }
    if !any {
        return Err(Problem::new(
            rates_at,
            "no rates; expected at least `every_day`, `weekdays` or a day",
        ));
    }
    Ok(())
}

/// The rate function of a checked `profile` scaled by `multiplier`: one segment per local
/// interval of the horizon, with neighbours of the same rate joined.
fn profile_segments(profile: &ProfileSpec, multiplier: f64, horizon: &Horizon) -> Vec<Segment> {
    let interval_ms = i64::from(profile.interval_min) * MINUTE_MS;
    let end = horizon.end.millis();
    let mut segments: Vec<Segment> = Vec::new();
    let mut time = horizon.start.millis();
    while time < end {
        let local = horizon
            .zone
            .from_utc_datetime(&Instant::from_millis(time).to_utc().naive_utc());
        let minutes = local.hour() * 60 + local.minute();
        let slot = (minutes / profile.interval_min) as usize;
        let day = DAYS[local.weekday().num_days_from_monday() as usize];
        let rate_per_h = day_rates(&profile.rates_per_h, day)
            .and_then(|(rates, _)| rates.get(slot).copied())
            .unwrap_or(0.0);
        // The next local interval boundary, in UTC.
        let into_interval_ms = i64::from(minutes % profile.interval_min) * MINUTE_MS
            + i64::from(local.second()) * SECOND_MS;
        let next = (time - into_interval_ms + interval_ms)
            .min(end)
            .max(time + 1);
        let rate = rate_per_h * multiplier / HOUR_MS as f64;
        match segments.last_mut() {
            Some(last) if last.rate == rate && last.end == time => last.end = next,
            _ => segments.push(Segment {
                start: time,
                end: next,
                rate,
            }),
        }
        time = next;
    }
    segments
}
