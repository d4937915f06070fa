//! The Erlang calculators: from a checked [`Calculation`] (calls, handle time, agents or a
//! target), the figures a workforce planner reads, at the agents given or needed and at a few
//! counts around them. Rendering them is `render.rs`'s job.
//!
//! Each share that is a ratio of two quantities says which: a service level is calls answered
//! within the threshold over calls offered in the period, occupancy is Erlangs of work over
//! agents.

use super::request::{refuse, CalculatorError};
use super::solve::{
    erlang_a_agents, erlang_b_trunks, erlang_c_agents, scheduled_positions, search_limit,
    ServiceTarget,
};
use super::{erlang_b, ErlangA, ErlangC};
use crate::time::{compact_duration, decimal_text};

/// Counts shown below the agents of the answer, when they exist.
const TABLE_BELOW: u32 = 6;
/// Counts shown above the agents of the answer.
const TABLE_ABOVE: u32 = 3;

/// The calls offered: how many, over what period, and how long each takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Load {
    /// Calls offered per period.
    pub calls: f64,
    /// The period, seconds.
    pub per_s: f64,
    /// Mean handle time, seconds.
    pub handle_s: f64,
}

impl Load {
    /// Arrivals per second (λ).
    pub fn arrival_rate(&self) -> f64 {
        self.calls / self.per_s
    }

    /// The traffic intensity, Erlangs: arrivals per second × handle time, the agents the work
    /// would keep busy with no waiting at all.
    pub fn traffic(&self) -> f64 {
        self.arrival_rate() * self.handle_s
    }
}

/// The model, with what it solves for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Model {
    /// Erlang B (M/M/c/c): a call that finds every agent (or trunk) busy is lost.
    B {
        /// The most blocking allowed, a share; `None` to only compute the given agents.
        max_blocking: Option<f64>,
    },
    /// Erlang C (M/M/c): callers wait as long as it takes.
    C {
        /// The service level to meet.
        target: ServiceTarget,
        /// The most occupancy allowed, a share.
        max_occupancy: Option<f64>,
    },
    /// Erlang A (M/M/c+M): callers abandon after an exponentially distributed patience.
    A {
        /// Mean patience, seconds.
        patience_s: f64,
        /// The service level to meet, over all calls offered (abandoned ones count against).
        target: ServiceTarget,
        /// The most occupancy allowed, a share.
        max_occupancy: Option<f64>,
    },
}

impl Model {
    /// The model's name, as the command line spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Model::B { .. } => "erlang_b",
            Model::C { .. } => "erlang_c",
            Model::A { .. } => "erlang_a",
        }
    }
}

/// A checked calculation, ready to run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calculation {
    /// The model and its target.
    pub model: Model,
    /// The calls offered.
    pub load: Load,
    /// The agents given; `None` to solve for the fewest that meet the target.
    pub agents: Option<u32>,
    /// The share of paid time not on the phones, in [0, 1).
    pub shrinkage: f64,
}

/// What a figure is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureUnit {
    /// A share in [0, 1].
    Share,
    /// Seconds.
    Seconds,
}

/// A share's numerator and denominator, in the units a planner counts: calls per period,
/// Erlangs, agents.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    /// The numerator (88.84 calls answered within 20 s).
    pub numerator: f64,
    /// What the numerator counts ("answered within 20s").
    pub numerator_is: String,
    /// The denominator (100 calls offered).
    pub denominator: f64,
    /// What the denominator counts ("offered per 30m").
    pub denominator_is: String,
}

/// One figure at one agent count.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Its key in CSV and JSON (`service_level`).
    pub id: &'static str,
    /// Its name for people (`service level`).
    pub name: &'static str,
    /// Its column heading in the table of agent counts (`SL`).
    pub column: &'static str,
    /// The value.
    pub value: f64,
    /// Its unit.
    pub unit: FigureUnit,
    /// Its numerator and denominator, for a share that is a ratio of two quantities.
    pub ratio: Option<Ratio>,
}

/// The figures at one agent count.
#[derive(Clone, Debug, PartialEq)]
pub struct Staffing {
    /// Agents on the phones (or trunks, for Erlang B).
    pub agents: u32,
    /// Positions to schedule for them, shrinkage allowed for.
    pub positions: u32,
    /// Whether this count meets the target; `None` when there is no target.
    pub meets_target: Option<bool>,
    /// The figures, in the order they are shown.
    pub figures: Vec<Figure>,
}

impl Staffing {
    /// The figure with key `id`.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }
}

/// A calculator's answer: the traffic, the fewest agents meeting the target, the figures at
/// the agents given (or else those needed), and a table of counts around the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CalculatorReport {
    /// What was calculated.
    pub calculation: Calculation,
    /// The traffic intensity, Erlangs.
    pub traffic: f64,
    /// The fewest agents meeting the target; `None` without one (Erlang B with `--agents`
    /// only).
    pub needed: Option<u32>,
    /// The figures at the agents given, or else at those needed.
    pub chosen: Staffing,
    /// The figures at each count from a few under the answer (never an unstable count) to a
    /// few over it, in increasing order.
    pub table: Vec<Staffing>,
}

/// Runs `calculation`: solves for the agents needed, computes the figures at the agents given
/// or needed, and the table around them. Fails when the given agents cannot keep up with the
/// traffic (Erlang C) or no count within reach meets the target.
pub fn calculate(calculation: &Calculation) -> Result<CalculatorReport, CalculatorError> {
    let traffic = calculation.load.traffic();
    let lowest = lowest_agents(calculation);
    if let Some(agents) = calculation.agents {
        if agents < lowest {
            return Err(refuse(
                "--agents",
                Some(&agents.to_string()),
                format!(
                    "{} Erlangs of traffic are more work than {agents} agents can ever answer, \
                     so the queue grows without end (Erlang C has no steady state); expected \
                     at least {lowest} agents",
                    decimal_text(traffic)
                ),
            ));
        }
    }
    let needed = needed_agents(calculation)?;
    let Some(centre) = calculation.agents.or(needed) else {
        return Err(refuse(
            "--agents",
            None,
            "expected --agents N, or a target to solve for",
        ));
    };
    let first = centre.saturating_sub(TABLE_BELOW).max(lowest);
    let table = (first..=centre + TABLE_ABOVE)
        .map(|agents| staffing(calculation, agents))
        .collect();
    Ok(CalculatorReport {
        calculation: *calculation,
        traffic,
        needed,
        chosen: staffing(calculation, centre),
        table,
    })
}

/// The fewest agents the model can be computed at: more than the traffic for Erlang C (with
/// fewer the queue has no steady state), else one.
fn lowest_agents(calculation: &Calculation) -> u32 {
    match calculation.model {
        Model::C { .. } => calculation.load.traffic().floor() as u32 + 1,
        Model::A { .. } | Model::B { .. } => 1,
    }
}

/// The fewest agents meeting the target, `None` when there is no target.
fn needed_agents(calculation: &Calculation) -> Result<Option<u32>, CalculatorError> {
    let Load { handle_s, .. } = calculation.load;
    let rate = calculation.load.arrival_rate();
    let traffic = calculation.load.traffic();
    let unreachable = |flag: &'static str, value: String| {
        refuse(
            flag,
            Some(&value),
            format!(
                "no count up to {} agents meets it; expected a less demanding target",
                search_limit(traffic)
            ),
        )
    };
    match calculation.model {
        Model::B { max_blocking: None } => Ok(None),
        Model::B {
            max_blocking: Some(most),
        } => erlang_b_trunks(traffic, most)
            .map(Some)
            .ok_or_else(|| unreachable("--target-blocking", decimal_text(most))),
        Model::C {
            target,
            max_occupancy,
        } => erlang_c_agents(rate, handle_s, target, max_occupancy)
            .map(Some)
            .ok_or_else(|| unreachable("--target", target_text(target))),
        Model::A {
            patience_s,
            target,
            max_occupancy,
        } => erlang_a_agents(rate, handle_s, patience_s, target, max_occupancy)
            .map(Some)
            .ok_or_else(|| unreachable("--target", target_text(target))),
    }
}

/// A target as typed: `80/20s`.
pub(super) fn target_text(target: ServiceTarget) -> String {
    format!(
        "{}/{}",
        decimal_text(target.share * 100.0),
        compact_duration(target.within_s)
    )
}

/// The figures at `agents` (which the model must be computable at).
pub fn staffing(calculation: &Calculation, agents: u32) -> Staffing {
    let load = calculation.load;
    let per = format!("offered per {}", compact_duration(load.per_s));
    // A share of the calls offered, with its count per period.
    let of_calls = |id, name, column, value: f64, counted: &str| Figure {
        id,
        name,
        column,
        value,
        unit: FigureUnit::Share,
        ratio: Some(Ratio {
            numerator: value * load.calls,
            numerator_is: counted.to_string(),
            denominator: load.calls,
            denominator_is: per.clone(),
        }),
    };
    let seconds = |id, name, column, value| Figure {
        id,
        name,
        column,
        value,
        unit: FigureUnit::Seconds,
        ratio: None,
    };
    // Occupancy: the Erlangs of work agents do over the agents.
    let occupancy = |work: f64, work_is: &str| Figure {
        id: "occupancy",
        name: "occupancy",
        column: "occupancy",
        value: work / f64::from(agents),
        unit: FigureUnit::Share,
        ratio: Some(Ratio {
            numerator: work,
            numerator_is: work_is.to_string(),
            denominator: f64::from(agents),
            denominator_is: "agents".into(),
        }),
    };
    let (figures, meets_target) = match calculation.model {
        Model::C {
            target,
            max_occupancy,
        } => {
            let queue = ErlangC {
                arrival_rate: load.arrival_rate(),
                handle_s: load.handle_s,
                agents,
            };
            let within = format!("answered within {}", compact_duration(target.within_s));
            let service_level = queue.service_level(target.within_s);
            let figures = vec![
                of_calls(
                    "service_level",
                    "service level",
                    "SL",
                    service_level,
                    &within,
                ),
                of_calls(
                    "wait_probability",
                    "probability of waiting",
                    "P(wait)",
                    queue.wait_probability(),
                    "waiting",
                ),
                seconds("asa_s", "average speed of answer", "ASA s", queue.asa_s()),
                occupancy(queue.load(), "Erlangs of work"),
            ];
            let meets = service_level >= target.share
                && max_occupancy.is_none_or(|most| queue.occupancy() <= most);
            (figures, Some(meets))
        }
        Model::A {
            patience_s,
            target,
            max_occupancy,
        } => {
            let queue = ErlangA {
                arrival_rate: load.arrival_rate(),
                handle_s: load.handle_s,
                patience_s,
                agents,
            };
            let a = queue.figures(target.within_s, 0.0);
            let within = format!("answered within {}", compact_duration(target.within_s));
            let answered_work = load.traffic() * (1.0 - a.abandon_probability);
            let figures = vec![
                of_calls(
                    "service_level",
                    "service level",
                    "SL",
                    a.sl_over_offered,
                    &within,
                ),
                of_calls(
                    "wait_probability",
                    "probability of waiting",
                    "P(wait)",
                    a.wait_probability,
                    "waiting",
                ),
                seconds("asa_s", "average speed of answer", "ASA s", a.asa_s),
                of_calls(
                    "abandon_probability",
                    "probability of abandoning",
                    "P(abandon)",
                    a.abandon_probability,
                    "abandoning",
                ),
                seconds(
                    "average_wait_s",
                    "average wait (all calls)",
                    "wait s",
                    a.average_wait_s,
                ),
                occupancy(answered_work, "Erlangs answered"),
            ];
            let meets = a.sl_over_offered >= target.share
                && max_occupancy.is_none_or(|most| a.occupancy <= most);
            (figures, Some(meets))
        }
        Model::B { max_blocking } => {
            let blocking = erlang_b(agents, load.traffic());
            let figures = vec![
                of_calls(
                    "blocking_probability",
                    "probability of blocking",
                    "P(block)",
                    blocking,
                    "blocked",
                ),
                occupancy(load.traffic() * (1.0 - blocking), "Erlangs carried"),
            ];
            (figures, max_blocking.map(|most| blocking <= most))
        }
    };
    Staffing {
        agents,
        positions: scheduled_positions(agents, calculation.shrinkage),
        meets_target,
        figures,
    }
}

#[cfg(test)]
mod tests {
    use super::super::request::{CalculatorRequest, ModelKind};
    use super::*;

    /// The request of `ccsim erlang`'s flags.
    fn request(calls: &str, per: &str, handle: &str) -> CalculatorRequest {
        CalculatorRequest {
            calls: calls.into(),
            per: Some(per.into()),
            handle: handle.into(),
            ..CalculatorRequest::default()
        }
    }

    fn run(request: &CalculatorRequest, kind: ModelKind) -> CalculatorReport {
        let calculation = request.to_calculation(kind).expect("valid request");
        calculate(&calculation).expect("calculable")
    }

    /// `value` rounded to `decimals`, as the output prints it.
    fn printed(value: f64, decimals: i32) -> f64 {
        let scale = 10f64.powi(decimals);
        (value * scale).round() / scale
    }

    fn value(staffing: &Staffing, id: &str) -> f64 {
        staffing.figure(id).expect(id).value
    }

    #[test]
    fn erlang_c_reproduces_the_published_example() {
        // pyworkforce's README and the R ErlangC package: 100 calls per 30 minutes, 3-minute
        // handle time, 80 % within 20 s, shrinkage 0.3, maximum occupancy 0.85.
        let mut r = request("100", "30m", "3m");
        r.target = Some("80/20s".into());
        r.shrinkage = Some("0.3".into());
        r.max_occupancy = Some("0.85".into());
        let report = run(&r, ModelKind::C);
        // Hand computation: 100 / 1800 s × 180 s = 10 Erlangs.
        assert_eq!(report.traffic, 10.0);
        // Published: 14 agents, 20 positions.
        assert_eq!(report.needed, Some(14));
        let at = &report.chosen;
        assert_eq!((at.agents, at.positions), (14, 20));
        // Published: service level 0.8884, occupancy 0.7143, probability of waiting 0.1741,
        // ASA 7.836 s.
        assert_eq!(printed(value(at, "service_level"), 4), 0.8884);
        assert_eq!(printed(value(at, "occupancy"), 4), 0.7143);
        assert_eq!(printed(value(at, "wait_probability"), 4), 0.1741);
        assert_eq!(printed(value(at, "asa_s"), 3), 7.836);
        // Hand computation: occupancy is 10 Erlangs over 14 agents, and the service level's
        // numerator is its share of the 100 calls.
        let ratio = at.figure("occupancy").and_then(|f| f.ratio.clone());
        let ratio = ratio.expect("occupancy is a ratio");
        assert_eq!((ratio.numerator, ratio.denominator), (10.0, 14.0));
        let sl = at.figure("service_level").and_then(|f| f.ratio.clone());
        let sl = sl.expect("service level is a ratio");
        assert_eq!(sl.denominator, 100.0);
        assert!((sl.numerator - 100.0 * value(at, "service_level")).abs() < 1e-9);
        // The table runs from the fewest stable count (11) to three past the answer, and
        // 14 is the first row that meets the target.
        let counts: Vec<u32> = report.table.iter().map(|s| s.agents).collect();
        assert_eq!(counts, (11..=17).collect::<Vec<_>>());
        let first_meeting = report.table.iter().find(|s| s.meets_target == Some(true));
        assert_eq!(first_meeting.map(|s| s.agents), Some(14));
    }

    #[test]
    fn erlang_c_refuses_agents_that_cannot_keep_up() {
        let mut r = request("100", "30m", "3m");
        r.agents = Some("10".into());
        let calculation = r.to_calculation(ModelKind::C).expect("valid flags");
        let e = calculate(&calculation).expect_err("10 agents for 10 Erlangs");
        assert_eq!(e.flag, "--agents");
        assert!(e.message.contains("at least 11 agents"), "{e}");
    }

    #[test]
    fn erlang_b_matches_hand_and_table_values() {
        // Hand computation from the recursion: B(2, 1 Erlang) = 0.2.
        let mut r = request("1", "1h", "1h");
        r.agents = Some("2".into());
        let report = run(&r, ModelKind::B);
        assert_eq!(
            printed(value(&report.chosen, "blocking_probability"), 4),
            0.2
        );
        assert_eq!(report.needed, None);
        // Published Erlang B tables: 5 Erlangs on 10 trunks block 0.01838 of calls, and 10
        // trunks are the fewest for a 2 % grade of service at 5 Erlangs (10 trunks carry
        // up to 5.084 Erlangs at 2 %).
        let mut r = request("5", "1h", "1h");
        r.target_blocking = Some("0.02".into());
        let report = run(&r, ModelKind::B);
        assert_eq!(report.needed, Some(10));
        assert!((value(&report.chosen, "blocking_probability") - 0.01838).abs() < 5e-6);
    }

    #[test]
    fn erlang_a_with_patience_equal_to_handle_time_is_a_poisson_count() {
        // With mean patience equal to the handle time, every call in the system leaves at the
        // same rate, so the number in system is Poisson with mean a (an M/M/∞ queue). By hand,
        // for a = 2 Erlangs and 2 agents: P(wait) = P(N ≥ 2) = 1 − 3e⁻², and P(abandon) =
        // E[(N − 2)⁺] / a = 4e⁻² / 2 = 2e⁻².
        let mut r = request("2", "1h", "1h");
        r.patience = Some("1h".into());
        r.agents = Some("2".into());
        let report = run(&r, ModelKind::A);
        let e2 = (-2.0f64).exp();
        assert!((value(&report.chosen, "wait_probability") - (1.0 - 3.0 * e2)).abs() < 1e-9);
        assert!((value(&report.chosen, "abandon_probability") - 2.0 * e2).abs() < 1e-9);
        // Average wait over all calls: P(abandon) × mean patience.
        assert!((value(&report.chosen, "average_wait_s") - 2.0 * e2 * 3600.0).abs() < 1e-5);
        // Occupancy: the answered Erlangs, 2(1 − 2e⁻²), over 2 agents.
        assert!((value(&report.chosen, "occupancy") - (1.0 - 2.0 * e2)).abs() < 1e-9);
    }

    #[test]
    fn erlang_a_tends_to_erlang_c_as_patience_grows() {
        // Independent of any published figure: with patience far beyond any wait, nobody
        // abandons and Erlang A gives Erlang C's answer for the published example.
        let mut r = request("100", "30m", "3m");
        r.max_occupancy = Some("0.85".into());
        let c = run(&r, ModelKind::C);
        r.patience = Some("1000h".into());
        let a = run(&r, ModelKind::A);
        assert_eq!(a.needed, c.needed);
        for id in ["service_level", "wait_probability", "occupancy"] {
            let (x, y) = (value(&a.chosen, id), value(&c.chosen, id));
            assert!((x - y).abs() < 1e-4, "{id}: {x} vs {y}");
        }
        assert!((value(&a.chosen, "asa_s") - value(&c.chosen, "asa_s")).abs() < 1e-2);
        assert!(value(&a.chosen, "abandon_probability") < 1e-4);
    }
}
