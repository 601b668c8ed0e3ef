//! What the scheduler shows: the state of a scheduled post, its targets'
//! results (the shape of `publish`'s report targets) and the health view.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Platform};

/// A scheduled post's id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScheduleId(pub String);

impl fmt::Display for ScheduleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ScheduleId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a scheduled post is.
///
/// ```text
/// scheduled ──▶ running ──▶ published | failed | outcome_unknown
///     │  ▲          │
///     │  └──────────┘  a transient failure (bounded retries) or a dead worker
///     ▼
/// cancelled            retry: failed | outcome_unknown ──▶ scheduled
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScheduleState {
    /// Waiting for its time (or for a retry after a transient failure).
    Scheduled,
    /// A worker is publishing it (under a lease it renews).
    Running,
    /// Every target is live.
    Published,
    /// At least one target failed for good and none is unknown.
    Failed,
    /// At least one target may or may not exist on its platform: `retry`
    /// looks it up before anything is created again.
    OutcomeUnknown,
    /// Cancelled before it ran.
    Cancelled,
}

impl ScheduleState {
    /// The wire name (`scheduled`, `outcome_unknown`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Running => "running",
            Self::Published => "published",
            Self::Failed => "failed",
            Self::OutcomeUnknown => "outcome_unknown",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether nothing more happens to it without a `retry`.
    pub fn is_settled(self) -> bool {
        !matches!(self, Self::Scheduled | Self::Running)
    }
}

impl std::str::FromStr for ScheduleState {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        [
            Self::Scheduled,
            Self::Running,
            Self::Published,
            Self::Failed,
            Self::OutcomeUnknown,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| Error::invalid_input("state", format!("unknown state {s:?}")))
    }
}

/// How a target goes live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TargetMode {
    /// Published by a worker at the due time.
    AtTime,
    /// Uploaded by a worker ahead of time; the platform makes it live at
    /// the due time (YouTube `publishAt`, Facebook `scheduled_publish_time`).
    Native,
}

/// An error in a stored result: its stable code and message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorSummary {
    /// The stable code (`QUOTA_EXHAUSTED`, `OUTCOME_UNKNOWN`, ...).
    pub code: String,
    /// What happened (secrets redacted, as every `Error` message).
    pub message: String,
    /// Whether trying again later may succeed.
    pub retryable: bool,
}

impl From<&Error> for ErrorSummary {
    fn from(e: &Error) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            retryable: e.is_retryable(),
        }
    }
}

/// One target's result: the fields of a publish report's target, plus
/// the mode it used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetOutcome {
    /// The platform.
    pub platform: Platform,
    /// The account id on the platform.
    pub account_id: String,
    /// Whether the post is live (or, natively scheduled, accepted by the
    /// platform to go live at the time).
    pub ok: bool,
    /// The post id, when published.
    pub post_id: Option<String>,
    /// The post URL, when published.
    pub url: Option<String>,
    /// Why not, when not.
    pub error: Option<ErrorSummary>,
    /// Milliseconds spent on this target.
    pub elapsed_ms: f64,
    /// Whether the result came from the publish log or the platform
    /// (reconciled), not from a create made now.
    pub reused: bool,
    /// How the target goes live.
    pub mode: TargetMode,
    /// The thread's parts after the first, as far as they were tried.
    #[serde(default)]
    pub parts: Vec<FollowUpOutcome>,
    /// The first comment, when the post has one and it was tried.
    #[serde(default)]
    pub comment: Option<FollowUpOutcome>,
    /// What a draft became on the platform; `None`: published live.
    #[serde(default)]
    pub draft: Option<crate::DraftKind>,
}

/// One follow-up of a scheduled post (a thread part or the first comment),
/// as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUpOutcome {
    /// Whether it was published.
    pub ok: bool,
    /// Its id, when published.
    pub post_id: Option<String>,
    /// Its URL, when published.
    pub url: Option<String>,
    /// Why not, when not.
    pub error: Option<ErrorSummary>,
}

impl From<&Result<crate::Published, Error>> for FollowUpOutcome {
    fn from(r: &Result<crate::Published, Error>) -> Self {
        match r {
            Ok(p) => Self {
                ok: true,
                post_id: Some(p.post_id.clone()),
                url: Some(p.url.clone()),
                error: None,
            },
            Err(e) => Self {
                ok: false,
                post_id: None,
                url: None,
                error: Some(ErrorSummary::from(e)),
            },
        }
    }
}

/// A scheduled post as the caller sees it (`get`, `list`, event data).
#[derive(Clone, Debug, Serialize)]
pub struct ScheduledPost {
    /// Its id (the idempotency key of its publish).
    pub id: ScheduleId,
    /// The user it publishes for.
    pub user_id: String,
    /// Where it is.
    pub state: ScheduleState,
    /// When it is due (UTC).
    pub due_at: DateTime<Utc>,
    /// The zone, when it was scheduled by local time.
    pub zone: Option<String>,
    /// The local time asked for, when scheduled by local time.
    pub local_time: Option<NaiveDateTime>,
    /// The post's text.
    pub text: String,
    /// Runs started so far.
    pub attempts: u32,
    /// Per-target results of the last run.
    pub results: Vec<TargetOutcome>,
    /// Why the whole run failed, when it did before reaching targets.
    pub error: Option<ErrorSummary>,
    /// When it was scheduled.
    pub created_at: DateTime<Utc>,
    /// When the last run started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it settled.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&super::record::Record> for ScheduledPost {
    fn from(r: &super::record::Record) -> Self {
        Self {
            id: ScheduleId(r.id.clone()),
            user_id: r.user_id.clone(),
            state: r.state,
            due_at: r.due_at,
            zone: r.zone.clone(),
            local_time: r.local_time,
            text: r.post.text.clone(),
            attempts: r.attempts,
            results: r.results.clone(),
            error: r.error.clone(),
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// One page of [`super::Scheduler::list`], ordered by due time then id.
#[derive(Clone, Debug, Serialize)]
pub struct Page {
    /// The scheduled posts on this page.
    pub items: Vec<ScheduledPost>,
    /// Pass to [`ListQuery::after`] for the next page (`None`: last page).
    pub next: Option<String>,
}

/// Which scheduled posts to list.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub(crate) user_id: Option<String>,
    pub(crate) state: Option<ScheduleState>,
    pub(crate) from: Option<DateTime<Utc>>,
    pub(crate) to: Option<DateTime<Utc>>,
    pub(crate) limit: Option<usize>,
    pub(crate) after: Option<String>,
}

/// The default and largest page size of [`super::Scheduler::list`].
pub const MAX_PAGE: usize = 500;

impl ListQuery {
    /// Every scheduled post (narrow it with the methods below).
    pub fn new() -> Self {
        Self::default()
    }
    /// Only this user's.
    pub fn user(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }
    /// Only in this state.
    pub fn state(mut self, state: ScheduleState) -> Self {
        self.state = Some(state);
        self
    }
    /// Only due at or after `from` and before `to`.
    pub fn due_between(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.from = Some(from);
        self.to = Some(to);
        self
    }
    /// At most this many per page (1 to [`MAX_PAGE`], the default).
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }
    /// The page after the cursor a previous page returned.
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }
}

/// The workers and the backlog, as the job engine and the records see
/// them.
#[derive(Clone, Debug, Serialize)]
pub struct Health {
    /// Workers whose heartbeat is recent.
    pub workers_alive: u64,
    /// Scheduled posts whose time has come and that no worker runs yet.
    pub due: u64,
    /// Posts a worker is publishing now.
    pub running: u64,
    /// Due posts waiting longer than [`super::LATE_AFTER`].
    pub late: u64,
    /// How long the longest-waiting due post has waited (milliseconds).
    pub oldest_lateness_ms: u64,
    /// Scheduled posts not due yet.
    pub upcoming: u64,
}
