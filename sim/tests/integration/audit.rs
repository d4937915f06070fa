//! The audit of the simulator's events (issue 13, section 5), checked on the log itself: the
//! platform's automatic Away and logout measure inactivity from the start of the agent's idle
//! stretch; consults and direct transfers reach only agents at their desk; a contact whose
//! offer rang out goes to another free agent rather than straight back.
//!
//! Each check rebuilds what it needs from the events alone (who is logged in, Away, away from
//! the desk, how many sessions each agent holds), as a reader of the log would.

use std::collections::{HashMap, HashSet};

use ccsim_engine::codec::write_jsonl_line;
use ccsim_engine::event::{Event, EventKind, Trigger};
use ccsim_sim::model::Sim;
use ccsim_sim::output::{Output, SimError};
use ccsim_sim::scenario::{Scenario, DEFAULT_WEEK, DEFAULT_WEEK_FILE};
use serde_json::Value;

/// An output that keeps every event as its JSON Lines object, with its instant [ms].
#[derive(Default)]
pub struct Recorder(pub Vec<(i64, Value)>);

impl Output for Recorder {
    fn event(&mut self, event: &Event<'_>) -> Result<(), SimError> {
        let mut line = Vec::new();
        write_jsonl_line(event, &mut line).expect("every event encodes");
        let value = serde_json::from_slice(&line).expect("a JSON line");
        self.0.push((event.at.millis(), value));
        Ok(())
    }
}

/// The log of `scenario` with `seed`, as JSON objects with their instants.
pub fn record(scenario: &Scenario, seed: u64) -> Vec<(i64, Value)> {
    let (out, _) = Sim::new(scenario, seed, Recorder::default())
        .run()
        .expect("the simulation runs");
    out.0
}

/// The text of field `key` of an event (empty when absent).
pub fn text<'v>(event: &'v Value, key: &str) -> &'v str {
    event.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The instant [ms] of the RFC 3339 field `key` of an event.
fn instant(event: &Value, key: &str) -> i64 {
    ccsim_engine::time::Instant::parse_rfc3339(text(event, key))
        .expect("an RFC 3339 instant")
        .millis()
}

/// The platform's automatic Away after 2 minutes without activity, logout after 6.
const AUTO_AWAY_MS: i64 = 2 * 60_000;
const AUTO_LOGOUT_MS: i64 = 6 * 60_000;

/// Two days of one phone queue and six agents (three for whom it is the first skill, three
/// for whom it is the second, so routing prefers the first three) who leave the desk about once an hour for
/// exactly 8 minutes (longer than the logout threshold, so every absence shows in the log:
/// it starts at the logout's `last_active_at` and ends when the agent logs in again). Calls
/// have consults and direct transfers; offers are accepted at once unless the agent is away
/// from the desk, when they ring out.
fn desk() -> Scenario {
    let text = format!(
        r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 48.0

[platform]
offer_timeout_s = 30.0
auto_away_after_min = {}
auto_logout_after_min = {}

[workstreams.calls]
channel = "phone"
arrivals = {{ rate_per_h = 40.0 }}
queue = "calls"
patience = {{ dist = "exponential", mean_s = 300.0 }}
handle = {{ dist = "exponential", mean_s = 240.0 }}
consult = {{ probability = 0.3, duration = {{ dist = "exponential", mean_s = 60.0 }} }}
transfers = [{{ probability = 0.2, to = "agent" }}]

[queues.calls]
skills = ["calls"]

[groups.desk]
agents = 3
skills = ["calls"]
capacity = {{ phone = 1 }}
idle = {{ rate_per_h = 1.0, duration = {{ dist = "constant", value_s = 480.0 }} }}

[groups.backup]
agents = 3
skills = ["billing", "calls"]
capacity = {{ phone = 1 }}
idle = {{ rate_per_h = 1.0, duration = {{ dist = "constant", value_s = 480.0 }} }}
"#,
        AUTO_AWAY_MS / 60_000,
        AUTO_LOGOUT_MS / 60_000
    );
    Scenario::parse(&text, "desk.toml").expect("the test scenario loads")
}

/// Each agent's stretches away from the desk, `[from, to)` [ms], read off the log of
/// [`desk`]: from an automatic logout's `last_active_at` to the agent's next login.
fn absences(log: &[(i64, Value)]) -> HashMap<String, Vec<(i64, i64)>> {
    let mut open: HashMap<String, i64> = HashMap::new();
    let mut stretches: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for (at, event) in log {
        let agent = text(event, "agent").to_string();
        match text(event, "type") {
            "agent_logged_out" if text(event, "trigger") == "idle" => {
                open.insert(agent, instant(event, "last_active_at"));
            }
            "agent_logged_in" => {
                if let Some(from) = open.remove(&agent) {
                    stretches.entry(agent).or_default().push((from, *at));
                }
            }
            _ => {}
        }
    }
    for (agent, from) in open {
        stretches.entry(agent).or_default().push((from, i64::MAX));
    }
    stretches
}

/// Whether `agent` is away from the desk at `at`.
fn absent_at(absences: &HashMap<String, Vec<(i64, i64)>>, agent: &str, at: i64) -> bool {
    absences
        .get(agent)
        .is_some_and(|s| s.iter().any(|&(from, to)| from <= at && at < to))
}

/// The gaps [ms] between automatic Away and logout events and their `last_active_at`.
fn idle_gaps(log: &[(i64, Value)]) -> (Vec<i64>, Vec<i64>) {
    let (mut away, mut logout) = (Vec::new(), Vec::new());
    for (at, event) in log {
        if text(event, "trigger") != "idle" {
            continue;
        }
        let gap = at - instant(event, "last_active_at");
        match text(event, "type") {
            "agent_away" => away.push(gap),
            "agent_logged_out" => logout.push(gap),
            _ => {}
        }
    }
    (away, logout)
}

#[test]
fn automatic_away_and_logout_come_the_setting_after_the_idle_stretch_starts() {
    let log = record(&desk(), 13);
    let (away, logout) = idle_gaps(&log);
    // About 6 agents × 48 h × 1 an hour, less the time spent away: well over a hundred.
    assert!(
        away.len() > 100,
        "only {} automatic Away events",
        away.len()
    );
    // Every absence lasts 8 min, longer than both thresholds: one Away and one logout each.
    assert_eq!(away.len(), logout.len());
    let away_off: Vec<_> = away.iter().filter(|&&g| g != AUTO_AWAY_MS).collect();
    let logout_off: Vec<_> = logout.iter().filter(|&&g| g != AUTO_LOGOUT_MS).collect();
    assert!(
        away_off.is_empty(),
        "Away gaps other than 2 min: {away_off:?}"
    );
    assert!(
        logout_off.is_empty(),
        "logout gaps other than 6 min: {logout_off:?}"
    );
    // The idle stretch starts at the end of the agent's last real work: no session of theirs
    // ends, and none is accepted, within it.
    let stretches = absences(&log);
    let mut session_agent: HashMap<String, String> = HashMap::new();
    for (at, event) in &log {
        match text(event, "type") {
            "session_accepted" => {
                let agent = text(event, "agent");
                assert!(
                    !absent_at(&stretches, agent, *at),
                    "{agent} accepts while away"
                );
                session_agent.insert(text(event, "session").into(), agent.into());
            }
            "session_ended" if text(event, "reason") == "agent_closed" => {
                if let Some(agent) = session_agent.get(text(event, "session")) {
                    let inside = stretches
                        .get(agent.as_str())
                        .is_some_and(|s| s.iter().any(|&(from, to)| from < *at && *at < to));
                    assert!(!inside, "{agent} ends work while away from the desk");
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_default_week_automatic_away_comes_the_setting_after_the_idle_stretch_starts() {
    // scenarios/default-week.toml: auto_away_after_min = 10, auto_logout_after_min = 45.
    let sc = Scenario::parse(DEFAULT_WEEK, DEFAULT_WEEK_FILE).expect("the default week loads");
    let mut gaps = GapCounter::default();
    Sim::new(&sc, 7, &mut gaps).run().expect("the week runs");
    eprintln!(
        "default week: {} of {} automatic Away events 10 min after last activity, {} of {} logouts 45 min after",
        gaps.away_exact, gaps.away, gaps.logout_exact, gaps.logout
    );
    assert!(gaps.away > 0);
    assert_eq!(gaps.away_exact, gaps.away);
    assert_eq!(gaps.logout_exact, gaps.logout);
}

/// Counts automatic Away and logout events, and those exactly the default week's thresholds
/// after their `last_active_at`.
#[derive(Default)]
struct GapCounter {
    away: u32,
    away_exact: u32,
    logout: u32,
    logout_exact: u32,
}

impl Output for &mut GapCounter {
    fn event(&mut self, event: &Event<'_>) -> Result<(), SimError> {
        match event.kind {
            EventKind::AgentAway {
                trigger: Trigger::Idle,
                last_active_at: Some(last),
                ..
            } => {
                self.away += 1;
                self.away_exact += u32::from(event.at.millis_since(last) == 10 * 60_000);
            }
            EventKind::AgentLoggedOut {
                trigger: Trigger::Idle,
                last_active_at: Some(last),
                ..
            } => {
                self.logout += 1;
                self.logout_exact += u32::from(event.at.millis_since(last) == 45 * 60_000);
            }
            _ => {}
        }
        Ok(())
    }
}

/// What the router can see of each agent, rebuilt from the log of a phone-only scenario with
/// capacity 1: logged in, Away, available on phone, and the sessions (offered or handled) and
/// consults they hold.
#[derive(Default)]
struct Desks {
    logged_in: HashSet<String>,
    away: HashSet<String>,
    available: HashSet<String>,
    load: HashMap<String, u32>,
    /// Each session's agent, while it holds them.
    holder: HashMap<String, String>,
    /// Each session's contact.
    contact: HashMap<String, String>,
}

impl Desks {
    /// Takes one event into account.
    fn apply(&mut self, event: &Value) {
        let agent = text(event, "agent").to_string();
        let session = text(event, "session").to_string();
        match text(event, "type") {
            "agent_logged_in" => {
                self.logged_in.insert(agent);
            }
            "agent_logged_out" => {
                self.logged_in.remove(&agent);
                self.away.remove(&agent);
                self.available.remove(&agent);
            }
            "agent_away" => {
                self.away.insert(agent);
            }
            "agent_active" => {
                self.away.remove(&agent);
            }
            "agent_available" => {
                self.available.insert(agent);
            }
            "agent_unavailable" => {
                self.available.remove(&agent);
            }
            "session_started" => {
                self.contact.insert(session, text(event, "contact").into());
            }
            "session_offered" => {
                *self.load.entry(agent.clone()).or_default() += 1;
                self.holder.insert(session, agent);
            }
            "session_rejected" | "session_timed_out" | "session_ended" => {
                if let Some(agent) = self.holder.remove(&session) {
                    *self.load.entry(agent).or_default() -= 1;
                }
            }
            "participant_joined" if text(event, "mode") == "consult" => {
                *self
                    .load
                    .entry(text(event, "participant").into())
                    .or_default() += 1;
            }
            "participant_left" => {
                *self
                    .load
                    .entry(text(event, "participant").into())
                    .or_default() -= 1;
            }
            _ => {}
        }
    }

    /// Whether the router can offer `agent` a call now.
    fn free(&self, agent: &str) -> bool {
        self.logged_in.contains(agent)
            && !self.away.contains(agent)
            && self.available.contains(agent)
            && self.load.get(agent).copied().unwrap_or(0) == 0
    }
}

#[test]
fn consults_and_direct_transfers_reach_only_agents_at_their_desk() {
    let log = record(&desk(), 17);
    let stretches = absences(&log);
    let mut desks = Desks::default();
    let (mut n_consults, mut n_transfers) = (0, 0);
    let mut not_there: Vec<String> = Vec::new();
    for (at, event) in &log {
        let reached = match text(event, "type") {
            "participant_joined" if text(event, "mode") == "consult" => {
                n_consults += 1;
                Some(text(event, "participant"))
            }
            "session_transferred" if text(event, "to") == "agent" => {
                n_transfers += 1;
                Some(text(event, "target"))
            }
            _ => None,
        };
        if let Some(agent) = reached {
            if !desks.free(agent) || absent_at(&stretches, agent, *at) {
                not_there.push(event.to_string());
            }
        }
        desks.apply(event);
    }
    eprintln!(
        "{n_consults} consults, {n_transfers} direct transfers; {} reached an agent not free at the desk",
        not_there.len()
    );
    assert!(not_there.is_empty(), "{not_there:#?}");
    // 40 calls an hour for 48 h, 30 % consulted and 20 % transferred when someone is free.
    assert!(
        n_consults > 100 && n_transfers > 50,
        "{n_consults} {n_transfers}"
    );
}

/// Per contact whose offer rang out while another agent was free: whether its next offer went
/// to the same agent. Returns (such time-outs, offered straight back).
fn missed_offers(log: &[(i64, Value)]) -> (u32, u32) {
    let mut desks = Desks::default();
    let mut agents: Vec<String> = Vec::new();
    // Contact → the agent who let its offer ring out while another was free.
    let mut missed: HashMap<String, String> = HashMap::new();
    let (mut n_missed, mut n_back) = (0, 0);
    for (_, event) in log {
        let kind = text(event, "type");
        if kind == "agent_logged_in" && !agents.iter().any(|a| a == text(event, "agent")) {
            agents.push(text(event, "agent").into());
        }
        if kind == "session_offered" {
            let contact = &desks.contact[text(event, "session")];
            if let Some(previous) = missed.remove(contact) {
                n_back += u32::from(previous == text(event, "agent"));
            }
        }
        let timed_out = (kind == "session_timed_out").then(|| {
            let session = text(event, "session");
            (
                desks.contact[session].clone(),
                text(event, "agent").to_string(),
            )
        });
        desks.apply(event);
        if let Some((contact, agent)) = timed_out {
            if agents
                .iter()
                .any(|other| *other != agent && desks.free(other))
            {
                n_missed += 1;
                missed.insert(contact, agent);
            }
        }
    }
    (n_missed, n_back)
}

#[test]
fn a_contact_that_rang_out_goes_to_another_free_agent() {
    let log = record(&desk(), 19);
    let (n_missed, n_back) = missed_offers(&log);
    eprintln!(
        "{n_missed} offers rang out while another agent was free; {n_back} went straight back"
    );
    assert!(n_missed > 20, "only {n_missed} offers rang out");
    assert_eq!(n_back, 0);
}
