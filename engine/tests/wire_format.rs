use ccsim_engine::codec::*;
use ccsim_engine::event::*;
use ccsim_engine::time::Instant;

fn t(s: &str) -> Instant {
    Instant::parse_rfc3339(s).unwrap()
}

#[test]
fn scratch() {
    let events = vec![
        Event {
            at: t("2021-05-03T09:00:00.250Z"),
            kind: EventKind::AgentLoggedIn { agent: "ana" },
        },
        Event {
            at: t("2021-05-03T09:10:00Z"),
            kind: EventKind::AgentAway {
                agent: "zoë",
                reason: Some("Pause café"),
                trigger: Trigger::Manual,
                last_active_at: None,
            },
        },
        Event {
            at: t("2021-05-03T10:05:00Z"),
            kind: EventKind::AgentLoggedOut {
                agent: "ben",
                trigger: Trigger::Idle,
                last_active_at: Some(t("2021-05-03T09:05:00Z")),
            },
        },
        Event {
            at: t("2021-05-03T10:06:00Z"),
            kind: EventKind::ContactStarted {
                contact: "ct-1",
                conversation: Some("cv-1"),
                customer: None,
                channel: Channel::Sms,
                direction: Direction::Inbound,
                channel_instance: None,
            },
        },
        Event {
            at: t("2021-05-03T10:07:00Z"),
            kind: EventKind::SessionEnded {
                session: "s-1",
                reason: ClosureReason::BotTransferToAgent,
            },
        },
    ];
    let header = LogHeader {
        producer: "ccsim test".into(),
        scenario_hash: Some(0xDEAD_BEEF),
        seed: Some(42),
    };
    let p = std::path::Path::new("/tmp/golden.ccslog");
    let mut w = Box::new(BinaryWriter::create(p, &header).unwrap());
    for e in &events {
        w.write(e).unwrap();
    }
    w.finish().unwrap();
    for e in &events {
        println!(
            "{} {:?} {:02x?}",
            e.at.millis(),
            e.kind,
            encode_record(e).unwrap()
        );
    }
}
