//! A sweep's grid: the values of each `--vary KEY=V1,V2,...` (lists and integer ranges), their
//! cartesian product in the order given, and the baseline point.

use crate::locate::KeyPath;
use crate::overrides::{parse_key_path, Override};

/// The most values one range may give: a typo such as `1..100000` should not start a sweep
/// that never ends.
const MAX_RANGE: i64 = 10_000;

/// One varied key and its values, as the overrides of its points will write them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vary {
    /// The key path, as written.
    pub key: String,
    /// The key path.
    pub path: KeyPath,
    /// The values, in order, ranges expanded.
    pub values: Vec<String>,
}

/// A `--vary` or `--baseline` that cannot be read: the flag as written and what is expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{flag} {text}: {message}")]
pub struct GridError {
    /// `--vary` or `--baseline`.
    pub flag: &'static str,
    /// What followed the flag.
    pub text: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl Vary {
    /// Reads `KEY=V1,V2,...`: values split at commas outside brackets, braces and quotes, each
    /// a TOML value or text, or a range of whole numbers `LOW..HIGH` (both included) or
    /// `LOW..HIGH/STEP`.
    pub fn parse(text: &str) -> Result<Vary, GridError> {
        let error = |message: String| GridError {
            flag: "--vary",
            text: text.to_string(),
            message,
        };
        let Some((key, values)) = text.split_once('=') else {
            return Err(error(
                "no `=`; expected KEY=V1,V2,... or KEY=LOW..HIGH, e.g. groups.agents.agents=6..9"
                    .into(),
            ));
        };
        let path = parse_key_path(key.trim()).map_err(error)?;
        let mut expanded = Vec::new();
        for item in split_values(values) {
            if item.is_empty() {
                return Err(error(
                    "an empty value; expected values separated by single commas".into(),
                ));
            }
            match range(&item) {
                Some(range) => expanded.extend(range.map_err(error)?),
                None => expanded.push(item),
            }
        }
        Ok(Vary {
            key: key.trim().to_string(),
            path,
            values: expanded,
        })
    }
}

/// `text` split at the commas that are outside brackets, braces and quotes, each part trimmed.
pub fn split_values(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current.trim().to_string());
    parts
}

/// The values of `item` when it is written as a range (`LOW..HIGH` or `LOW..HIGH/STEP`), or
/// `None` when it is a plain value.
fn range(item: &str) -> Option<Result<Vec<String>, String>> {
    if item.starts_with(['{', '[', '"', '\'']) || !item.contains("..") {
        return None;
    }
    let expected = "expected a range of whole numbers LOW..HIGH (both included) or LOW..HIGH/STEP with LOW ≤ HIGH and STEP ≥ 1, e.g. 6..9 or 10..20/2";
    let parse = || -> Result<Vec<String>, String> {
        let (bounds, step) = match item.split_once('/') {
            Some((bounds, step)) => {
                let step = step
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|s| *s >= 1)
                    .ok_or_else(|| {
                        format!(
                            "step `{}` is not a whole number ≥ 1; {expected}",
                            step.trim()
                        )
                    })?;
                (bounds, step)
            }
            None => (item, 1),
        };
        let (low, high) = bounds
            .split_once("..")
            .ok_or_else(|| format!("`{item}`: {expected}"))?;
        let bound = |b: &str| {
            b.trim()
                .parse::<i64>()
                .map_err(|_| format!("`{}` is not a whole number; {expected}", b.trim()))
        };
        let (low, high) = (bound(low)?, bound(high)?);
        if low > high {
            return Err(format!("range {low}..{high} is empty; {expected}"));
        }
        if (high - low) / step >= MAX_RANGE {
            return Err(format!(
                "range `{item}` has more than {MAX_RANGE} values; expected fewer"
            ));
        }
        Ok((low..=high)
            .step_by(step as usize)
            .map(|v| v.to_string())
            .collect())
    };
    Some(parse())
}

/// The points of a sweep: every combination of the varied values, the first `--vary`
/// changing slowest (as nested loops in the order given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    /// The varied keys.
    pub varies: Vec<Vary>,
    /// Each point's values, one per varied key.
    pub points: Vec<Vec<String>>,
}

impl Grid {
    /// The cartesian product of `varies`.
    pub fn new(varies: Vec<Vary>) -> Grid {
        let mut points: Vec<Vec<String>> = vec![Vec::new()];
        for vary in &varies {
            points = points
                .into_iter()
                .flat_map(|point| {
                    vary.values.iter().map(move |value| {
                        let mut next = point.clone();
                        next.push(value.clone());
                        next
                    })
                })
                .collect();
        }
        Grid { varies, points }
    }

    /// The varied keys, as written.
    pub fn keys(&self) -> Vec<String> {
        self.varies.iter().map(|v| v.key.clone()).collect()
    }

    /// The overrides that make point `point`.
    pub fn overrides(&self, point: usize) -> Vec<Override> {
        self.varies
            .iter()
            .zip(&self.points[point])
            .map(|(vary, value)| Override::new("--vary", vary.path.clone(), value))
            .collect()
    }

    /// The point `--baseline KEY=V,...` names: the first whose values match the given ones
    /// (keys left out match any value); the first point without it.
    pub fn baseline(&self, text: Option<&str>) -> Result<usize, GridError> {
        let Some(text) = text else {
            return Ok(0);
        };
        let error = |message: String| GridError {
            flag: "--baseline",
            text: text.to_string(),
            message,
        };
        let mut wanted: Vec<(usize, String)> = Vec::new();
        for part in split_values(text) {
            let Some((key, value)) = part.split_once('=') else {
                return Err(error(format!(
                    "`{part}` has no `=`; expected KEY=VALUE,... with keys from --vary"
                )));
            };
            let Some(index) = self.varies.iter().position(|v| v.key == key.trim()) else {
                return Err(error(format!(
                    "`{}` is not varied; expected one of {}",
                    key.trim(),
                    self.keys().join(", ")
                )));
            };
            wanted.push((index, value.trim().to_string()));
        }
        self.points
            .iter()
            .position(|point| wanted.iter().all(|(i, value)| point[*i] == *value))
            .ok_or_else(|| {
                let (i, value) = wanted
                    .iter()
                    .find(|(i, value)| !self.varies[*i].values.contains(value))
                    .unwrap_or(&wanted[0]);
                error(format!(
                    "no point has {}={value}; expected values of --vary: {}",
                    self.varies[*i].key,
                    self.varies[*i].values.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Result<Vec<String>, GridError> {
        Vary::parse(text).map(|v| v.values)
    }

    #[test]
    fn lists_and_inclusive_ranges_with_steps() {
        assert_eq!(values("a.b=6..9").unwrap(), ["6", "7", "8", "9"]);
        assert_eq!(values("a.b=10..20/5").unwrap(), ["10", "15", "20"]);
        assert_eq!(values("a.b=10..15/2").unwrap(), ["10", "12", "14"]);
        assert_eq!(values("a.b=1,3..4, 9").unwrap(), ["1", "3", "4", "9"]);
        assert_eq!(
            values("a.b={ dist = \"constant\", value_s = 2 },\"x,y\"").unwrap(),
            ["{ dist = \"constant\", value_s = 2 }", "\"x,y\""]
        );
        let e = values("a.b=9..6").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("--vary a.b=9..6: range 9..6 is empty"),
            "{e}"
        );
        let e = values("a.b=6..9/0").unwrap_err();
        assert!(e.message.contains("step `0`"), "{e}");
        let e = values("a.b=6..x").unwrap_err();
        assert!(e.message.contains("`x` is not a whole number"), "{e}");
        assert!(values("a.b").is_err());
        assert!(values("a.b=1,,2").is_err());
        assert!(values("a.b=1..1000000").is_err());
    }

    #[test]
    fn the_grid_is_the_product_in_order_and_the_baseline_a_point() {
        let grid = Grid::new(vec![
            Vary::parse("a=1,2").unwrap(),
            Vary::parse("b=x,y,z").unwrap(),
        ]);
        assert_eq!(grid.points.len(), 6);
        assert_eq!(grid.points[1], ["1", "y"]);
        assert_eq!(grid.points[3], ["2", "x"]);
        assert_eq!(grid.baseline(None), Ok(0));
        assert_eq!(grid.baseline(Some("a=2,b=z")), Ok(5));
        assert_eq!(grid.baseline(Some("b=y")), Ok(1));
        assert!(grid.baseline(Some("c=1")).is_err());
        let e = grid.baseline(Some("a=3")).unwrap_err();
        assert!(e.message.contains("expected values of --vary: 1, 2"), "{e}");
        assert_eq!(
            grid.overrides(4)[1].to_string(),
            "--vary b=y",
            "the override of point 4"
        );
    }
}
