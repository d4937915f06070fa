//! Turning what a planner typed (`--calls 100 --per 30m --handle 3m --target 80/20s`) into a
//! [`Calculation`]. Every check of the Erlang calculators' flags lives here, so each refusal
//! names its flag, the value given and what would be valid, in the same words everywhere.

use std::fmt;

use super::calculator::{Calculation, Load, Model};
use super::solve::ServiceTarget;
use crate::time::{decimal_text, parse_duration};

/// The most traffic the calculators take, Erlangs: well past any one queue's interval, and
/// small enough that every search and table stays quick.
pub const MAX_TRAFFIC: f64 = 10_000.0;

/// The most agents the calculators take for `--agents`.
pub const MAX_AGENTS: u32 = 100_000;

/// The service-level target when none is given: 80 % answered within 20 s.
pub const DEFAULT_TARGET: &str = "80/20s";

/// The period `--calls` are counted over when `--per` is not given.
pub const DEFAULT_PER: &str = "1h";

/// Which Erlang model a request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// Erlang B: blocked calls are lost.
    B,
    /// Erlang C: callers wait as long as it takes.
    C,
    /// Erlang A: callers abandon after an exponentially distributed patience.
    A,
}

/// An Erlang calculation as typed, before validation. Flags a model has no use for are
/// `None` (the command line does not offer them).
#[derive(Clone, Debug, Default)]
pub struct CalculatorRequest {
    /// Calls offered per `per` (`--calls`), a positive number.
    pub calls: String,
    /// The period the calls are counted over (`--per`), a duration; default 1h.
    pub per: Option<String>,
    /// Mean handle time (`--handle`), a duration.
    pub handle: String,
    /// Agents on the phones (`--agents`); without it, the calculator solves for them.
    pub agents: Option<String>,
    /// `PERCENT/DURATION` service-level target (`--target`, Erlang C and A); default 80/20s.
    pub target: Option<String>,
    /// The most occupancy to allow when solving (`--max-occupancy`), a share in (0, 1].
    pub max_occupancy: Option<String>,
    /// The share of paid time not on the phones (`--shrinkage`), in [0, 1); default 0.
    pub shrinkage: Option<String>,
    /// Mean patience before abandoning (`--patience`, Erlang A), a duration.
    pub patience: Option<String>,
    /// The most blocking to allow when solving (`--target-blocking`, Erlang B), in (0, 1).
    pub target_blocking: Option<String>,
}

/// A flag whose value cannot be used. The calculation does not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalculatorError {
    /// The flag at fault (`--shrinkage`).
    pub flag: &'static str,
    /// The value given, if one was.
    pub value: Option<String>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for CalculatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{} {value}: {}", self.flag, self.message),
            None => write!(f, "{}: {}", self.flag, self.message),
        }
    }
}

impl std::error::Error for CalculatorError {}

/// The error for `flag` given `value`.
pub(super) fn refuse(
    flag: &'static str,
    value: Option<&str>,
    message: impl Into<String>,
) -> CalculatorError {
    CalculatorError {
        flag,
        value: value.map(str::to_string),
        message: message.into(),
    }
}

impl CalculatorRequest {
    /// The calculation this request asks for under `kind`, every flag checked.
    pub fn to_calculation(&self, kind: ModelKind) -> Result<Calculation, CalculatorError> {
        let load = self.load()?;
        let shrinkage = match &self.shrinkage {
            None => 0.0,
            Some(text) => share(
                "--shrinkage",
                text,
                |s| (0.0..1.0).contains(&s),
                "expected a share in [0, 1), such as 0.3 or 30%",
            )?,
        };
        let agents = self.agents.as_deref().map(agents).transpose()?;
        let model = match kind {
            ModelKind::B => self.model_b(agents)?,
            ModelKind::C => Model::C {
                target: self.target()?,
                max_occupancy: self.max_occupancy()?,
            },
            ModelKind::A => {
                let text = self.patience.as_deref().ok_or_else(|| {
                    refuse(
                        "--patience",
                        None,
                        "expected the mean patience, such as 120s",
                    )
                })?;
                Model::A {
                    patience_s: positive_duration("--patience", text)?,
                    target: self.target()?,
                    max_occupancy: self.max_occupancy()?,
                }
            }
        };
        Ok(Calculation {
            model,
            load,
            agents,
            shrinkage,
        })
    }

    /// The calls, their period and handle time, and a check that their traffic is in reach.
    fn load(&self) -> Result<Load, CalculatorError> {
        let calls = self
            .calls
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|c| c.is_finite() && *c > 0.0)
            .ok_or_else(|| {
                refuse(
                    "--calls",
                    Some(&self.calls),
                    "expected a positive number of calls, such as 100",
                )
            })?;
        let per_s = positive_duration("--per", self.per.as_deref().unwrap_or(DEFAULT_PER))?;
        let handle_s = positive_duration("--handle", &self.handle)?;
        let load = Load {
            calls,
            per_s,
            handle_s,
        };
        if load.traffic() > MAX_TRAFFIC {
            return Err(refuse(
                "--calls",
                Some(&self.calls),
                format!(
                    "{} Erlangs of traffic with this --per and --handle; expected at most {MAX_TRAFFIC}",
                    decimal_text(load.traffic())
                ),
            ));
        }
        Ok(load)
    }

    /// `--target`, or the default 80/20s.
    fn target(&self) -> Result<ServiceTarget, CalculatorError> {
        let text = self.target.as_deref().unwrap_or(DEFAULT_TARGET);
        let wrong = || {
            refuse(
                "--target",
                Some(text),
                "expected PERCENT/DURATION with a percent in (0, 100), such as 80/20s \
                 (80 % answered within 20 s)",
            )
        };
        let (percent, within) = text.split_once('/').ok_or_else(wrong)?;
        let percent: f64 = percent
            .trim()
            .trim_end_matches('%')
            .parse()
            .map_err(|_| wrong())?;
        if !(percent > 0.0 && percent < 100.0) {
            return Err(wrong());
        }
        let within_s = parse_duration(within).map_err(|_| wrong())?;
        Ok(ServiceTarget {
            share: percent / 100.0,
            within_s,
        })
    }

    /// `--max-occupancy`, if given.
    fn max_occupancy(&self) -> Result<Option<f64>, CalculatorError> {
        self.max_occupancy
            .as_deref()
            .map(|text| {
                share(
                    "--max-occupancy",
                    text,
                    |s| s > 0.0 && s <= 1.0,
                    "expected a share in (0, 1], such as 0.85 or 85%",
                )
            })
            .transpose()
    }

    /// Erlang B: the blocking target, and at least one of it and `--agents`.
    fn model_b(&self, agents: Option<u32>) -> Result<Model, CalculatorError> {
        let max_blocking = self
            .target_blocking
            .as_deref()
            .map(|text| {
                share(
                    "--target-blocking",
                    text,
                    |s| s > 0.0 && s < 1.0,
                    "expected a share in (0, 1), such as 0.01 or 1%",
                )
            })
            .transpose()?;
        if agents.is_none() && max_blocking.is_none() {
            return Err(refuse(
                "--agents",
                None,
                "expected --agents N for the blocking of N agents (or trunks), or \
                 --target-blocking SHARE to solve for the fewest",
            ));
        }
        Ok(Model::B { max_blocking })
    }
}

/// `text` as a share (`0.3`, or `30%`) that `valid` accepts.
fn share(
    flag: &'static str,
    text: &str,
    valid: impl Fn(f64) -> bool,
    expected: &str,
) -> Result<f64, CalculatorError> {
    let trimmed = text.trim();
    let value = match trimmed.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
        None => trimmed.parse::<f64>(),
    };
    value
        .ok()
        .filter(|s| s.is_finite() && valid(*s))
        .ok_or_else(|| refuse(flag, Some(text), expected))
}

/// `text` as a positive duration in seconds.
fn positive_duration(flag: &'static str, text: &str) -> Result<f64, CalculatorError> {
    parse_duration(text)
        .ok()
        .filter(|s| *s > 0.0)
        .ok_or_else(|| {
            refuse(
                flag,
                Some(text),
                "expected a positive duration, such as 180s, 3m or 1h",
            )
        })
}

/// `--agents`: a whole number from 1 to [`MAX_AGENTS`].
fn agents(text: &str) -> Result<u32, CalculatorError> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_AGENTS).contains(n))
        .ok_or_else(|| {
            refuse(
                "--agents",
                Some(text),
                format!("expected a whole number of agents from 1 to {MAX_AGENTS}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CalculatorRequest {
        CalculatorRequest {
            calls: "100".into(),
            per: Some("30m".into()),
            handle: "3m".into(),
            ..CalculatorRequest::default()
        }
    }

    #[test]
    fn shares_read_as_fractions_or_percents() {
        let mut r = request();
        r.shrinkage = Some("30%".into());
        let c = r.to_calculation(ModelKind::C).expect("valid");
        assert!((c.shrinkage - 0.3).abs() < 1e-12);
        r.shrinkage = Some("1.2".into());
        let e = r.to_calculation(ModelKind::C).expect_err("refused");
        assert_eq!(
            e.to_string(),
            "--shrinkage 1.2: expected a share in [0, 1), such as 0.3 or 30%"
        );
    }

    #[test]
    fn the_target_reads_as_percent_within_duration() {
        let mut r = request();
        r.target = Some("90%/15s".into());
        let Model::C { target, .. } = r.to_calculation(ModelKind::C).expect("valid").model else {
            panic!("not Erlang C");
        };
        assert!((target.share - 0.9).abs() < 1e-12 && target.within_s == 15.0);
        for bad in ["80", "100/20s", "80/20", "0/20s"] {
            r.target = Some(bad.into());
            let e = r.to_calculation(ModelKind::C).expect_err(bad);
            assert_eq!(e.flag, "--target", "{bad}");
        }
    }
}
