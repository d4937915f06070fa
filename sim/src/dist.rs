//! Durations drawn from distributions, and the streams of random numbers they draw from.
//!
//! Every stochastic process of a simulation draws from its own [`Stream`]: a Pcg64Mcg generator
//! (rand_pcg, portable and seeded) whose seed is derived from the run's seed and the stream's
//! name, or, for a contact, from a key its origin drew ([`Stream::key`], [`Stream::from_key`]).
//! Two scenarios that differ in one knob therefore draw the same numbers everywhere else
//! (common random numbers), and a replication is the same on every machine.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Weibull};
use rand_pcg::Pcg64Mcg;
use serde::Deserialize;

/// One stream of random numbers.
#[derive(Clone, Debug)]
pub struct Stream(Pcg64Mcg);

impl Stream {
    /// The stream called `name` of the run seeded with `seed`.
    pub fn new(seed: u64, name: &str) -> Stream {
        Stream::from_key(seed ^ fnv1a(name.as_bytes()))
    }

    /// The stream a 64-bit key stands for: a process's (see [`Stream::new`]) or a contact's,
    /// whose key its parent stream drew ([`Stream::key`]).
    pub fn from_key(key: u64) -> Stream {
        let mut state = splitmix(key);
        let hi = splitmix(state);
        state = splitmix(hi);
        let lo = state;
        let seed128 = (u128::from(hi) << 64) | u128::from(lo);
        Stream(Pcg64Mcg::from_seed(seed128.to_le_bytes()))
    }

    /// A key for a stream of its own (one per contact): one draw from this stream.
    pub fn key(&mut self) -> u64 {
        self.0.random::<u64>()
    }

    /// A uniform number in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.uniform() < p
    }

    /// A unit-rate exponential number (mean 1).
    pub fn unit_exp(&mut self) -> f64 {
        Exp::new(1.0).map_or(0.0, |d| d.sample(&mut self.0))
    }

    /// An index drawn with the given weights (which need not sum to 1); 0 when all are zero.
    pub fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return 0;
        }
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// The generator itself, for distributions.
    fn rng(&mut self) -> &mut Pcg64Mcg {
        &mut self.0
    }
}

/// The seed of replication `index` (0-based) of a run seeded with `base`.
pub fn replication_seed(base: u64, index: u64) -> u64 {
    if index == 0 {
        base
    } else {
        splitmix(base ^ splitmix(index.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
    }
}

/// SplitMix64's output function: a fast, well-mixed bijection of 64-bit words.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64-bit FNV-1a: a stable hash of bytes (stream names, scenario files).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A duration distribution as written in a scenario file: `dist` names the family, and the
/// other keys are its parameters in seconds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum DistSpec {
    /// Always the same value.
    Constant {
        /// The value, in seconds.
        value_s: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// The mean, in seconds.
        mean_s: f64,
    },
    /// Lognormal with the given mean and standard deviation (of the value, not of its log).
    Lognormal {
        /// The mean, in seconds.
        mean_s: f64,
        /// The standard deviation, in seconds.
        sd_s: f64,
    },
    /// Gamma with the given shape and mean (scale = mean / shape).
    Gamma {
        /// The shape parameter k (> 0).
        shape: f64,
        /// The mean, in seconds.
        mean_s: f64,
    },
    /// Weibull with the given shape and scale.
    Weibull {
        /// The shape parameter k (> 0).
        shape: f64,
        /// The scale parameter λ, in seconds.
        scale_s: f64,
    },
    /// Uniform between two values.
    Uniform {
        /// The smallest value, in seconds.
        min_s: f64,
        /// The largest value, in seconds.
        max_s: f64,
    },
    /// Empirical: values at equally spaced quantiles (the first is the minimum, the last the
    /// maximum), linearly interpolated between.
    Empirical {
        /// The quantiles, in seconds, non-decreasing; at least two.
        quantiles_s: Vec<f64>,
    },
}

/// A distribution ready to draw from; samples are in milliseconds, never negative.
#[derive(Clone, Debug)]
pub enum Dist {
    /// Always the same number of milliseconds.
    Constant(f64),
    /// Exponential, in ms.
    Exponential(Exp<f64>, f64),
    /// Lognormal, in ms.
    Lognormal(LogNormal<f64>),
    /// Gamma, in ms.
    Gamma(Gamma<f64>),
    /// Weibull, in ms.
    Weibull(Weibull<f64>),
    /// Uniform between two values, in ms.
    Uniform(f64, f64),
    /// Empirical quantiles, in ms.
    Empirical(Vec<f64>),
}

fn finite_nonneg(v: f64, key: &'static str) -> Result<(), DistError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(DistError {
            key,
            message: format!("{v} is not a duration; expected a number of seconds ≥ 0"),
        })
    }
}

fn finite_pos(v: f64, key: &'static str) -> Result<(), DistError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(DistError {
            key,
            message: format!("{v} is out of range; expected a number > 0"),
        })
    }
}

/// Why a distribution's parameters are refused: the key at fault, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistError {
    /// The parameter's key, e.g. `mean_s`.
    pub(crate) key: &'static str,
    /// What is wrong, and what would be right.
    pub(crate) message: String,
}

impl std::fmt::Display for DistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for DistError {}

impl DistError {
    /// The error `rand_distr` gave for `key`'s value.
    fn new(key: &'static str, error: impl std::fmt::Display) -> DistError {
        DistError {
            key,
            message: error.to_string(),
        }
    }
}

impl DistSpec {
    /// The distribution, or which key is at fault and why.
    pub fn build(&self) -> Result<Dist, DistError> {
        const MS: f64 = 1000.0;
        Ok(match self {
            DistSpec::Constant { value_s } => {
                finite_nonneg(*value_s, "value_s")?;
                Dist::Constant(value_s * MS)
            }
            DistSpec::Exponential { mean_s } => {
                finite_pos(*mean_s, "mean_s")?;
                let d = Exp::new(1.0).map_err(|e| DistError::new("mean_s", e))?;
                Dist::Exponential(d, mean_s * MS)
            }
            DistSpec::Lognormal { mean_s, sd_s } => {
                finite_pos(*mean_s, "mean_s")?;
                finite_pos(*sd_s, "sd_s")?;
                // From the mean m and sd s of the value: σ² = ln(1 + s²/m²), μ = ln m − σ²/2.
                let m = mean_s * MS;
                let s = sd_s * MS;
                let var = (1.0 + (s * s) / (m * m)).ln();
                let d = LogNormal::new(m.ln() - var / 2.0, var.sqrt())
                    .map_err(|e| DistError::new("sd_s", e))?;
                Dist::Lognormal(d)
            }
            DistSpec::Gamma { shape, mean_s } => {
                finite_pos(*shape, "shape")?;
                finite_pos(*mean_s, "mean_s")?;
                let d = Gamma::new(*shape, mean_s * MS / shape)
                    .map_err(|e| DistError::new("shape", e))?;
                Dist::Gamma(d)
            }
            DistSpec::Weibull { shape, scale_s } => {
                finite_pos(*shape, "shape")?;
                finite_pos(*scale_s, "scale_s")?;
                let d =
                    Weibull::new(scale_s * MS, *shape).map_err(|e| DistError::new("shape", e))?;
                Dist::Weibull(d)
            }
            DistSpec::Uniform { min_s, max_s } => {
                finite_nonneg(*min_s, "min_s")?;
                finite_nonneg(*max_s, "max_s")?;
                if max_s < min_s {
                    return Err(DistError {
                        key: "max_s",
                        message: format!(
                            "{max_s} is below min_s ({min_s}); expected max_s ≥ min_s"
                        ),
                    });
                }
                Dist::Uniform(min_s * MS, max_s * MS)
            }
            DistSpec::Empirical { quantiles_s } => {
                if quantiles_s.len() < 2 {
                    return Err(DistError {
                        key: "quantiles_s",
                        message: "expected at least two quantiles (the minimum and the maximum)"
                            .into(),
                    });
                }
                for (i, q) in quantiles_s.iter().enumerate() {
                    finite_nonneg(*q, "quantiles_s")?;
                    if i > 0 && *q < quantiles_s[i - 1] {
                        return Err(DistError {
                            key: "quantiles_s",
                            message: format!(
                                "quantile {} ({q}) is below the one before it; expected non-decreasing values",
                                i + 1
                            ),
                        });
                    }
                }
                Dist::Empirical(quantiles_s.iter().map(|q| q * MS).collect())
            }
        })
    }

    /// The distribution's mean, in seconds.
    pub fn mean_s(&self) -> f64 {
        match self {
            DistSpec::Constant { value_s } => *value_s,
            DistSpec::Exponential { mean_s }
            | DistSpec::Lognormal { mean_s, .. }
            | DistSpec::Gamma { mean_s, .. } => *mean_s,
            DistSpec::Weibull { shape, scale_s } => scale_s * gamma_fn(1.0 + 1.0 / shape),
            DistSpec::Uniform { min_s, max_s } => (min_s + max_s) / 2.0,
            DistSpec::Empirical { quantiles_s } => {
                let n = quantiles_s.len() - 1;
                (0..n)
                    .map(|i| (quantiles_s[i] + quantiles_s[i + 1]) / 2.0)
                    .sum::<f64>()
                    / n as f64
            }
        }
    }
}

/// The gamma function (Lanczos approximation, g = 7), for Weibull means.
fn gamma_fn(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma_fn(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

impl Dist {
    /// A sample in milliseconds (f64, never negative).
    pub fn sample_f64(&self, s: &mut Stream) -> f64 {
        let v = match self {
            Dist::Constant(v) => *v,
            Dist::Exponential(d, mean) => d.sample(s.rng()) * mean,
            Dist::Lognormal(d) => d.sample(s.rng()),
            Dist::Gamma(d) => d.sample(s.rng()),
            Dist::Weibull(d) => d.sample(s.rng()),
            Dist::Uniform(a, b) => a + (b - a) * s.uniform(),
            Dist::Empirical(q) => {
                let n = q.len() - 1;
                let x = s.uniform() * n as f64;
                let i = (x as usize).min(n - 1);
                q[i] + (q[i + 1] - q[i]) * (x - i as f64)
            }
        };
        if v.is_finite() {
            v.max(0.0)
        } else {
            0.0
        }
    }

    /// A sample in whole milliseconds (rounded to the nearest).
    pub fn sample_ms(&self, s: &mut Stream) -> i64 {
        self.sample_f64(s).round() as i64
    }

    /// Whether every sample is zero.
    pub fn is_zero(&self) -> bool {
        matches!(self, Dist::Constant(v) if *v == 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_seed_and_name_only() {
        let a: Vec<f64> = (0..3).map(|_| Stream::new(7, "x").uniform()).collect();
        assert_eq!(a[0], a[1]);
        let mut s1 = Stream::new(7, "arrivals/phone");
        let mut s2 = Stream::new(7, "arrivals/chat");
        let mut s3 = Stream::new(8, "arrivals/phone");
        let (x1, x2, x3) = (s1.uniform(), s2.uniform(), s3.uniform());
        assert!(x1 != x2 && x1 != x3);
    }

    #[test]
    fn means_match_the_specs() {
        let specs = [
            DistSpec::Exponential { mean_s: 180.0 },
            DistSpec::Lognormal {
                mean_s: 300.0,
                sd_s: 150.0,
            },
            DistSpec::Gamma {
                shape: 2.0,
                mean_s: 240.0,
            },
            DistSpec::Weibull {
                shape: 1.5,
                scale_s: 200.0,
            },
            DistSpec::Uniform {
                min_s: 10.0,
                max_s: 30.0,
            },
            DistSpec::Empirical {
                quantiles_s: vec![0.0, 60.0, 120.0, 600.0],
            },
        ];
        for spec in specs {
            let d = spec.build().unwrap();
            let mut s = Stream::new(1, "mean");
            let n = 200_000;
            let mean = (0..n).map(|_| d.sample_f64(&mut s)).sum::<f64>() / n as f64 / 1000.0;
            let want = spec.mean_s();
            assert!(
                (mean - want).abs() / want < 0.01,
                "{spec:?}: sample mean {mean}, expected {want}"
            );
        }
    }

    #[test]
    fn bad_parameters_name_their_key() {
        let e = DistSpec::Uniform {
            min_s: 5.0,
            max_s: 1.0,
        }
        .build()
        .unwrap_err();
        assert_eq!(e.key, "max_s");
        let e = DistSpec::Exponential { mean_s: -1.0 }.build().unwrap_err();
        assert_eq!(e.key, "mean_s");
    }
}
