//! Turning what a user asked for (command-line flags, or an example's settings) into a
//! [`ReportSpec`]. Every check of a report request lives here, so the command line and the
//! example runner refuse the same things with the same words.

use chrono_tz::Tz;

use super::{Definitions, ReportSpec};
use crate::catalog;
use crate::measure::def::{Dim, MetricDef, ReportDef, View};
use crate::measure::Settings;
use crate::time::{Instant, DAY_MS};

/// A report request as text, before validation.
#[derive(Clone, Debug, Default)]
pub struct ReportRequest {
    /// IANA time zone name (default UTC).
    pub tz: Option<String>,
    /// Window start: a date or timestamp.
    pub from: Option<String>,
    /// Window end: a date (inclusive: the whole day) or a timestamp (exclusive).
    pub to: Option<String>,
    /// Real-time cut-off: a date or timestamp.
    pub as_of: Option<String>,
    /// Dimension names.
    pub group_by: Vec<String>,
    /// Interval length in minutes (15, 30 or 60; default 30).
    pub interval: Option<u32>,
    /// Metric ids (empty: every metric that supports the grouping).
    pub metrics: Vec<String>,
    /// `KEY=VERSION` rule choices.
    pub definitions: Vec<String>,
    /// Overrides the date metrics' data is available from (a date or timestamp).
    pub available_from: Option<String>,
    /// A named report (`bot-usage`): its metrics in its sections, with its default window.
    pub report: Option<String>,
    /// `KEY=VALUE` platform settings (`sla.phone=30s`, `reopen_window=7d`).
    pub settings: Vec<String>,
}

/// One section of a report: a title (for named reports) and what to compute.
#[derive(Clone, Debug)]
pub struct Section {
    /// The section's title; `None` for a plain report.
    pub title: Option<String>,
    /// What it computes.
    pub spec: ReportSpec,
}

/// A request that cannot be carried out: which setting, and what would be valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct RequestError {
    /// The setting at fault (`--tz`, `--group-by`, ...).
    pub setting: &'static str,
    /// What is wrong and what is expected.
    pub message: String,
}

fn bad(setting: &'static str, message: impl Into<String>) -> RequestError {
    RequestError {
        setting,
        message: message.into(),
    }
}

/// The local calendar date of `t` in `zone`.
fn local_date(t: Instant, zone: Tz) -> chrono::NaiveDate {
    use chrono::TimeZone;
    zone.from_utc_datetime(&t.to_utc().naive_utc()).date_naive()
}

/// The instant `text` names in `zone`, if given; an error names `setting`.
fn instant(
    setting: &'static str,
    text: Option<&str>,
    zone: Tz,
) -> Result<Option<Instant>, RequestError> {
    text.map(|t| Instant::parse_flexible(t, zone).map_err(|e| bad(setting, e.to_string())))
        .transpose()
}

fn is_bare_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

impl ReportRequest {
    /// The named report asked for, if any.
    pub(crate) fn report_def(&self) -> Result<Option<&'static ReportDef>, RequestError> {
        let Some(name) = &self.report else {
            return Ok(None);
        };
        catalog::report(name).map(Some).ok_or_else(|| {
            let names: Vec<&str> = catalog::REPORTS.iter().map(|r| r.name).collect();
            bad(
                "--report",
                format!(
                    "unknown report `{name}`; expected one of: {}",
                    names.join(", ")
                ),
            )
        })
    }

    /// Whether the default window needs the date of the log's last event (a named report
    /// with a default window, and no `--to`).
    pub(crate) fn needs_last_event(&self) -> bool {
        matches!(self.report_def(), Ok(Some(r)) if r.default_window_days.is_some())
            && self.to.is_none()
            && self.as_of.is_none()
    }

    /// Checks the request and builds its sections: one for a plain report, one per widget
    /// for a named report. `last_event` is the log's last instant, for default windows.
    pub fn to_sections(&self, last_event: Option<Instant>) -> Result<Vec<Section>, RequestError> {
        let Some(def) = self.report_def()? else {
            if self.metrics.is_empty() && self.group_by.is_empty() {
                return self.overview_sections();
            }
            return Ok(vec![Section {
                title: None,
                spec: self.to_spec()?,
            }]);
        };
        if !self.group_by.is_empty() {
            return Err(bad(
                "--group-by",
                format!(
                    "report `{}` sets its own groupings; drop --group-by or drop --report",
                    def.name
                ),
            ));
        }
        if !self.metrics.is_empty() {
            return Err(bad(
                "--metrics",
                format!(
                    "report `{}` sets its own metrics; drop --metrics or drop --report",
                    def.name
                ),
            ));
        }
        let mut req = self.clone();
        if let Some(days) = def.default_window_days {
            req.default_window(days, last_event)?;
        }
        let mut sections = Vec::new();
        for (title, dims) in def.sections {
            req.group_by = dims.iter().map(|d| d.name().to_string()).collect();
            req.metrics = def
                .metrics
                .iter()
                .filter(|id| catalog::find(id).is_some_and(|m| dims.iter().all(|d| m.supports(*d))))
                .map(|id| id.to_string())
                .collect();
            sections.push(Section {
                title: Some(title.to_string()),
                spec: req.to_spec()?,
            });
        }
        Ok(sections)
    }

    /// The report of a request that names no metric, grouping or report: the queue figures
    /// per channel first, which a planner reads before anything else, then every metric of
    /// the catalog over all contacts.
    fn overview_sections(&self) -> Result<Vec<Section>, RequestError> {
        let mut by_channel = self.clone();
        by_channel.group_by = vec![Dim::Channel.name().to_string()];
        by_channel.metrics = catalog::all()
            .filter(|m| m.id.starts_with("queue."))
            .map(|m| m.id.to_string())
            .collect();
        Ok(vec![
            Section {
                title: Some("Queue figures by channel".to_string()),
                spec: by_channel.to_spec()?,
            },
            Section {
                title: Some("Every metric, all contacts".to_string()),
                spec: self.to_spec()?,
            },
        ])
    }

    /// Fills in a window of `days` local days ending with the end date: `--to` when given,
    /// else the date of the last event (or of `--as-of`).
    fn default_window(
        &mut self,
        days: i64,
        last_event: Option<Instant>,
    ) -> Result<(), RequestError> {
        if self.from.is_some() && self.to.is_some() {
            return Ok(());
        }
        let zone: Tz = self
            .tz
            .as_deref()
            .unwrap_or("UTC")
            .parse()
            .map_err(|_| bad("--tz", "unknown time zone; expected an IANA name"))?;
        let end_date = match (&self.to, &self.as_of, last_event) {
            (Some(t), _, _) if is_bare_date(t) => {
                chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
            }
            (Some(t), _, _) => Some(local_date(
                Instant::parse_flexible(t, zone).map_err(|e| bad("--to", e.to_string()))?,
                zone,
            )),
            (None, Some(t), _) => Some(local_date(
                Instant::parse_flexible(t, zone).map_err(|e| bad("--as-of", e.to_string()))?,
                zone,
            )),
            (None, None, Some(t)) => Some(local_date(t, zone)),
            (None, None, None) => None,
        };
        let Some(end_date) = end_date else {
            // An empty log: no window to default to; the report is empty either way.
            return Ok(());
        };
        if self.to.is_none() {
            self.to = Some(end_date.format("%Y-%m-%d").to_string());
        }
        if self.from.is_none() {
            let start = end_date - chrono::Duration::days(days - 1);
            self.from = Some(start.format("%Y-%m-%d").to_string());
        }
        Ok(())
    }

    /// Checks the request and builds the report spec. Settings are checked in flag order
    /// (zone, window, cut-off, grouping, metrics, definitions, settings), so the first wrong
    /// one is the one reported.
    pub fn to_spec(&self) -> Result<ReportSpec, RequestError> {
        let zone = self.zone()?;
        let (from, to) = self.window(zone)?;
        let as_of = instant("--as-of", self.as_of.as_deref(), zone)?;
        let group_by = self.group_by()?;
        let interval_minutes = self.interval_minutes()?;
        let metrics = self.select_metrics(&group_by, as_of.is_some())?;
        let definitions = self.definitions()?;
        let available_from = instant("--available-from", self.available_from.as_deref(), zone)?;
        let settings = self.settings()?;
        Ok(ReportSpec {
            metrics,
            settings,
            zone,
            from,
            to,
            as_of,
            group_by,
            interval_minutes,
            definitions,
            available_from,
        })
    }

    /// The reporting zone (UTC unless named).
    fn zone(&self) -> Result<Tz, RequestError> {
        match &self.tz {
            None => Ok(Tz::UTC),
            Some(name) => name.parse().map_err(|_| {
                bad("--tz", format!("unknown time zone `{name}`; expected an IANA name such as UTC, Europe/Paris or America/Los_Angeles"))
            }),
        }
    }

    /// The window: its start, and its end (a bare end date includes that whole day).
    fn window(&self, zone: Tz) -> Result<(Option<Instant>, Option<Instant>), RequestError> {
        let from = instant("--from", self.from.as_deref(), zone)?;
        let to = match self.to.as_deref() {
            None => None,
            // A bare end date includes that whole day.
            Some(t) if is_bare_date(t) => {
                let start =
                    Instant::parse_flexible(t, zone).map_err(|e| bad("--to", e.to_string()))?;
                let next = Instant::parse_flexible(
                    &chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.succ_opt())
                        .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string()),
                    zone,
                )
                .unwrap_or(start.plus_millis(DAY_MS));
                Some(next)
            }
            Some(t) => instant("--to", Some(t), zone)?,
        };
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(bad("--to", format!("the window ends ({t}) at or before it starts ({f}); expected --to after --from")));
            }
        }
        Ok((from, to))
    }

    /// The grouping dimensions, each once, with at most one of time.
    fn group_by(&self) -> Result<Vec<Dim>, RequestError> {
        let mut group_by = Vec::new();
        for name in &self.group_by {
            let name = name.trim();
            let dim = Dim::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = Dim::ALL.iter().map(|d| d.name()).collect();
                bad(
                    "--group-by",
                    format!(
                        "unknown dimension `{name}`; expected one of: {}",
                        names.join(", ")
                    ),
                )
            })?;
            if group_by.contains(&dim) {
                return Err(bad("--group-by", format!("`{name}` is given twice")));
            }
            group_by.push(dim);
        }
        if group_by.iter().filter(|d| d.is_time()).count() > 1 {
            return Err(bad(
                "--group-by",
                "at most one of day, interval and month can be used at a time",
            ));
        }
        Ok(group_by)
    }

    /// The reporting interval: 15, 30 (the default) or 60 minutes.
    fn interval_minutes(&self) -> Result<u32, RequestError> {
        let interval_minutes = self.interval.unwrap_or(30);
        if ![15, 30, 60].contains(&interval_minutes) {
            return Err(bad(
                "--interval",
                format!(
                    "{interval_minutes} minutes is not a reporting interval; expected 15, 30 or 60"
                ),
            ));
        }
        Ok(interval_minutes)
    }

    /// The rule versions fixed with `KEY=VERSION`.
    fn definitions(&self) -> Result<Definitions, RequestError> {
        let mut definitions = Definitions::default();
        for pair in &self.definitions {
            let Some((key, version)) = pair.split_once('=') else {
                return Err(bad(
                    "--definition",
                    format!("`{pair}` is not KEY=VERSION, e.g. idle=legacy"),
                ));
            };
            definitions
                .fix(key.trim(), version.trim())
                .map_err(|e| bad("--definition", e.to_string()))?;
        }
        Ok(definitions)
    }

    /// The platform settings, the defaults changed by `KEY=VALUE`.
    fn settings(&self) -> Result<Settings, RequestError> {
        let mut settings = Settings::default();
        for pair in &self.settings {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(bad(
                    "--setting",
                    format!("`{pair}` is not KEY=VALUE, e.g. sla.phone=30s"),
                ));
            };
            settings
                .set(key.trim(), value.trim())
                .map_err(|e| bad("--setting", e.to_string()))?;
        }
        Ok(settings)
    }

    fn select_metrics(
        &self,
        group_by: &[Dim],
        real_time: bool,
    ) -> Result<Vec<&'static MetricDef>, RequestError> {
        // Unnamed metrics (all of them, or all under a prefix) are those the report can show:
        // of its view and groupable as asked. Asked for by id, any metric runs.
        let shown = |m: &&MetricDef| {
            group_by.iter().all(|d| m.supports(*d))
                && match m.view {
                    View::Any => true,
                    View::Historical => !real_time,
                    View::RealTime => real_time,
                }
        };
        if self.metrics.is_empty() {
            let all: Vec<&'static MetricDef> = catalog::all().filter(shown).collect();
            if all.is_empty() {
                return Err(bad("--group-by", "no metric can be grouped by all of these dimensions; run `ccsim metrics` to see each metric's dimensions"));
            }
            return Ok(all);
        }
        let mut out: Vec<&'static MetricDef> = Vec::new();
        let mut add = |m: &'static MetricDef| {
            if !out.iter().any(|x| x.id == m.id) {
                out.push(m);
            }
        };
        for id in &self.metrics {
            let id = id.trim();
            let Some(m) = catalog::find(id) else {
                // A prefix of ids (`queue`, `gladly.handle`): every metric under it that the
                // report can show, as when no metric is named.
                let under = format!("{id}.");
                let group: Vec<&'static MetricDef> = catalog::all()
                    .filter(|m| m.id.starts_with(&under))
                    .filter(shown)
                    .collect();
                if group.is_empty() {
                    return Err(bad(
                        "--metrics",
                        format!(
                            "unknown metric `{id}` (nor a prefix of ids this report can show); \
                             run `ccsim metrics` for the list of ids"
                        ),
                    ));
                }
                group.into_iter().for_each(&mut add);
                continue;
            };
            if let Some(d) = group_by.iter().find(|d| !m.supports(**d)) {
                let dims: Vec<&str> = m.dims.iter().map(|d| d.name()).collect();
                return Err(bad(
                    "--group-by",
                    format!(
                        "metric `{id}` cannot be grouped by {d}; it supports: {}",
                        dims.join(", ")
                    ),
                ));
            }
            add(m);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_end_date_includes_the_whole_day() {
        let req = ReportRequest {
            tz: Some("America/New_York".into()),
            from: Some("2021-05-01".into()),
            to: Some("2021-05-01".into()),
            ..Default::default()
        };
        let spec = req.to_spec().unwrap();
        assert_eq!(spec.from.unwrap().to_rfc3339(), "2021-05-01T04:00:00Z");
        assert_eq!(spec.to.unwrap().to_rfc3339(), "2021-05-02T04:00:00Z");
    }

    #[test]
    fn a_report_shows_by_default_the_metrics_of_its_view() {
        let historical = ReportRequest::default().to_spec().unwrap();
        assert!(historical.metrics.iter().all(|m| m.view != View::RealTime));
        assert!(historical
            .metrics
            .iter()
            .any(|m| m.view == View::Historical));
        let real_time = ReportRequest {
            as_of: Some("2025-06-02T11:00:00Z".into()),
            ..Default::default()
        }
        .to_spec()
        .unwrap();
        assert!(real_time.metrics.iter().all(|m| m.view != View::Historical));
        assert!(real_time.metrics.iter().any(|m| m.view == View::RealTime));
        // Asked for by id, a metric of the other view still runs.
        let asked = ReportRequest {
            metrics: vec!["dynamics.sessions_rejected.realtime".into()],
            ..Default::default()
        }
        .to_spec()
        .unwrap();
        assert_eq!(asked.metrics.len(), 1);
    }

    #[test]
    fn a_prefix_of_ids_asks_for_every_metric_under_it() {
        let ids = |metrics: &[&str]| -> Vec<&'static str> {
            let req = ReportRequest {
                metrics: metrics.iter().map(|m| m.to_string()).collect(),
                ..Default::default()
            };
            req.to_spec()
                .unwrap()
                .metrics
                .iter()
                .map(|m| m.id)
                .collect()
        };
        // Expected: the catalog's historical or any-view ids that start with `queue.`, in
        // catalog order, each once even when also named on its own.
        let queue: Vec<&str> = crate::catalog::all()
            .filter(|m| m.id.starts_with("queue.") && m.view != View::RealTime)
            .map(|m| m.id)
            .collect();
        assert!(queue.len() > 5);
        assert_eq!(ids(&["queue"]), queue);
        assert_eq!(ids(&["queue.asa", "queue"])[0], "queue.asa");
        assert_eq!(ids(&["queue.asa", "queue"]).len(), queue.len());
        // A prefix must end at a dot: `queue.as` names neither a metric nor a group.
        let req = ReportRequest {
            metrics: vec!["queue.as".into()],
            ..Default::default()
        };
        assert!(req.to_spec().is_err());
    }

    #[test]
    fn bad_settings_name_the_setting_and_what_is_expected() {
        let cases: &[(ReportRequest, &str, &str)] = &[
            (
                ReportRequest {
                    tz: Some("Mars/Olympus".into()),
                    ..Default::default()
                },
                "--tz",
                "IANA",
            ),
            (
                ReportRequest {
                    group_by: vec!["colour".into()],
                    ..Default::default()
                },
                "--group-by",
                "expected one of",
            ),
            (
                ReportRequest {
                    group_by: vec!["day".into(), "month".into()],
                    ..Default::default()
                },
                "--group-by",
                "at most one",
            ),
            (
                ReportRequest {
                    interval: Some(20),
                    ..Default::default()
                },
                "--interval",
                "15, 30 or 60",
            ),
            (
                ReportRequest {
                    metrics: vec!["nope".into()],
                    ..Default::default()
                },
                "--metrics",
                "ccsim metrics",
            ),
            (
                ReportRequest {
                    metrics: vec!["gladly.away_time".into()],
                    group_by: vec!["channel".into()],
                    ..Default::default()
                },
                "--group-by",
                "supports",
            ),
            (
                ReportRequest {
                    definitions: vec!["idle=ancient".into()],
                    ..Default::default()
                },
                "--definition",
                "legacy, current",
            ),
            (
                ReportRequest {
                    from: Some("2021-05-02".into()),
                    to: Some("2021-05-01T00:00:00Z".into()),
                    ..Default::default()
                },
                "--to",
                "after --from",
            ),
        ];
        for (req, setting, hint) in cases {
            let err = req.to_spec().unwrap_err();
            assert_eq!(err.setting, *setting, "{err}");
            assert!(err.to_string().contains(hint), "{err}");
        }
    }
}
