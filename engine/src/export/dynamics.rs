//! The `dynamics` table set: the facts behind the Dynamics 365 session metrics (seed
//! `000_0050631083f1a627.txt`) as CSV tables shaped like their Dataverse entities, with the
//! option-set codes of `../shared/reference/dynamics-codes.md`:
//!
//! | file | entity | one row per |
//! |---|---|---|
//! | `msdyn_ocliveworkitem.csv` | live work item (conversation) | contact |
//! | `msdyn_ocsession.csv` | session | session |
//! | `msdyn_sessionparticipant.csv` | session participant | participant row |
//! | `msdyn_ocsessionparticipantevent.csv` | session participant event | participant event |
//! | `systemuser.csv` | user | agent or bot named in the others |
//!
//! Columns are named after the Dataverse attributes the seed and the reference name; a column
//! whose value ccsim derives and Dataverse keeps elsewhere starts with `ccsim_` (the session's
//! handler kind, the channel's name, when a work item ended). Times are RFC 3339 in UTC,
//! durations are seconds, option sets are their integer codes, and an empty cell is a null.
//! Rows of entities still open at the cut-off have no close time and are in an open state.
//!
//! The fold hands out interned ids, and the strings behind them are known only once it has
//! finished, so the rows are kept in memory until then: memory grows with the number of
//! Dynamics rows in the log, not only with the open entities.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ExportError, Exported};
use crate::codec::{AtomicFile, EventSource, LogError};
use crate::event::{Direction, HandlerKind, WorkItemStatus};
use crate::facts::{
    ContactFact, Fact, FactSink, ParticipantEventFact, ParticipantFact, SessionFact,
};
use crate::ids::{Interner, Sym};
use crate::replay::fold_log;
use crate::time::Instant;

/// The live work item table's file.
pub const LIVE_WORK_ITEMS: &str = "msdyn_ocliveworkitem.csv";
/// The session table's file.
pub const SESSIONS: &str = "msdyn_ocsession.csv";
/// The session participant table's file.
pub const PARTICIPANTS: &str = "msdyn_sessionparticipant.csv";
/// The session participant event table's file.
pub const PARTICIPANT_EVENTS: &str = "msdyn_ocsessionparticipantevent.csv";
/// The user table's file.
pub const USERS: &str = "systemuser.csv";

/// Columns of `msdyn_ocliveworkitem.csv`.
pub const LIVE_WORK_ITEM_COLUMNS: &[&str] = &[
    "msdyn_ocliveworkitemid",
    "msdyn_channel",
    "ccsim_channel",
    "msdyn_channelinstanceid",
    "msdyn_isoutbound",
    "msdyn_customer",
    "msdyn_queueid",
    "createdon",
    "ccsim_endedon",
    "statecode",
    "statuscode",
];
/// Columns of `msdyn_ocsession.csv`.
pub const SESSION_COLUMNS: &[&str] = &[
    "msdyn_sessionid",
    "msdyn_liveworkitemid",
    "msdyn_queueid",
    "ccsim_handlerkind",
    "msdyn_activeagentid",
    "msdyn_sessioncreatedon",
    "msdyn_agentassignedon",
    "msdyn_agentacceptedon",
    "msdyn_sessionclosedon",
    "msdyn_closurereason",
    "msdyn_state",
];
/// Columns of `msdyn_sessionparticipant.csv`.
pub const PARTICIPANT_COLUMNS: &[&str] = &[
    "msdyn_sessionparticipantid",
    "msdyn_sessionid",
    "msdyn_agentid",
    "msdyn_mode",
    "msdyn_assignreason",
    "msdyn_leftonreason",
    "msdyn_addedon",
    "msdyn_joinedon",
    "msdyn_lefton",
    "msdyn_activetime",
];
/// Columns of `msdyn_ocsessionparticipantevent.csv`.
pub const PARTICIPANT_EVENT_COLUMNS: &[&str] = &[
    "msdyn_ocsessionparticipanteventid",
    "msdyn_sessionid",
    "msdyn_agentid",
    "msdyn_eventtype",
    "msdyn_eventreason",
    "createdon",
];
/// Columns of `systemuser.csv`.
pub const USER_COLUMNS: &[&str] = &["systemuserid", "msdyn_botapplicationid"];

/// msdyn_ocsession.msdyn_state: Active.
pub const STATE_ACTIVE: u32 = 192_350_001;
/// msdyn_ocsession.msdyn_state: Closed.
pub const STATE_CLOSED: u32 = 192_350_002;

/// The Dynamics facts of a log, in the order the fold wrote them.
#[derive(Default)]
struct Rows {
    contacts: Vec<ContactFact>,
    sessions: Vec<SessionFact>,
    participants: Vec<ParticipantFact>,
    events: Vec<ParticipantEventFact>,
}

impl FactSink for Rows {
    fn fact(&mut self, fact: &Fact<'_>) {
        match fact {
            Fact::Contact(c) => self.contacts.push(*c),
            Fact::Session(s) => self.sessions.push(*s),
            Fact::Participant(p) => self.participants.push(*p),
            Fact::ParticipantEvent(e) => self.events.push(*e),
            _ => {}
        }
    }
}

/// A table being written: a CSV file under a temporary name until [`Table::commit`].
struct Table {
    file: AtomicFile,
    line: String,
    rows: u64,
}

/// The error of a table that could not be written.
fn write_error(e: LogError) -> ExportError {
    ExportError::Write {
        path: e.file,
        message: format!(
            "cannot write the table ({}); expected a writable folder",
            e.problem
        ),
    }
}

impl Table {
    /// Starts `dir/name` with its header row.
    fn create(dir: &Path, name: &str, columns: &[&str]) -> Result<Self, ExportError> {
        let file = AtomicFile::create(&dir.join(name)).map_err(write_error)?;
        let mut table = Table {
            file,
            line: String::new(),
            rows: 0,
        };
        let header: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        table.write_line(&header)?;
        Ok(table)
    }

    fn write_line(&mut self, cells: &[String]) -> Result<(), ExportError> {
        self.line.clear();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            push_field(&mut self.line, cell);
        }
        self.line.push('\n');
        self.file
            .write_all(self.line.as_bytes())
            .map_err(write_error)
    }

    /// Appends one data row.
    fn row(&mut self, cells: &[String]) -> Result<(), ExportError> {
        self.write_line(cells)?;
        self.rows += 1;
        Ok(())
    }

    /// Moves the complete table to its final name.
    fn commit(self) -> Result<(PathBuf, u64), ExportError> {
        let path = self.file.path().to_path_buf();
        self.file.commit().map_err(write_error)?;
        Ok((path, self.rows))
    }
}

/// Appends `cell` as a CSV field (RFC 4180: quoted when it holds a comma, quote or line break).
fn push_field(out: &mut String, cell: &str) {
    if cell.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// A time, or an empty cell.
fn time(t: Option<Instant>) -> String {
    t.map_or_else(String::new, Instant::to_rfc3339)
}

/// An option-set code, or an empty cell.
fn code(c: Option<u32>) -> String {
    c.map_or_else(String::new, |c| c.to_string())
}

/// Milliseconds as exact seconds (`90`, `12.5`, `0.001`).
pub fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    match ms % 1000 {
        0 => format!("{sign}{}", ms / 1000),
        frac => {
            let digits = format!("{frac:03}");
            format!("{sign}{}.{}", ms / 1000, digits.trim_end_matches('0'))
        }
    }
}

/// The string behind a symbol, or an empty cell.
fn name(names: &Interner, s: Option<Sym>) -> String {
    s.map_or_else(String::new, |s| names.name(s).to_string())
}

/// Dataverse statecode of a live work item status: 0 Open (1, 2, 3, 5), 1 Closed (4),
/// 2 Resolved (6), 3 Scheduled (7).
fn state_code(status: WorkItemStatus) -> u32 {
    match status {
        WorkItemStatus::Closed => 1,
        WorkItemStatus::Resolved => 2,
        WorkItemStatus::Scheduled => 3,
        WorkItemStatus::Open
        | WorkItemStatus::Active
        | WorkItemStatus::Waiting
        | WorkItemStatus::WrapUp => 0,
    }
}

/// Whether a participant row joined its session (Dynamics msdyn_joinedon is set): it did not
/// leave with AgentReject or AgentTimeout.
fn joined(p: &ParticipantFact) -> bool {
    !p.left_on_reject && !p.left_on_timeout
}

fn work_item_row(c: &ContactFact, names: &Interner) -> Vec<String> {
    vec![
        names.name(c.contact).to_string(),
        code(c.channel.code()),
        c.channel.name().to_string(),
        name(names, c.channel_instance),
        if c.direction == Direction::Outbound {
            "1"
        } else {
            "0"
        }
        .to_string(),
        name(names, c.customer),
        name(names, c.queue),
        time(Some(c.started_at)),
        time((!c.open).then_some(c.ended_at)),
        c.status
            .map_or_else(String::new, |s| state_code(s).to_string()),
        code(c.status.and_then(WorkItemStatus::code)),
    ]
}

fn session_row(s: &SessionFact, names: &Interner) -> Vec<String> {
    vec![
        names.name(s.session).to_string(),
        names.name(s.contact).to_string(),
        name(names, s.queue),
        s.handler.name().to_string(),
        name(names, s.accepted_by.or(s.offered_to)),
        time(Some(s.started_at)),
        time(s.offered_at),
        time(s.accepted_at),
        time((!s.open).then_some(s.ended_at)),
        code(s.closure_reason.and_then(|r| r.code())),
        if s.open { STATE_ACTIVE } else { STATE_CLOSED }.to_string(),
    ]
}

fn participant_row(id: String, p: &ParticipantFact, names: &Interner) -> Vec<String> {
    vec![
        id,
        names.name(p.session).to_string(),
        names.name(p.participant).to_string(),
        code(p.mode.code()),
        name(names, p.join_reason),
        name(names, p.left_reason),
        time(Some(p.span.start)),
        time(joined(p).then_some(p.span.start)),
        time((!p.open).then_some(p.span.end)),
        if joined(p) {
            seconds(p.span.millis())
        } else {
            String::new()
        },
    ]
}

fn event_row(id: String, e: &ParticipantEventFact, names: &Interner) -> Vec<String> {
    vec![
        id,
        names.name(e.session).to_string(),
        names.name(e.participant).to_string(),
        code(e.event_type.code()),
        code(e.reason.code()),
        time(Some(e.at)),
    ]
}

/// Folds `source` (up to `as_of`) and writes the tables into `dir`. Nothing is written if the
/// log fails; a table appears under its final name only when complete.
pub(super) fn export(
    source: &mut dyn EventSource,
    dir: &Path,
    as_of: Option<Instant>,
) -> Result<Exported, ExportError> {
    let folded = fold_log(source, Rows::default(), as_of)?;
    let names = &folded.names;
    let mut rows = folded.sink;
    // Each table in order of its rows' start, ties in the order the fold wrote them.
    rows.contacts.sort_by_key(|c| c.started_at);
    rows.sessions.sort_by_key(|s| s.started_at);
    rows.participants.sort_by_key(|p| p.span.start);
    rows.events.sort_by_key(|e| e.at);

    // Open every file first, so an unwritable folder fails before any row is written.
    let mut work_items = Table::create(dir, LIVE_WORK_ITEMS, LIVE_WORK_ITEM_COLUMNS)?;
    let mut sessions = Table::create(dir, SESSIONS, SESSION_COLUMNS)?;
    let mut participants = Table::create(dir, PARTICIPANTS, PARTICIPANT_COLUMNS)?;
    let mut events = Table::create(dir, PARTICIPANT_EVENTS, PARTICIPANT_EVENT_COLUMNS)?;
    let mut users = Table::create(dir, USERS, USER_COLUMNS)?;

    for c in &rows.contacts {
        work_items.row(&work_item_row(c, names))?;
    }
    // Users named anywhere, each once, sorted by id; the first kind seen for an id wins.
    let mut kinds: BTreeMap<Cow<str>, HandlerKind> = BTreeMap::new();
    for s in &rows.sessions {
        sessions.row(&session_row(s, names))?;
        for agent in [s.offered_to, s.accepted_by].into_iter().flatten() {
            kinds.entry(names.name(agent)).or_insert(HandlerKind::Agent);
        }
    }
    // Row ids number each session's rows: `s-01/p1`, `s-01/p2`, `s-01/e1`.
    let mut seq: BTreeMap<(Sym, char), u32> = BTreeMap::new();
    let mut next_id = |session: Sym, tag: char| {
        let n = seq.entry((session, tag)).or_insert(0);
        *n += 1;
        format!("{}/{tag}{n}", names.name(session))
    };
    for p in &rows.participants {
        participants.row(&participant_row(next_id(p.session, 'p'), p, names))?;
        kinds.entry(names.name(p.participant)).or_insert(p.kind);
    }
    for e in &rows.events {
        events.row(&event_row(next_id(e.session, 'e'), e, names))?;
        kinds
            .entry(names.name(e.participant))
            .or_insert(HandlerKind::Agent);
    }
    for (user, kind) in &kinds {
        let bot_id = match kind {
            HandlerKind::Bot => user.to_string(),
            HandlerKind::Agent => String::new(),
        };
        users.row(&[user.to_string(), bot_id])?;
    }

    let mut tables = Vec::new();
    for t in [work_items, sessions, participants, events, users] {
        tables.push(t.commit()?);
    }
    Ok(Exported { tables })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact() {
        for (ms, text) in [
            (90_000, "90"),
            (12_500, "12.5"),
            (1, "0.001"),
            (0, "0"),
            (-1_500, "-1.5"),
        ] {
            assert_eq!(seconds(ms), text);
        }
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut s = String::new();
        push_field(&mut s, "plain");
        s.push('|');
        push_field(&mut s, "a,b");
        s.push('|');
        push_field(&mut s, "say \"hi\"");
        assert_eq!(s, "plain|\"a,b\"|\"say \"\"hi\"\"\"");
    }

    #[test]
    fn state_codes_follow_the_reference() {
        // statecode 0 Open holds 1, 2, 3, 5; 1 Closed holds 4; 2 Resolved 6; 3 Scheduled 7.
        let codes: Vec<(u32, u32)> = WorkItemStatus::ALL
            .iter()
            .map(|&s| (s.code().unwrap_or(0), state_code(s)))
            .collect();
        assert_eq!(
            codes,
            vec![(1, 0), (2, 0), (3, 0), (4, 1), (5, 0), (6, 2), (7, 3)]
        );
    }
}
