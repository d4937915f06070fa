//! The small closed vocabularies events use, and the Dynamics 365 option-set codes they map to
//! in both directions (`../shared/reference/dynamics-codes.md`; seed `000_0050631083f1a627.txt`).
//!
//! Every table is written once, in [`option_set!`], which yields the enum, its snake_case JSON
//! spelling, and the code mapping (`code()` and `from_code()`).

use serde::{Deserialize, Serialize};

/// Declares a vocabulary: an enum whose variants carry an optional Dynamics option-set code.
macro_rules! option_set {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The Dynamics 365 option-set code, where Dynamics has one.
            pub const fn code(self) -> Option<u32> {
                match self { $($name::$variant => $code),+ }
            }

            /// The value a Dynamics 365 option-set code stands for.
            pub fn from_code(code: u32) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == Some(code))
            }

            /// The snake_case name used in logs and reports.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => crate::event::codes::snake!($variant)),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// Turns a CamelCase identifier into the snake_case string serde writes for it.
macro_rules! snake {
    ($v:ident) => {{
        const NAME: &str = stringify!($v);
        const LEN: usize = crate::event::codes::snake_len(NAME);
        const BYTES: [u8; LEN] = crate::event::codes::snake_bytes::<LEN>(NAME);
        // A constant, so the check runs once at compile time rather than at every use.
        const SNAKE: &str = match std::str::from_utf8(&BYTES) {
            Ok(s) => s,
            Err(_) => NAME,
        };
        SNAKE
    }};
}
pub(crate) use snake;

/// Length of the snake_case form of a CamelCase ASCII identifier.
pub(crate) const fn snake_len(name: &str) -> usize {
    let b = name.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        if i > 0 && b[i].is_ascii_uppercase() {
            n += 1;
        }
        n += 1;
        i += 1;
    }
    n
}

/// The snake_case bytes of a CamelCase ASCII identifier (`AgentReject` → `agent_reject`).
pub(crate) const fn snake_bytes<const N: usize>(name: &str) -> [u8; N] {
    let b = name.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    let mut j = 0;
    while i < b.len() {
        if b[i].is_ascii_uppercase() {
            if i > 0 {
                out[j] = b'_';
                j += 1;
            }
            out[j] = b[i].to_ascii_lowercase();
        } else {
            out[j] = b[i];
        }
        j += 1;
        i += 1;
    }
    out
}

option_set! {
    /// The medium of a contact. The first eight are Gladly's, in its handle-time priority order
    /// (seed 002, "Contact Handle Time"); the rest are Dynamics channels (msdyn_channel).
    Channel {
        /// A phone call (Dynamics "Voice").
        Phone = Some(192_370_000),
        /// Web chat (Dynamics "Live chat").
        Chat = Some(192_360_000),
        /// SMS text messages.
        Sms = Some(192_340_000),
        /// Instagram direct messages.
        Instagram = None,
        /// Facebook Messenger (Dynamics "Facebook").
        Messenger = Some(192_330_000),
        /// WhatsApp.
        Whatsapp = Some(192_300_000),
        /// Email.
        Email = None,
        /// A voicemail left by the customer.
        Voicemail = None,
        /// Dynamics "Entity Records": work items routed from records, not customer messages.
        EntityRecords = Some(192_350_000),
        /// Twitter.
        Twitter = Some(192_350_001),
        /// A custom messaging channel.
        Custom = Some(192_350_002),
        /// LINE.
        Line = Some(192_310_000),
        /// WeChat.
        Wechat = Some(192_320_000),
        /// Video.
        Video = Some(192_380_000),
        /// Co-browse.
        CoBrowse = Some(192_390_000),
        /// Screen sharing.
        ScreenSharing = Some(192_400_000),
        /// Microsoft Teams (the reference prints 19241000, one digit short; 192410000 is used).
        Teams = Some(192_410_000),
        /// Dynamics "Voice call".
        VoiceCall = Some(192_440_000),
        /// Apple Messages for Business.
        AppleMessages = Some(192_450_000),
        /// Google's Business Messages.
        GoogleBusinessMessages = Some(192_450_001),
    }
}

impl Channel {
    /// Gladly's channel-priority rank for attributing overlapping handle time: 0 is most
    /// synchronous (phone). Channels outside Gladly's list rank after it.
    pub fn gladly_priority(self) -> u8 {
        match self {
            Channel::Phone => 0,
            Channel::Chat => 1,
            Channel::Sms => 2,
            Channel::Instagram => 3,
            Channel::Messenger => 4,
            Channel::Whatsapp => 5,
            Channel::Email => 6,
            Channel::Voicemail => 7,
            _ => 8,
        }
    }

    /// Whether Gladly counts this channel as messaging (for concurrency and session limits).
    pub fn is_messaging(self) -> bool {
        matches!(
            self,
            Channel::Chat
                | Channel::Sms
                | Channel::Instagram
                | Channel::Messenger
                | Channel::Whatsapp
        )
    }
}

option_set! {
    /// Who started a contact.
    Direction {
        /// The customer reached out.
        Inbound = None,
        /// The company reached out (Dynamics msdyn_isoutbound = 1).
        Outbound = None,
    }
}

option_set! {
    /// What set an agent Away or logged them out.
    Trigger {
        /// The agent chose it.
        Manual = None,
        /// The platform did it after the agent was idle (no input, not on a call).
        Idle = None,
    }
}

option_set! {
    /// How a contact ended.
    Outcome {
        /// The exchange ran its course.
        Completed = None,
        /// The customer left before an agent answered.
        Abandoned = None,
        /// The contact was forwarded outside the platform.
        ForwardedOutside = None,
        /// The customer left a voicemail.
        Voicemail = None,
        /// The customer left the queue having asked to be called back: the callback is a
        /// later outbound contact of the same customer. (Appended last: the binary log
        /// numbers values by position.)
        CallbackRequested = None,
    }
}

option_set! {
    /// Who closed a conversation.
    ClosedBy {
        /// An agent closed it.
        Agent = None,
        /// An automation rule closed it.
        Rule = None,
        /// The platform closed it (timeouts and the like).
        System = None,
    }
}

option_set! {
    /// Who wrote a message.
    Sender {
        /// The customer.
        Customer = None,
        /// A human agent.
        Agent = None,
        /// A bot.
        Bot = None,
    }
}

option_set! {
    /// Whether a participant or session handler is a person or a bot (Dynamics tells them apart
    /// by systemuser.msdyn_botapplicationid).
    HandlerKind {
        /// A human agent (Dynamics: service representative).
        Agent = None,
        /// A bot (Dynamics: AI agent).
        Bot = None,
    }
}

option_set! {
    /// Where a session was transferred.
    TransferTarget {
        /// To another agent.
        Agent = None,
        /// Back to a queue.
        Queue = None,
        /// Outside the platform.
        Outside = None,
    }
}

option_set! {
    /// Dynamics live work item status (msdyn_ocliveworkitem.statuscode).
    WorkItemStatus {
        /// 1 Open.
        Open = Some(1),
        /// 2 Active.
        Active = Some(2),
        /// 3 Waiting.
        Waiting = Some(3),
        /// 4 Closed.
        Closed = Some(4),
        /// 5 Wrap-up.
        WrapUp = Some(5),
        /// 6 Resolved.
        Resolved = Some(6),
        /// 7 Scheduled.
        Scheduled = Some(7),
    }
}

option_set! {
    /// Dynamics session participant mode (msdyn_sessionparticipant.msdyn_mode).
    ParticipantMode {
        /// The participant handling the session.
        Primary = Some(192_350_002),
        /// Brought in to consult.
        Consult = Some(192_350_003),
        /// Listening in.
        Monitor = Some(192_350_004),
        /// Previewing the work item.
        Preview = Some(192_350_005),
    }
}

option_set! {
    /// Dynamics session participant event type (msdyn_ocsessionparticipantevent.msdyn_eventtype).
    ParticipantEventType {
        /// No particular type.
        None = Some(192_350_000),
        /// A hold.
        Hold = Some(192_350_001),
        /// A transcription event.
        Transcription = Some(192_350_002),
    }
}

option_set! {
    /// Dynamics session participant event reason (msdyn_ocsessionparticipantevent.msdyn_eventreason).
    ParticipantEventReason {
        /// The agent started it.
        AgentInitiated = Some(192_350_000),
        /// The session is in transit during a transfer.
        SessionTransferInTransit = Some(192_350_001),
        /// A transfer was accepted.
        SessionTransferAccepted = Some(192_350_002),
    }
}

option_set! {
    /// Why a Dynamics session closed (msdyn_ocsession.msdyn_closurereason).
    ClosureReason {
        /// 192350000.
        Default = Some(192_350_000),
        /// 192350001: the agent declined the offer.
        AgentReject = Some(192_350_001),
        /// 192350002: the offer expired unanswered.
        AgentTimeout = Some(192_350_002),
        /// 192350003.
        ConversationTimeout = Some(192_350_003),
        /// 192350004.
        AgentClosed = Some(192_350_004),
        /// 192350005.
        ConversationClosed = Some(192_350_005),
        /// 192350006: transferred to another agent.
        AgentTransferred = Some(192_350_006),
        /// 192350007.
        AgentDisconnected = Some(192_350_007),
        /// 192350008.
        AgentReRouted = Some(192_350_008),
        /// 192350009.
        VirtualAgentClosed = Some(192_350_009),
        /// 192350010: transferred back to a queue.
        AgentTransferToQueue = Some(192_350_010),
        /// 192350011.
        SupervisorAssignToQueue = Some(192_350_011),
        /// 192350012.
        SupervisorTransferToAgent = Some(192_350_012),
        /// 192350013.
        SystemReject = Some(192_350_013),
        /// 192350014.
        ForceClose = Some(192_350_014),
        /// 192350015.
        OverflowQueueTransfer = Some(192_350_015),
        /// 192350016.
        OverflowEndConversation = Some(192_350_016),
        /// 192350017.
        AddAgentFailed = Some(192_350_017),
        /// 192350018.
        AutoClose = Some(192_350_018),
        /// 192350019.
        SecondaryChannelClosed = Some(192_350_019),
        /// 192350020.
        CustomerDisconnect = Some(192_350_020),
        /// 192350021.
        AgentEndConversation = Some(192_350_021),
        /// 192350022.
        CustomerEndConversation = Some(192_350_022),
        /// 192350023.
        QueueTransfer = Some(192_350_023),
        /// 192350024.
        InqueueOverflowQueueTransfer = Some(192_350_024),
        /// 192350025.
        InqueueOverflowEndConversation = Some(192_350_025),
        /// 192350026: a bot escalated to an agent.
        BotTransferToAgent = Some(192_350_026),
        /// 192350027.
        BotEndConversation = Some(192_350_027),
        /// 192350028.
        BotCallFailureEndConversation = Some(192_350_028),
        /// 192350029.
        BotCallFailureExternalTransfer = Some(192_350_029),
        /// 192350030.
        BotCallFailurePromptAndEscalate = Some(192_350_030),
        /// 192350031.
        BotCallFailureEscalate = Some(192_350_031),
        /// 192350034.
        ManuallyClosedSession = Some(192_350_034),
        /// 192350036.
        ExternalAgentAccept = Some(192_350_036),
        /// 192350037.
        ExternalAgentReject = Some(192_350_037),
        /// 192350038.
        ExternalAgentTransfer = Some(192_350_038),
        /// 192350054.
        VoiceConnectivityProblem = Some(192_350_054),
        /// 192350055.
        MaximumSessionsReached = Some(192_350_055),
        /// 192350056.
        CallTimedOut = Some(192_350_056),
        /// 192350061.
        CustomerNonResponseTimeoutRule = Some(192_350_061),
        /// 192350062.
        AgentNonResponseTimeoutRule = Some(192_350_062),
        /// 192350063.
        AgentMovedConversationToWaiting = Some(192_350_063),
        /// 192350064.
        AutoRejectedDueToBrowserRefresh = Some(192_350_064),
        /// 192350065.
        AutoRejectAsOutboundCallInProgress = Some(192_350_065),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_both_ways() {
        // Codes from ../shared/reference/dynamics-codes.md.
        assert_eq!(ClosureReason::AgentReject.code(), Some(192_350_001));
        assert_eq!(
            ClosureReason::from_code(192_350_010),
            Some(ClosureReason::AgentTransferToQueue)
        );
        assert_eq!(
            ClosureReason::from_code(192_350_026),
            Some(ClosureReason::BotTransferToAgent)
        );
        assert_eq!(
            ParticipantMode::from_code(192_350_003),
            Some(ParticipantMode::Consult)
        );
        assert_eq!(
            Channel::from_code(192_350_000),
            Some(Channel::EntityRecords)
        );
        assert_eq!(Channel::from_code(192_340_000), Some(Channel::Sms));
        assert_eq!(WorkItemStatus::from_code(5), Some(WorkItemStatus::WrapUp));
        assert_eq!(ClosureReason::from_code(192_350_099), None);
        // Every code appears once per table, so from_code(code(v)) == v.
        for &c in ClosureReason::ALL {
            assert_eq!(ClosureReason::from_code(c.code().unwrap()), Some(c));
        }
        for &c in Channel::ALL {
            if let Some(code) = c.code() {
                assert_eq!(Channel::from_code(code), Some(c));
            }
        }
    }

    #[test]
    fn names_match_the_json_spelling() {
        for &c in ClosureReason::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.name()));
        }
        assert_eq!(Channel::CoBrowse.name(), "co_browse");
        assert_eq!(ClosureReason::AgentReRouted.name(), "agent_re_routed");
    }
}
