//! Measures: how a metric turns one fact row into contributions. A measure never sees
//! events, never does I/O, and never aggregates by itself: it names the keys and the span or
//! value a fact contributes, and the report builder does the rest (window, buckets, groups).

pub(crate) mod agent_status;
pub(crate) mod bot_usage;
pub(crate) mod contact_times;
pub(crate) mod conversations;
pub mod def;
pub(crate) mod dynamics;
pub(crate) mod handle_time;
pub(crate) mod queue;

use self::def::Rule;

use crate::event::Channel;
use crate::ids::Sym;
use crate::time::{DurationError, Instant, Span};

/// The grouping keys a fact contributes under. A measure fills what it knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Keys {
    /// The agent.
    pub agent: Option<Sym>,
    /// The channel.
    pub channel: Option<Channel>,
    /// The queue.
    pub queue: Option<Sym>,
    /// The bot.
    pub bot: Option<Sym>,
    /// The bot version.
    pub bot_version: Option<Sym>,
}

impl Keys {
    /// Keys for one agent.
    pub fn agent(agent: Sym) -> Self {
        Keys {
            agent: Some(agent),
            ..Keys::default()
        }
    }
}

/// Where a measure sends its contributions.
pub trait Emit {
    /// The version of `rule` that applies to data dated `at` (or the user's override).
    fn version(&mut self, rule: &'static Rule, at: Instant) -> &'static str;
    /// Time spent: the span's length, cut to the window and split across time buckets.
    fn span(&mut self, keys: Keys, span: Span);
    /// A value at an instant: 1 for a count, a duration in ms for an average of durations.
    fn point(&mut self, keys: Keys, at: Instant, value: i64);
    /// An entity seen at an instant, for metrics that count distinct entities.
    fn entity(&mut self, keys: Keys, at: Instant, id: Sym);
    /// The entity's latest value, dated `at`: it replaces whatever the entity contributed
    /// before (`None` withdraws it). For figures that change when an entity does, such as a
    /// conversation's first contact resolution, counted where it last closed.
    fn latest(&mut self, keys: Keys, at: Instant, id: Sym, value: Option<i64>);
    /// The platform settings the report runs with.
    fn settings(&self) -> &Settings;
    /// A contribution to one part of a group's figure: a ratio metric's figure is its
    /// numerator over its denominator; any other metric's figure is its numerator.
    fn ratio_part(&mut self, keys: Keys, amount: Amount, part: Part);
}

/// Which part of a group's figure a contribution adds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The numerator (the whole figure of a metric that is not a ratio).
    Numerator,
    /// The denominator of a ratio.
    Denominator,
}

/// What a contribution to a [`Part`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    /// Time spent: cut to the window and split across buckets, as [`Emit::span`] does.
    Span(Span),
    /// A value at an instant, as [`Emit::point`] takes it.
    Point(Instant, i64),
    /// Time covered by `owner` (an agent, say): cut like `Span`, but where contributions of
    /// one owner overlap within a group the overlap counts once. The part is the sum over
    /// owners of each owner's union of time.
    Covered {
        /// Whose time it is.
        owner: Sym,
        /// The time.
        span: Span,
    },
}

/// Platform settings that some definitions depend on, with ccsim's defaults. Set with
/// `--setting KEY=VALUE` (durations such as `7d`, `30s`).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Gladly's same-agent assignment time limit for email and voicemail (ms).
    pub same_agent_limit_mail_ms: i64,
    /// Gladly's same-agent assignment time limit for messaging (ms).
    pub same_agent_limit_messaging_ms: i64,
    /// Gladly's conversation reopen window (ms).
    pub reopen_window_ms: i64,
    /// SLA threshold per channel (ms), indexed by `Channel as usize`.
    pub sla_ms: [i64; Channel::ALL.len()],
    /// The service-level threshold T of the queue metrics: answered within T (ms).
    pub service_level_ms: i64,
    /// Per-channel thresholds that replace `service_level_ms` on their channel (ms), indexed
    /// by `Channel as usize`.
    pub service_level_channel_ms: [Option<i64>; Channel::ALL.len()],
    /// A contact abandoned after waiting less than this is a short abandon (ms).
    pub short_abandon_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        const HOUR: i64 = crate::time::HOUR_MS;
        let sla_ms = std::array::from_fn(|i| match Channel::ALL[i] {
            Channel::Phone | Channel::VoiceCall => 30 * crate::time::SECOND_MS,
            Channel::Chat => crate::time::MINUTE_MS,
            c if c.is_messaging() => HOUR,
            _ => 24 * HOUR,
        });
        Settings {
            same_agent_limit_mail_ms: 7 * crate::time::DAY_MS,
            same_agent_limit_messaging_ms: 7 * crate::time::DAY_MS,
            reopen_window_ms: 7 * crate::time::DAY_MS,
            sla_ms,
            service_level_ms: 20 * crate::time::SECOND_MS,
            service_level_channel_ms: [None; Channel::ALL.len()],
            short_abandon_ms: 5 * crate::time::SECOND_MS,
        }
    }
}

impl Settings {
    /// Every key `set` accepts, with what it sets and its default.
    pub fn keys() -> Vec<(String, &'static str, String)> {
        Settings::default()
            .values()
            .into_iter()
            .map(|(key, what, ms)| (key, what, duration_text(ms)))
            .collect()
    }

    /// The settings whose value differs from the default, as `key=value (default D)`, in
    /// the order of [`keys`](Self::keys): reports name them, since their figures depend on
    /// them.
    pub fn changed(&self) -> Vec<String> {
        let defaults = Settings::default();
        let mut out: Vec<String> = self
            .values()
            .into_iter()
            .zip(defaults.values())
            .filter(|((_, _, ms), (_, _, default))| ms != default)
            .map(|((key, _, ms), (_, _, default))| {
                format!(
                    "{key}={} (default {})",
                    duration_text(ms),
                    duration_text(default)
                )
            })
            .collect();
        for (i, c) in Channel::ALL.iter().enumerate() {
            if let Some(ms) = self.service_level_channel_ms[i] {
                out.push(format!(
                    "service_level.{}={} (default service_level)",
                    c.name(),
                    duration_text(ms)
                ));
            }
        }
        out
    }

    /// The service-level threshold T of the queue metrics on `channel` (ms): its own, if set,
    /// else `service_level`.
    pub fn service_level_for(&self, channel: Channel) -> i64 {
        self.service_level_channel_ms[channel as usize].unwrap_or(self.service_level_ms)
    }

    /// Every setting: its key, what it sets, and its value (ms).
    fn values(&self) -> Vec<(String, &'static str, i64)> {
        let mut out = vec![
            (
                "same_agent_limit.mail".to_string(),
                "Gladly same-agent assignment time limit, email and voicemail",
                self.same_agent_limit_mail_ms,
            ),
            (
                "same_agent_limit.messaging".to_string(),
                "Gladly same-agent assignment time limit, messaging",
                self.same_agent_limit_messaging_ms,
            ),
            (
                "reopen_window".to_string(),
                "Gladly conversation reopen window",
                self.reopen_window_ms,
            ),
            (
                "service_level".to_string(),
                "Service-level threshold T of the queue metrics (answered within T)",
                self.service_level_ms,
            ),
            (
                "short_abandon".to_string(),
                "Queue metrics: abandons after a shorter wait are short abandons",
                self.short_abandon_ms,
            ),
        ];
        for (i, c) in Channel::ALL.iter().enumerate() {
            out.push((
                format!("sla.{}", c.name()),
                "SLA threshold for contacts on this channel",
                self.sla_ms[i],
            ));
        }
        out
    }

    /// Sets `key` to the duration `value`; the error says what would be valid.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), SettingError> {
        let seconds = crate::time::parse_duration(value)?;
        if seconds < 0.0 {
            return Err(SettingError::Negative {
                value: value.to_string(),
            });
        }
        let ms = (seconds * 1000.0).round() as i64;
        match key {
            "same_agent_limit.mail" => self.same_agent_limit_mail_ms = ms,
            "same_agent_limit.messaging" => self.same_agent_limit_messaging_ms = ms,
            "reopen_window" => self.reopen_window_ms = ms,
            "service_level" => self.service_level_ms = ms,
            "short_abandon" => self.short_abandon_ms = ms,
            _ if key.starts_with("service_level.") => {
                let name = &key["service_level.".len()..];
                let Some(i) = Channel::ALL.iter().position(|x| x.name() == name) else {
                    return Err(SettingError::UnknownKey {
                        key: key.to_string(),
                        known: format!(
                            "service_level.CHANNEL with CHANNEL one of {}",
                            Channel::ALL
                                .iter()
                                .map(|c| c.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                };
                self.service_level_channel_ms[i] = Some(ms);
            }
            _ => {
                let channel = key
                    .strip_prefix("sla.")
                    .and_then(|c| Channel::ALL.iter().position(|x| x.name() == c));
                match channel {
                    Some(i) => self.sla_ms[i] = ms,
                    None => {
                        // The keys as `values` lists them, the per-channel ones as one pattern.
                        let mut known: Vec<String> = Settings::default()
                            .values()
                            .into_iter()
                            .map(|(k, _, _)| k)
                            .filter(|k| !k.starts_with("sla."))
                            .collect();
                        known.push("service_level.CHANNEL (e.g. service_level.chat)".into());
                        known.push("sla.CHANNEL (e.g. sla.phone)".into());
                        return Err(SettingError::UnknownKey {
                            key: key.to_string(),
                            known: known.join(", "),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The same-agent assignment limit for a channel: mail, messaging, or none (phone: each
    /// call is its own session).
    pub fn same_agent_limit_ms(&self, channel: Channel) -> Option<i64> {
        match channel {
            Channel::Email | Channel::Voicemail => Some(self.same_agent_limit_mail_ms),
            c if c.is_messaging() => Some(self.same_agent_limit_messaging_ms),
            _ => None,
        }
    }
}

/// A platform setting that could not be set. The request that holds it is refused, so no
/// report runs with a setting it did not ask for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// The value is not a duration.
    #[error(transparent)]
    NotADuration(#[from] DurationError),
    /// The value is a negative duration.
    #[error("`{value}` is negative; expected a duration such as 30s or 7d")]
    Negative {
        /// The value as given.
        value: String,
    },
    /// No setting has this key.
    #[error("unknown setting `{key}`; expected one of {known}")]
    UnknownKey {
        /// The key as given.
        key: String,
        /// Every key there is, comma-separated.
        known: String,
    },
}

/// A setting's duration (ms) as it is written on the command line (`30s`, `7d`).
fn duration_text(ms: i64) -> String {
    crate::time::compact_duration(ms as f64 / 1000.0)
}

/// UTC midnight at the start of a civil date (for rule boundaries written as dates).
pub(crate) const fn utc_midnight(year: i64, month: i64, day: i64) -> Instant {
    // Days from 1970-01-01 to the date, by the civil-from-days inverse (proleptic Gregorian).
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Instant::from_millis(days * crate::time::DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_midnight_matches_chrono() {
        for (y, m, d, s) in [
            (2021, 3, 31, "2021-03-31T00:00:00Z"),
            (2021, 6, 10, "2021-06-10T00:00:00Z"),
            (1970, 1, 1, "1970-01-01T00:00:00Z"),
            (2024, 2, 29, "2024-02-29T00:00:00Z"),
        ] {
            assert_eq!(utc_midnight(y, m, d).to_rfc3339(), s);
        }
    }

    #[test]
    fn changed_settings_are_named_with_their_defaults_in_key_order() {
        let mut s = Settings::default();
        assert!(s.changed().is_empty());
        s.set("sla.phone", "20s").expect("a valid setting");
        s.set("service_level", "30s").expect("a valid setting");
        // Set to its default: not a change.
        s.set("reopen_window", "7d").expect("a valid setting");
        assert_eq!(
            s.changed(),
            [
                "service_level=30s (default 20s)",
                "sla.phone=20s (default 30s)"
            ]
        );
        // A wrong key is refused with every key there is.
        let err = s
            .set("service_levl", "30s")
            .expect_err("an unknown key")
            .to_string();
        for (key, _, _) in Settings::keys() {
            let named = if key.starts_with("sla.") {
                "sla.CHANNEL"
            } else {
                &key
            };
            assert!(err.contains(named), "{err} does not name {named}");
        }
    }

    #[test]
    fn a_channel_threshold_replaces_the_service_level_on_its_channel_only() {
        let mut s = Settings::default();
        s.set("service_level", "30s").expect("a valid setting");
        s.set("service_level.chat", "1m").expect("a valid setting");
        assert_eq!(s.service_level_for(Channel::Chat), 60_000);
        assert_eq!(s.service_level_for(Channel::Phone), 30_000);
        assert!(s
            .changed()
            .contains(&"service_level.chat=1m (default service_level)".to_string()));
        let err = s
            .set("service_level.fax", "1m")
            .expect_err("no such channel")
            .to_string();
        assert!(
            err.contains("service_level.fax") && err.contains("chat"),
            "{err}"
        );
    }
}
