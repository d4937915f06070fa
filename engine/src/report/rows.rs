//! The rows behind a report's figures: for the bot usage report, one row per conversation of
//! each selected bot session, with every attribute the seed names.

use serde_json::{Map, Value};

use super::render::csv_field;
use super::{OutputFormat, Section};
use crate::calendar::Calendar;
use crate::facts::{BotConversationFact, BotSessionFact, Fact, FactSink};
use crate::ids::Interner;
use crate::time::Instant;

/// Collects bot sessions and their conversations.
#[derive(Default)]
pub struct BotUsageRows {
    sessions: Vec<BotSessionFact>,
    conversations: Vec<BotConversationFact>,
}

impl FactSink for BotUsageRows {
    fn fact(&mut self, fact: &Fact<'_>) {
        match fact {
            Fact::BotSession(s) => self.sessions.push(*s),
            Fact::BotConversation(c) => self.conversations.push(*c),
            _ => {}
        }
    }
}

/// Rows as column names and cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rows {
    /// Column names.
    pub columns: Vec<&'static str>,
    /// One vector of cells per row.
    pub cells: Vec<Vec<String>>,
    /// What a reader must know (sessions left out before the data-available-from date).
    pub notes: Vec<String>,
}

const COLUMNS: [&str; 9] = [
    "session_id",
    "session_start",
    "bot_name",
    "bot_version",
    "customer",
    "channel",
    "conversation_id",
    "conversation_created_at",
    "conversation_updated_at",
];

impl BotUsageRows {
    /// The rows of the sessions `section` selects (its window, and the sessions-consumed
    /// metric's data-available-from date), ordered by session start then id.
    pub fn finish(mut self, names: &Interner, section: &Section) -> Rows {
        let spec = &section.spec;
        let cutoff = spec
            .available_from
            .or(crate::measure::bot_usage::METRICS[0].available_from);
        let from = spec.from.unwrap_or(Instant::from_millis(i64::MIN));
        let to = spec.to.unwrap_or(Instant::from_millis(i64::MAX));
        let mut left_out = 0;
        let mut keep = |started: Instant| {
            if cutoff.is_some_and(|c| started < c) {
                left_out += 1;
                return false;
            }
            from <= started && started < to
        };
        self.sessions
            .sort_by_key(|s| (s.started_at, names.name(s.bot_session).to_string()));
        let mut cells = Vec::new();
        let zone = Calendar::new(spec.zone, crate::calendar::Grain::Day);
        let time = |t: Instant| zone.local_rfc3339(t);
        for s in &self.sessions {
            if !keep(s.started_at) {
                continue;
            }
            let base = [
                names.name(s.bot_session).to_string(),
                time(s.started_at),
                names.name(s.bot).to_string(),
                names.name(s.version).to_string(),
                names.name(s.customer).to_string(),
            ];
            let mut any = false;
            for c in self
                .conversations
                .iter()
                .filter(|c| c.bot_session == s.bot_session)
            {
                any = true;
                let mut row = base.to_vec();
                row.extend([
                    c.channel.name().to_string(),
                    names.name(c.conversation).to_string(),
                    time(c.created_at),
                    time(c.updated_at),
                ]);
                cells.push(row);
            }
            if !any {
                let mut row = base.to_vec();
                row.extend([String::new(), String::new(), String::new(), String::new()]);
                cells.push(row);
            }
        }
        let mut notes = Vec::new();
        if let (n @ 1.., Some(c)) = (left_out, cutoff) {
            notes.push(format!("left out {n} bot sessions started before {}, the date this report's data is available from", c.to_rfc3339()));
        }
        Rows {
            columns: COLUMNS.to_vec(),
            cells,
            notes,
        }
    }
}

/// Rows in `format`: an aligned table (with notes), a JSON array of objects, or CSV.
pub fn render_rows(rows: &Rows, format: OutputFormat) -> String {
    match format {
        OutputFormat::Table => {
            let header: Vec<String> = rows.columns.iter().map(|c| c.to_string()).collect();
            let mut lines = vec![header];
            lines.extend(rows.cells.iter().cloned());
            let mut out = super::render::align(&lines, &[]);
            for n in &rows.notes {
                out.push_str(&format!("note: {n}\n"));
            }
            out
        }
        OutputFormat::Json => {
            let items: Vec<Value> = rows
                .cells
                .iter()
                .map(|r| {
                    let mut m = Map::new();
                    for (c, v) in rows.columns.iter().zip(r) {
                        m.insert(
                            c.to_string(),
                            if v.is_empty() {
                                Value::Null
                            } else {
                                Value::String(v.clone())
                            },
                        );
                    }
                    Value::Object(m)
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&items).unwrap_or_default();
            out.push('\n');
            out
        }
        OutputFormat::Csv => {
            let mut out = rows.columns.join(",");
            out.push('\n');
            for r in &rows.cells {
                let line: Vec<String> = r.iter().map(|c| csv_field(c)).collect();
                out.push_str(&line.join(","));
                out.push('\n');
            }
            out
        }
    }
}
