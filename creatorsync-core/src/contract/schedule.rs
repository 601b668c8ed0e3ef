//! The scheduling shapes the bindings take and give, and the calls they
//! make: `at` (an RFC 3339 instant, or `{local, zone}`), the options of a
//! schedule, bulk items and mode, the list query, and the views of a
//! scheduled post (per-target results shaped like a publish report's
//! targets), a page, a bulk report and the worker health. A binding reads
//! the post itself ([`PostSpec`], bytes taken out) and hands everything
//! else over as JSON; defaults and checks are the core's.
//!
//! The client option `scheduler` ([`SchedulerOption`]) chooses where jobs
//! live: by default beside the store (the SQLite file or the PostgreSQL
//! database), required with `store: "memory"` or a host store.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::post::PostInput;
use super::targets::TargetInput;
use super::views::{ErrorView, FollowUpView, to_json};
use super::{PostSpec, SecretString};
use crate::schedule::{
    BulkItem, BulkItemResult, BulkMode, BulkReport, ErrorSummary, FollowUpOutcome, Health,
    ListQuery, Page, ScheduleAt, ScheduleId, ScheduleState, ScheduledPost, Scheduler,
    SchedulerConfig, TargetMode, TargetOutcome,
};
use crate::{Error, Platform, Result};

/// When to publish: an RFC 3339 instant with its offset
/// (`2026-12-24T08:00:00Z`), or a wall-clock time in an IANA zone
/// (`{"local": "2026-12-24T09:00", "zone": "Europe/Berlin"}`: stays 09:00
/// across DST changes; a skipped time moves forward by the gap, a time
/// shown twice is its first occurrence).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AtInput {
    /// An RFC 3339 instant.
    Instant(String),
    /// A local time and its zone.
    Local(LocalAtInput),
}

/// A wall-clock time in an IANA zone.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalAtInput {
    /// `YYYY-MM-DDTHH:MM[:SS]`, without an offset.
    pub local: String,
    /// An IANA zone name (`Europe/Berlin`).
    pub zone: String,
}

/// Reads `at` (see [`AtInput`]); `field` names it in errors.
pub fn parse_at(field: &str, v: Value) -> Result<ScheduleAt> {
    let bad = || {
        Error::invalid_input(
            field,
            "an RFC 3339 instant with its offset (2026-12-24T08:00:00Z) or \
             {local: \"2026-12-24T09:00\", zone: \"Europe/Berlin\"}",
        )
    };
    let input: AtInput = super::parse(field, v).map_err(|_| bad())?;
    match input {
        AtInput::Instant(s) => DateTime::parse_from_rfc3339(&s)
            .map(|t| ScheduleAt::Instant(t.with_timezone(&Utc)))
            .map_err(|_| bad()),
        AtInput::Local(l) => {
            let time = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(&l.local, f).ok())
                .ok_or_else(|| {
                    Error::invalid_input(
                        format!("{field}.local"),
                        "a local time YYYY-MM-DDTHH:MM[:SS] without an offset",
                    )
                })?;
            ScheduleAt::local(time, &l.zone).map_err(|e| match e {
                Error::InvalidInput { message, .. } => {
                    Error::invalid_input(format!("{field}.zone"), message)
                }
                e => e,
            })
        }
    }
}

/// The options of one schedule (keys in either case).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleOptionsInput {
    /// Targets, as `publish` takes them (default: every connected account,
    /// as connected when scheduling).
    #[serde(default)]
    pub targets: Option<Vec<TargetInput>>,
    /// Scheduling again with the same key returns the first schedule's id
    /// and schedules nothing.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Schedule for the targets the post is valid for and leave the others
    /// out, instead of refusing the schedule.
    #[serde(default)]
    pub valid_targets_only: bool,
    /// Platforms that schedule the post themselves (`youtube`,
    /// `facebook`): uploaded early, live at the time.
    #[serde(default)]
    pub native: Vec<String>,
}

/// One post of a bulk schedule.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkItemInput {
    /// The user it publishes for.
    pub user_id: String,
    /// The post (a binding may take it out and read it itself).
    #[serde(default)]
    #[schemars(with = "PostInput")]
    pub post: Option<Value>,
    /// When.
    #[schemars(with = "AtInput")]
    pub at: Value,
    /// Targets (default: every connected account).
    #[serde(default)]
    pub targets: Option<Vec<TargetInput>>,
    /// An idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Platforms that schedule it natively.
    #[serde(default)]
    pub native: Vec<String>,
}

/// What a bulk schedule does when an item fails its checks:
/// `all_or_nothing` (the default) or `valid_only`.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkModeInput {
    /// Schedule nothing unless every item passes.
    #[default]
    AllOrNothing,
    /// Schedule the items that pass; report the others.
    ValidOnly,
}

/// Which scheduled posts to list (every key optional).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQueryInput {
    /// Only this user's.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Only in this state (`scheduled`, `running`, `published`, `failed`,
    /// `outcome_unknown`, `cancelled`).
    #[serde(default)]
    pub state: Option<String>,
    /// Only due at or after this instant (RFC 3339).
    #[serde(default)]
    pub due_from: Option<String>,
    /// Only due before this instant (RFC 3339).
    #[serde(default)]
    pub due_to: Option<String>,
    /// At most this many (1 to 500, the default).
    #[serde(default)]
    pub limit: Option<usize>,
    /// The `next` cursor of the previous page.
    #[serde(default)]
    pub after: Option<String>,
}

/// The client option `scheduler`: where jobs live and how workers poll.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchedulerOption {
    /// Where jobs live (default: the store's SQLite file or PostgreSQL
    /// database; required with `store: "memory"` or a host store).
    #[serde(default)]
    pub jobs: Option<JobsOption>,
    /// How often a worker looks for due jobs, in milliseconds (default
    /// 200; 10 ms to 60 s).
    #[serde(default)]
    pub poll_ms: Option<u64>,
    /// How often a worker sends a heartbeat, in milliseconds (default
    /// 5000; 100 ms to 10 min).
    #[serde(default)]
    pub heartbeat_ms: Option<u64>,
    /// Jobs a worker runs at once (default 32; 1 to 256).
    #[serde(default)]
    pub concurrency: Option<usize>,
}

/// Where the job engine keeps its jobs.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum JobsOption {
    /// `{"sqlite": "jobs.db"}`: a SQLite file (one machine).
    Sqlite(String),
    /// `{"postgres": "postgres://..."}`: a PostgreSQL database (any number
    /// of worker processes).
    Postgres(SecretString),
}

impl SchedulerOption {
    /// The core's settings (every range checked here).
    pub fn to_config(&self) -> Result<SchedulerConfig> {
        let mut c = SchedulerConfig::default();
        let ms = |field: &str, v: Option<u64>, lo: u64, hi: u64, d: Duration| match v {
            None => Ok(d),
            Some(n) if (lo..=hi).contains(&n) => Ok(Duration::from_millis(n)),
            Some(n) => Err(Error::invalid_input(
                field,
                format!("{n} is not between {lo} and {hi}"),
            )),
        };
        c.poll = ms("scheduler.poll_ms", self.poll_ms, 10, 60_000, c.poll)?;
        c.heartbeat = ms(
            "scheduler.heartbeat_ms",
            self.heartbeat_ms,
            100,
            600_000,
            c.heartbeat,
        )?;
        if let Some(n) = self.concurrency {
            if !(1..=256).contains(&n) {
                return Err(Error::invalid_input(
                    "scheduler.concurrency",
                    format!("{n} is not between 1 and 256"),
                ));
            }
            c.concurrency = n;
        }
        c.jobs = match &self.jobs {
            None => None,
            #[cfg(feature = "sqlite")]
            Some(JobsOption::Sqlite(path)) => Some(crate::schedule::JobStore::sqlite(path)),
            #[cfg(feature = "postgres")]
            Some(JobsOption::Postgres(url)) => {
                Some(crate::schedule::JobStore::postgres(url.expose())?)
            }
            #[allow(unreachable_patterns)]
            Some(_) => {
                return Err(Error::Config(
                    "scheduler.jobs: this build of creatorsync-core lacks that engine's feature"
                        .into(),
                ));
            }
        };
        Ok(c)
    }
}

/// Reads the platforms of `native`.
fn native(field: &str, names: &[String]) -> Result<Vec<Platform>> {
    names
        .iter()
        .map(|n| {
            n.parse::<Platform>()
                .map_err(|_| Error::invalid_input(field, format!("unknown platform {n:?}")))
        })
        .collect()
}

/// Targets given as inputs, read like `publish`'s (`field[i]` in errors).
fn targets(field: &str, t: Option<Vec<TargetInput>>) -> Result<Vec<crate::Target>> {
    t.unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, t)| t.to_target(&format!("{field}[{i}]")))
        .collect()
}

/// Schedules `post` for `user_id` at `at` with `options`
/// ([`ScheduleOptionsInput`]); answers the id as JSON text.
pub async fn schedule(
    scheduler: &Scheduler,
    user_id: &str,
    post: PostSpec,
    at: Value,
    options: Value,
) -> Result<Value> {
    let at = parse_at("at", at)?;
    let o: ScheduleOptionsInput = if options.is_null() {
        ScheduleOptionsInput::default()
    } else {
        super::parse("options", options)?
    };
    let natives = native("native", &o.native)?;
    let targets = targets("targets", o.targets)?;
    let post = post.build().await?;
    let mut call = scheduler.schedule(user_id, &post, at).targets(targets);
    if let Some(k) = o.idempotency_key {
        call = call.idempotency_key(k);
    }
    if o.valid_targets_only {
        call = call.valid_targets_only();
    }
    for p in natives {
        call = call.native(p);
    }
    Ok(Value::String(call.await?.0))
}

/// Schedules many posts. `items` are [`BulkItemInput`]s, each with the
/// post the binding read out of it (or `None`: the item's own `post`);
/// `mode` is [`BulkModeInput`] text (null: all or nothing). A bad item
/// shape is an error of the whole call naming `items[i].field`; a post
/// that fails its checks is in the report.
pub async fn schedule_many(
    scheduler: &Scheduler,
    items: Vec<(Value, Option<PostSpec>)>,
    mode: Value,
) -> Result<Value> {
    let mode: BulkModeInput = if mode.is_null() {
        BulkModeInput::default()
    } else {
        super::parse("mode", mode)?
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, (v, spec)) in items.into_iter().enumerate() {
        let field = format!("items[{i}]");
        let input: BulkItemInput = super::parse(&field, v).map_err(|e| within(e, &field))?;
        let spec = match (spec, input.post) {
            (Some(s), _) => s,
            (None, Some(p)) => PostSpec::from_json(p, Default::default())?,
            (None, None) => return Err(Error::invalid_input(format!("{field}.post"), "missing")),
        };
        let at = parse_at(&format!("{field}.at"), input.at)?;
        let mut item = BulkItem::new(input.user_id, spec.build().await?, at)
            .targets(targets(&format!("{field}.targets"), input.targets)?);
        if let Some(k) = input.idempotency_key {
            item = item.idempotency_key(k);
        }
        item.native = native(&format!("{field}.native"), &input.native)?;
        out.push(item);
    }
    let mode = match mode {
        BulkModeInput::AllOrNothing => BulkMode::AllOrNothing,
        BulkModeInput::ValidOnly => BulkMode::ValidOnly,
    };
    Ok(to_json(&BulkReportView::from(
        &scheduler.schedule_many(out, mode).await?,
    )))
}

/// `e` named inside `field` (`items[2]` + `when` = `items[2].when`): the
/// bindings name a bulk item's post errors with it too.
pub fn within(e: Error, field: &str) -> Error {
    match e {
        Error::InvalidInput { field: f, message } if f != field => {
            Error::invalid_input(format!("{field}.{f}"), message)
        }
        e => e,
    }
}

/// One scheduled post's view.
pub async fn get(scheduler: &Scheduler, id: String) -> Result<Value> {
    Ok(post_json(&scheduler.get(&ScheduleId(id)).await?))
}

/// One page of scheduled posts ([`ListQueryInput`]; null: every post).
pub async fn list(scheduler: &Scheduler, query: Value) -> Result<Value> {
    let q: ListQueryInput = if query.is_null() {
        ListQueryInput::default()
    } else {
        super::parse("query", query)?
    };
    let mut query = ListQuery::new();
    if let Some(u) = q.user_id {
        query = query.user(u);
    }
    if let Some(s) = q.state {
        query = query.state(s.parse::<ScheduleState>()?);
    }
    let from = super::metrics::parse_time("due_from", q.due_from.as_deref())?;
    let to = super::metrics::parse_time("due_to", q.due_to.as_deref())?;
    if from.is_some() || to.is_some() {
        query = query.due_between(
            from.unwrap_or(DateTime::<Utc>::MIN_UTC),
            to.unwrap_or(DateTime::<Utc>::MAX_UTC),
        );
    }
    if let Some(n) = q.limit {
        query = query.limit(n);
    }
    if let Some(c) = q.after {
        query = query.after(c);
    }
    Ok(to_json(&PageView::from(&scheduler.list(query).await?)))
}

/// Moves a scheduled post to `at`; answers its view.
pub async fn reschedule(scheduler: &Scheduler, id: String, at: Value) -> Result<Value> {
    let at = parse_at("at", at)?;
    Ok(post_json(&scheduler.reschedule(&ScheduleId(id), at).await?))
}

/// Cancels a post that has not started; answers its view.
pub async fn cancel(scheduler: &Scheduler, id: String) -> Result<Value> {
    Ok(post_json(&scheduler.cancel(&ScheduleId(id)).await?))
}

/// Runs a failed or outcome-unknown post again; answers its view.
pub async fn retry(scheduler: &Scheduler, id: String) -> Result<Value> {
    Ok(post_json(&scheduler.retry(&ScheduleId(id)).await?))
}

/// The workers and the backlog.
pub async fn health(scheduler: &Scheduler) -> Result<Value> {
    Ok(to_json(&SchedulerHealthView::from(
        &scheduler.health().await?,
    )))
}

fn post_json(p: &ScheduledPost) -> Value {
    to_json(&ScheduledPostView::from(p))
}

/// One target's result: a publish report target's fields, plus the mode.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ScheduledTargetView {
    /// The platform.
    pub platform: String,
    /// The account id on the platform.
    pub account_id: String,
    /// Whether the post is live (or accepted by the platform to go live
    /// at the time, `mode` `native`).
    pub ok: bool,
    /// The post id, when published.
    pub post_id: Option<String>,
    /// The post URL, when published.
    pub url: Option<String>,
    /// Why not, when not (code, message and `retryable` as stored; the
    /// other fields null).
    pub error: Option<ErrorView>,
    /// Milliseconds spent on this target.
    pub elapsed_ms: f64,
    /// Whether the result came from the publish log or the platform, not
    /// from a create made in this run.
    pub reused: bool,
    /// When the platform makes it live (native scheduling), RFC 3339;
    /// null when published by a worker.
    pub scheduled_for: Option<DateTime<Utc>>,
    /// The thread's parts after the first, as far as they were tried.
    pub parts: Vec<FollowUpView>,
    /// The first comment, when the post has one and it was tried.
    pub comment: Option<FollowUpView>,
    /// What a draft became on the platform (`unpublished`, `private`,
    /// `inbox`); null when published live.
    pub draft: Option<crate::DraftKind>,
    /// `at_time` (published by a worker when due) or `native` (uploaded
    /// early, made live by the platform).
    pub mode: String,
}

fn follow_up_view(f: &FollowUpOutcome) -> FollowUpView {
    FollowUpView {
        ok: f.ok,
        post_id: f.post_id.clone(),
        url: f.url.clone(),
        error: f.error.as_ref().map(error_view),
    }
}

/// A scheduled post.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ScheduledPostView {
    /// Its id (the idempotency key of its publish).
    pub id: String,
    /// The user it publishes for.
    pub user_id: String,
    /// `scheduled`, `running`, `published`, `failed`, `outcome_unknown`
    /// or `cancelled`.
    pub state: String,
    /// When it is due (UTC, RFC 3339).
    pub due_at: DateTime<Utc>,
    /// The IANA zone, when scheduled by local time.
    pub zone: Option<String>,
    /// The local time asked for (`YYYY-MM-DDTHH:MM:SS`), when scheduled
    /// by local time.
    pub local_time: Option<NaiveDateTime>,
    /// The post's text.
    pub text: String,
    /// Runs started so far.
    pub attempts: u32,
    /// Per-target results of the last run.
    pub results: Vec<ScheduledTargetView>,
    /// Why the whole run failed, when it did before reaching targets.
    pub error: Option<ErrorView>,
    /// When it was scheduled.
    pub created_at: DateTime<Utc>,
    /// When the last run started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it settled.
    pub finished_at: Option<DateTime<Utc>>,
}

/// One page of `list`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ScheduledPageView {
    /// The posts, by due time then id.
    pub items: Vec<ScheduledPostView>,
    /// The cursor of the next page (`after`); null on the last page.
    pub next: Option<String>,
}

/// One item's outcome in a bulk report.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct BulkItemResultView {
    /// Its position in the input.
    pub index: usize,
    /// Its id, when scheduled.
    pub id: Option<String>,
    /// Why not, when it failed its checks (null with no id: it passed but
    /// another item failed an all-or-nothing call).
    pub error: Option<ErrorView>,
}

/// The outcome of a bulk schedule.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct BulkReportView {
    /// How many items were scheduled.
    pub scheduled: usize,
    /// One entry per item, in input order.
    pub items: Vec<BulkItemResultView>,
}

/// The workers and the backlog.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct SchedulerHealthView {
    /// Workers whose heartbeat is recent.
    pub workers_alive: u64,
    /// Due posts no worker runs yet.
    pub due: u64,
    /// Posts a worker is publishing now.
    pub running: u64,
    /// Due posts waiting longer than 5 s.
    pub late: u64,
    /// How long the longest-waiting due post has waited (milliseconds).
    pub oldest_lateness_ms: u64,
    /// Scheduled posts not due yet.
    pub upcoming: u64,
}

type PageView = ScheduledPageView;

fn error_view(e: &ErrorSummary) -> ErrorView {
    ErrorView {
        code: e.code.clone(),
        message: e.message.clone(),
        platform: None,
        status: None,
        retryable: e.retryable,
        retry_after: None,
        resets_at: None,
        bucket: None,
        limit: None,
        post_id: None,
        cause: None,
    }
}

fn target_view(t: &TargetOutcome, due: DateTime<Utc>) -> ScheduledTargetView {
    let native = t.mode == TargetMode::Native;
    ScheduledTargetView {
        platform: t.platform.as_str().to_owned(),
        account_id: t.account_id.clone(),
        ok: t.ok,
        post_id: t.post_id.clone(),
        url: t.url.clone(),
        error: t.error.as_ref().map(error_view),
        elapsed_ms: t.elapsed_ms,
        reused: t.reused,
        scheduled_for: (native && t.ok).then_some(due),
        parts: t.parts.iter().map(follow_up_view).collect(),
        comment: t.comment.as_ref().map(follow_up_view),
        draft: t.draft,
        mode: if native { "native" } else { "at_time" }.to_owned(),
    }
}

impl From<&ScheduledPost> for ScheduledPostView {
    fn from(p: &ScheduledPost) -> Self {
        Self {
            id: p.id.0.clone(),
            user_id: p.user_id.clone(),
            state: p.state.as_str().to_owned(),
            due_at: p.due_at,
            zone: p.zone.clone(),
            local_time: p.local_time,
            text: p.text.clone(),
            attempts: p.attempts,
            results: p.results.iter().map(|t| target_view(t, p.due_at)).collect(),
            error: p.error.as_ref().map(error_view),
            created_at: p.created_at,
            started_at: p.started_at,
            finished_at: p.finished_at,
        }
    }
}

impl From<&Page> for PageView {
    fn from(p: &Page) -> Self {
        Self {
            items: p.items.iter().map(ScheduledPostView::from).collect(),
            next: p.next.clone(),
        }
    }
}

impl From<&BulkItemResult> for BulkItemResultView {
    fn from(r: &BulkItemResult) -> Self {
        Self {
            index: r.index,
            id: r.id.as_ref().map(|i| i.0.clone()),
            error: r.error.as_ref().map(error_view),
        }
    }
}

impl From<&BulkReport> for BulkReportView {
    fn from(r: &BulkReport) -> Self {
        Self {
            scheduled: r.scheduled,
            items: r.items.iter().map(Into::into).collect(),
        }
    }
}

impl From<&Health> for SchedulerHealthView {
    fn from(h: &Health) -> Self {
        Self {
            workers_alive: h.workers_alive,
            due: h.due,
            running: h.running,
            late: h.late,
            oldest_lateness_ms: h.oldest_lateness_ms,
            upcoming: h.upcoming,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn at_is_an_instant_or_a_local_time_in_a_zone() {
        let at = parse_at("at", json!("2026-12-24T09:00:00+01:00")).unwrap();
        assert_eq!(
            at.instant(),
            "2026-12-24T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        for local in ["2026-12-24T09:00", "2026-12-24T09:00:00"] {
            let at = parse_at("at", json!({"local": local, "zone": "Europe/Berlin"})).unwrap();
            assert_eq!(
                at.instant(),
                "2026-12-24T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
            );
        }
        let field = |v| match parse_at("at", v).unwrap_err() {
            Error::InvalidInput { field, .. } => field,
            e => panic!("{e}"),
        };
        assert_eq!(field(json!("2026-12-24 09:00")), "at", "no offset");
        assert_eq!(field(json!(17)), "at");
        assert_eq!(
            field(json!({"local": "2026-12-24T09:00", "zone": "Mars/Olympus"})),
            "at.zone"
        );
        assert_eq!(
            field(json!({"local": "tomorrow", "zone": "Europe/Berlin"})),
            "at.local"
        );
        assert_eq!(field(json!({"local": "2026-12-24T09:00"})), "at");
    }

    #[test]
    fn scheduler_option_checks_its_ranges_and_redacts_the_url() {
        let o: SchedulerOption =
            crate::contract::parse("scheduler", json!({"pollMs": 50, "concurrency": 4})).unwrap();
        let c = o.to_config().unwrap();
        assert_eq!(c.poll, Duration::from_millis(50));
        assert_eq!(c.concurrency, 4);
        let o: SchedulerOption =
            crate::contract::parse("scheduler", json!({"poll_ms": 1})).unwrap();
        assert!(
            matches!(o.to_config(), Err(Error::InvalidInput { ref field, .. }) if field == "scheduler.poll_ms")
        );
        let o: SchedulerOption = crate::contract::parse(
            "scheduler",
            json!({"jobs": {"postgres": "postgres://u:hunter2@127.0.0.1/db"}}),
        )
        .unwrap();
        assert!(!format!("{o:?}").contains("hunter2"));
        let e =
            crate::contract::parse::<SchedulerOption>("scheduler", json!({"jobz": 1})).unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
    }

    #[test]
    fn a_scheduled_post_view_has_the_report_target_shape_and_the_mode() {
        let due: DateTime<Utc> = "2026-12-24T08:00:00Z".parse().unwrap();
        let outcome = |mode| TargetOutcome {
            platform: Platform::YouTube,
            account_id: "c1".into(),
            ok: true,
            post_id: Some("v1".into()),
            url: Some("https://youtu.be/v1".into()),
            error: None,
            elapsed_ms: 3.0,
            reused: false,
            mode,
            parts: vec![FollowUpOutcome {
                ok: true,
                post_id: Some("v2".into()),
                url: Some("https://youtu.be/v2".into()),
                error: None,
            }],
            comment: Some(FollowUpOutcome {
                ok: false,
                post_id: None,
                url: None,
                error: Some(ErrorSummary {
                    code: "RATE_LIMITED".into(),
                    message: "slow down".into(),
                    retryable: true,
                }),
            }),
            draft: None,
        };
        let native = serde_json::to_value(target_view(&outcome(TargetMode::Native), due)).unwrap();
        assert_eq!(native["mode"], "native");
        assert_eq!(native["scheduled_for"], "2026-12-24T08:00:00Z");
        let now = serde_json::to_value(target_view(&outcome(TargetMode::AtTime), due)).unwrap();
        assert_eq!(now["mode"], "at_time");
        assert_eq!(now["scheduled_for"], Value::Null);
        // Follow-ups as stored: a part that landed, a comment that did not.
        assert_eq!(now["parts"][0]["post_id"], "v2");
        assert_eq!(now["comment"]["ok"], false);
        assert_eq!(now["comment"]["error"]["code"], "RATE_LIMITED");
        // The same keys as a publish report's target, plus `mode`.
        let mut keys: Vec<_> = now.as_object().unwrap().keys().cloned().collect();
        keys.retain(|k| k != "mode");
        let report = schemars::schema_for!(super::super::views::TargetResultView);
        let mut want: Vec<_> = report.as_value()["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        want.sort();
        assert_eq!(keys, want);
    }
}
