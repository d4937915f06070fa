//! Queueing formulas: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M, exponential
//! patience), as in `../shared/reference/queueing.md` (Garnett, Mandelbaum and Reiman 2002;
//! Mandelbaum and Zeltyn 2007). The simulator is checked against them, and capacity planning
//! can size staff with them.
//!
//! Rates are per second and times in seconds. Erlang A is computed two independent ways: the
//! closed form with the function A(x, y), and the stationary distribution of the birth-death
//! chain with the waiting time of a tagged customer by uniformization; the tests hold them
//! equal. The second also gives what has no simple closed form: the service level of answered
//! calls and the probability of abandoning within a threshold.
//!
//! On top of the formulas sit the calculators of `ccsim erlang`: `request` checks what a
//! planner typed, `solve` finds the fewest agents meeting a target and the positions to
//! schedule, `calculator` computes the figures at and around the answer, and `render` writes
//! them as a table, CSV or JSON.

pub mod calculator;
mod render;
mod request;
pub mod solve;

pub use calculator::{calculate, Calculation, CalculatorReport, Figure, FigureUnit, Staffing};
pub use render::render_calculator;
pub use request::{CalculatorError, CalculatorRequest, ModelKind};

/// Erlang B: the probability that all `c` servers are busy in M/M/c/c with offered load `a`
/// (Erlangs), by the stable recursion B₀ = 1, B_k = a·B_{k−1} / (k + a·B_{k−1}).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// Erlang C: the probability that an arrival waits in M/M/c with offered load `a` < c;
/// 1 when the system is overloaded.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    if a >= f64::from(c) {
        return 1.0;
    }
    let b = erlang_b(c, a);
    let c = f64::from(c);
    c * b / (c - a * (1.0 - b))
}

/// M/M/c: Poisson arrivals, exponential handling, `agents` servers, no abandonment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangC {
    /// Arrivals per second (λ).
    pub arrival_rate: f64,
    /// Mean handling time in seconds (1/μ).
    pub handle_s: f64,
    /// Agents (c).
    pub agents: u32,
}

impl ErlangC {
    /// Offered load a = λ/μ, in Erlangs.
    pub fn load(&self) -> f64 {
        self.arrival_rate * self.handle_s
    }

    /// Whether the queue is stable (a < c).
    pub fn stable(&self) -> bool {
        self.load() < f64::from(self.agents)
    }

    /// Probability of waiting (C).
    pub fn wait_probability(&self) -> f64 {
        erlang_c(self.agents, self.load())
    }

    /// The rate at which the queue drains when every agent is busy: cμ − λ.
    fn drain(&self) -> f64 {
        f64::from(self.agents) / self.handle_s - self.arrival_rate
    }

    /// Average speed of answer, which is also the average wait (every call is answered):
    /// C / (cμ − λ). Infinite when unstable.
    pub fn asa_s(&self) -> f64 {
        if !self.stable() {
            return f64::INFINITY;
        }
        self.wait_probability() / self.drain()
    }

    /// Service level: the share of calls answered within `t` seconds, 1 − C·e^{−(cμ−λ)t}.
    pub fn service_level(&self, t: f64) -> f64 {
        if !self.stable() {
            return 0.0;
        }
        1.0 - self.wait_probability() * (-self.drain() * t).exp()
    }

    /// Agent occupancy a/c (capped at 1).
    pub fn occupancy(&self) -> f64 {
        (self.load() / f64::from(self.agents)).min(1.0)
    }

    /// Mean number waiting, by Little's law: Lq = λ·ASA.
    pub fn mean_queue(&self) -> f64 {
        self.arrival_rate * self.asa_s()
    }
}

/// M/M/c+M: Erlang C with exponentially distributed patience; a caller whose patience runs
/// out before an agent answers abandons.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangA {
    /// Arrivals per second (λ).
    pub arrival_rate: f64,
    /// Mean handling time in seconds (1/μ).
    pub handle_s: f64,
    /// Mean patience in seconds (1/θ).
    pub patience_s: f64,
    /// Agents (c).
    pub agents: u32,
}

/// What an Erlang A model predicts, computed from the birth-death chain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangAFigures {
    /// Probability that an arrival waits (finds every agent busy).
    pub wait_probability: f64,
    /// Probability that an arrival abandons.
    pub abandon_probability: f64,
    /// Mean wait of answered calls, seconds.
    pub asa_s: f64,
    /// Mean wait over all arrivals (answered or abandoned), seconds.
    pub average_wait_s: f64,
    /// Mean wait of abandoned calls before they hang up, seconds.
    pub time_to_abandon_s: f64,
    /// Share of answered calls answered within the threshold.
    pub sl_over_answered: f64,
    /// Share of arrivals answered within the threshold.
    pub sl_over_offered: f64,
    /// Answered within the threshold over arrivals less those abandoning within the
    /// short-abandon limit.
    pub sl_over_offered_less_short: f64,
    /// Probability that an arrival abandons within the short-abandon limit.
    pub short_abandon_probability: f64,
    /// Agent occupancy: λ(1 − P(abandon)) / (cμ).
    pub occupancy: f64,
    /// Mean number waiting (time average).
    pub mean_queue: f64,
}

impl ErlangA {
    fn mu(&self) -> f64 {
        1.0 / self.handle_s
    }

    fn theta(&self) -> f64 {
        1.0 / self.patience_s
    }

    /// A(x, y) = 1 + Σ_{j≥1} y^j / Π_{k=1..j}(x + k), at x = cμ/θ, y = λ/θ.
    fn a_function(&self) -> f64 {
        let x = f64::from(self.agents) * self.mu() / self.theta();
        let y = self.arrival_rate / self.theta();
        let mut sum = 1.0;
        let mut term = 1.0;
        for k in 1..100_000 {
            term *= y / (x + f64::from(k));
            sum += term;
            if term < sum * 1e-17 {
                break;
            }
        }
        sum
    }

    /// Probability of waiting by the closed form: A·E / (1 + (A − 1)·E), E = B_c(λ/μ).
    pub fn wait_probability(&self) -> f64 {
        let e = erlang_b(self.agents, self.arrival_rate * self.handle_s);
        let a = self.a_function();
        a * e / (1.0 + (a - 1.0) * e)
    }

    /// Probability of abandoning by the closed form: [1/(ρA) + 1 − 1/ρ]·P(wait),
    /// ρ = λ/(cμ).
    pub fn abandon_probability(&self) -> f64 {
        let rho = self.arrival_rate / (f64::from(self.agents) * self.mu());
        let a = self.a_function();
        (1.0 / (rho * a) + 1.0 - 1.0 / rho) * self.wait_probability()
    }

    /// Mean wait over all arrivals, P(abandon)/θ.
    pub fn average_wait_s(&self) -> f64 {
        self.abandon_probability() * self.patience_s
    }

    /// Every figure, from the stationary distribution of the number in system and the
    /// waiting time of a tagged arrival, with service-level threshold `t` and short-abandon
    /// limit `short` (seconds).
    pub fn figures(&self, t: f64, short: f64) -> ErlangAFigures {
        let c = self.agents as usize;
        let (lambda, mu, theta) = (self.arrival_rate, self.mu(), self.theta());
        // Stationary distribution p_n ∝ Π_{k=1..n} λ / (min(k, c)μ + max(k − c, 0)θ), built in
        // logarithms: with long patience and fewer agents than Erlangs, the products climb
        // past f64's range long before they turn down.
        let mut log_p = vec![0.0f64];
        let mut highest = 0.0f64;
        let mut n = 0usize;
        while n < 1_000_000 {
            n += 1;
            let death = n.min(c) as f64 * mu + n.saturating_sub(c) as f64 * theta;
            let next = log_p[n - 1] + (lambda / death).ln();
            log_p.push(next);
            highest = highest.max(next);
            // Past the mode the terms only shrink; stop once they are 1e-18 of the largest.
            if n > c && death >= lambda && next < highest - 41.5 {
                break;
            }
        }
        let mut p: Vec<f64> = log_p.iter().map(|l| (l - highest).exp()).collect();
        let total: f64 = p.iter().sum();
        for x in &mut p {
            *x /= total;
        }
        // An arrival that finds n ≥ c waits in position j = n − c; it moves up at rate
        // r_j = cμ + jθ and abandons at rate θ.
        let r = |j: usize| c as f64 * mu + j as f64 * theta;
        let waiting: Vec<f64> = p.iter().skip(c).copied().collect();
        let wait_probability: f64 = waiting.iter().sum();
        let (mut answered_wait, mut answered, mut sojourn) = (0.0, 0.0, 0.0);
        // From position j: the probability of reaching service, the expected wait of one who
        // does (each position lasts 1/(r_i + θ) on average whichever way it ends), and the
        // expected time until leaving the queue either way. Each follows from position j − 1:
        // the first step takes 1/(r_j + θ), then the call moves up with probability
        // r_j/(r_j + θ).
        let (mut reach, mut wait, mut time) = (1.0, 0.0, 0.0);
        for (j, pj) in waiting.iter().enumerate() {
            let leave = r(j) + theta;
            reach *= r(j) / leave;
            wait += 1.0 / leave;
            time = 1.0 / leave + r(j) / leave * time;
            answered += pj * reach;
            answered_wait += pj * reach * wait;
            sojourn += pj * time;
        }
        let immediate = 1.0 - wait_probability;
        let answered_all = immediate + answered;
        let abandon_probability = 1.0 - answered_all;
        let (served_by_t, _) = self.tagged(&waiting, t);
        let (_, abandoned_by_short) = self.tagged(&waiting, short);
        let within = immediate + served_by_t;
        let average_wait_s = sojourn;
        ErlangAFigures {
            wait_probability,
            abandon_probability,
            asa_s: answered_wait / answered_all,
            average_wait_s,
            time_to_abandon_s: if abandon_probability > 0.0 {
                (average_wait_s - answered_wait) / abandon_probability
            } else {
                0.0
            },
            sl_over_answered: within / answered_all,
            sl_over_offered: within,
            sl_over_offered_less_short: within / (1.0 - abandoned_by_short),
            short_abandon_probability: abandoned_by_short,
            occupancy: lambda * answered_all / (c as f64 * mu),
            mean_queue: lambda * average_wait_s,
        }
    }

    /// For arrivals that wait, starting in position j with probability `start[j]`: the
    /// probability of being answered by time `t`, and of abandoning by time `t`, by
    /// uniformization of the tagged customer's position.
    fn tagged(&self, start: &[f64], t: f64) -> (f64, f64) {
        let c = f64::from(self.agents);
        let (mu, theta) = (self.mu(), self.theta());
        let m = start.len();
        if m == 0 || t <= 0.0 {
            return (0.0, 0.0);
        }
        let r = |j: usize| c * mu + j as f64 * theta;
        let big = r(m - 1) + theta;
        let mean = big * t;
        let mut v = start.to_vec();
        let (mut served, mut abandoned) = (0.0, 0.0);
        let (mut got_served, mut got_abandoned) = (0.0, 0.0);
        // Poisson weights of the number of uniformized steps by time t.
        let mut weight = (-mean).exp();
        let mut cumulative = 0.0;
        let limit = (mean + 12.0 * mean.sqrt() + 50.0) as usize;
        if weight == 0.0 {
            // Large mean: start the weights in log space.
            return self.tagged_fine(start, t);
        }
        for step in 0..=limit {
            cumulative += weight;
            got_served += weight * served;
            got_abandoned += weight * abandoned;
            // One step of the chain.
            let mut next = vec![0.0; m];
            for (j, x) in v.iter().enumerate() {
                if *x == 0.0 {
                    continue;
                }
                let up = r(j) / big;
                let leave = theta / big;
                next[j] += x * (1.0 - up - leave);
                abandoned += x * leave;
                if j == 0 {
                    served += x * up;
                } else {
                    next[j - 1] += x * up;
                }
            }
            v = next;
            weight *= mean / (step + 1) as f64;
        }
        let rest = (1.0 - cumulative).max(0.0);
        (got_served + rest * served, got_abandoned + rest * abandoned)
    }

    /// The same as `tagged` for long thresholds, in small time steps.
    fn tagged_fine(&self, start: &[f64], t: f64) -> (f64, f64) {
        let pieces = 64;
        let dt = t / f64::from(pieces);
        let mut v = start.to_vec();
        let (mut served, mut abandoned) = (0.0, 0.0);
        for _ in 0..pieces {
            let (s, a, rest) = self.advance(&v, dt);
            served += s;
            abandoned += a;
            v = rest;
        }
        (served, abandoned)
    }

    /// Advances a (sub-probability) position vector by `dt`, returning what was served,
    /// what abandoned, and what is still waiting.
    fn advance(&self, v: &[f64], dt: f64) -> (f64, f64, Vec<f64>) {
        let c = f64::from(self.agents);
        let (mu, theta) = (self.mu(), self.theta());
        let m = v.len();
        let r = |j: usize| c * mu + j as f64 * theta;
        let big = r(m - 1) + theta;
        let mean = big * dt;
        let mut weight = (-mean).exp();
        let limit = (mean + 12.0 * mean.sqrt() + 50.0) as usize;
        let mut cur = v.to_vec();
        let mut out = vec![0.0; m];
        let (mut served, mut abandoned) = (0.0, 0.0);
        let (mut s_acc, mut a_acc) = (0.0, 0.0);
        let mut cumulative = 0.0;
        for step in 0..=limit {
            cumulative += weight;
            for (o, x) in out.iter_mut().zip(&cur) {
                *o += weight * x;
            }
            s_acc += weight * served;
            a_acc += weight * abandoned;
            let mut next = vec![0.0; m];
            for (j, x) in cur.iter().enumerate() {
                let up = r(j) / big;
                let leave = theta / big;
                next[j] += x * (1.0 - up - leave);
                abandoned += x * leave;
                if j == 0 {
                    served += x * up;
                } else {
                    next[j - 1] += x * up;
                }
            }
            cur = next;
            weight *= mean / (step + 1) as f64;
        }
        let rest = (1.0 - cumulative).max(0.0);
        (s_acc + rest * served, a_acc + rest * abandoned, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn erlang_b_and_c_match_exact_values() {
        // B(1, a) = a/(1+a); B(2, 1) = (1/2)/(1 + 1 + 1/2) = 0.2.
        assert!(close(erlang_b(1, 3.0), 0.75, 1e-15));
        assert!(close(erlang_b(2, 1.0), 0.2, 1e-15));
        // C(3, 2 Erlangs) = 4/9 (B = 4/19; C = 3B / (3 − 2(1 − B))).
        assert!(close(erlang_c(3, 2.0), 4.0 / 9.0, 1e-15));
        // C(1, a) = a for a single server (M/M/1: P(wait) = ρ).
        assert!(close(erlang_c(1, 0.7), 0.7, 1e-15));
        // The textbook table value: B(10, 10 Erlangs) = 0.2146.
        assert!(close(erlang_b(10, 10.0), 0.214_58, 1e-5));
    }

    #[test]
    fn erlang_c_service_figures() {
        // M/M/1 with λ = 1/2 per s, mean handling 1 s: ASA = ρ/(μ − λ) = 0.5/0.5 = 1 s,
        // SL(t) = 1 − ρ e^{−(μ−λ)t}.
        let q = ErlangC {
            arrival_rate: 0.5,
            handle_s: 1.0,
            agents: 1,
        };
        assert!(close(q.asa_s(), 1.0, 1e-12));
        assert!(close(
            q.service_level(2.0),
            1.0 - 0.5 * (-1.0f64).exp(),
            1e-12
        ));
        assert!(close(q.occupancy(), 0.5, 1e-12));
        assert!(close(q.mean_queue(), 0.5, 1e-12));
    }

    #[test]
    fn erlang_a_closed_form_equals_the_chain() {
        for (lambda_h, handle, patience, c) in [
            (100.0, 180.0, 120.0, 6),
            (100.0, 180.0, 120.0, 5),
            (360.0, 300.0, 60.0, 28),
            (50.0, 240.0, 600.0, 3),
        ] {
            let q = ErlangA {
                arrival_rate: lambda_h / 3600.0,
                handle_s: handle,
                patience_s: patience,
                agents: c,
            };
            let f = q.figures(20.0, 5.0);
            assert!(
                close(f.wait_probability, q.wait_probability(), 1e-9),
                "{c}: {} vs {}",
                f.wait_probability,
                q.wait_probability()
            );
            assert!(close(f.abandon_probability, q.abandon_probability(), 1e-9));
            assert!(close(f.average_wait_s, q.average_wait_s(), 1e-6));
        }
    }

    #[test]
    fn erlang_a_tends_to_erlang_c_as_patience_grows() {
        let a = ErlangA {
            arrival_rate: 100.0 / 3600.0,
            handle_s: 180.0,
            patience_s: 1e9,
            agents: 6,
        };
        let c = ErlangC {
            arrival_rate: 100.0 / 3600.0,
            handle_s: 180.0,
            agents: 6,
        };
        let f = a.figures(20.0, 5.0);
        assert!(close(f.wait_probability, c.wait_probability(), 1e-6));
        assert!(close(f.asa_s, c.asa_s(), 1e-3));
        assert!(close(f.sl_over_answered, c.service_level(20.0), 1e-6));
    }

    #[test]
    fn the_denominator_matters_with_abandonment() {
        // The benchmark model M/M/6+M: the two service levels differ by about nine points.
        let q = ErlangA {
            arrival_rate: 100.0 / 3600.0,
            handle_s: 180.0,
            patience_s: 120.0,
            agents: 6,
        };
        let f = q.figures(20.0, 5.0);
        let gap = f.sl_over_answered - f.sl_over_offered;
        assert!((0.07..0.11).contains(&gap), "{f:?}");
        // Answered plus abandoned is every arrival; occupancy is the answered load.
        assert!(f.occupancy < 5.0 / 6.0);
    }
}
