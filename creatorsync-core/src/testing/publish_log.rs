//! [`PublishLog`] cases: lifecycle, misuse, listing, leases (holder-only
//! calls, release, expiry and takeover), concurrent `begin`, persistence.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::Barrier;

use super::{RACERS, ROUNDS, key};
use crate::publish_log::{BeginOutcome, Lease, PublishLog, PublishRecord, PublishState};
use crate::{AccountKey, Error, Platform};

/// The lease of the cases that do not wait for one to run out.
const LONG: Duration = Duration::from_secs(600);
/// The lease of the expiry cases, and how long they sleep to outlive it.
const SHORT: Duration = Duration::from_millis(50);
const PAST_SHORT: Duration = Duration::from_millis(200);

fn lease() -> Lease {
    Lease::new(LONG)
}

fn assert_invalid_input<T: std::fmt::Debug>(result: crate::Result<T>, field: &str, what: &str) {
    match result {
        Err(Error::InvalidInput { field: f, .. }) => {
            assert_eq!(f, field, "{what}: InvalidInput.field")
        }
        other => panic!("{what}: expected InvalidInput {{ field: {field:?} }}, got {other:?}"),
    }
}

fn assert_in_progress<T: std::fmt::Debug>(
    result: crate::Result<T>,
    platform: Platform,
    what: &str,
) {
    match result {
        Err(Error::InProgress { platform: p, .. }) => {
            assert_eq!(p, platform, "{what}: InProgress.platform")
        }
        other => panic!("{what}: expected Error::InProgress, got {other:?}"),
    }
}

async fn record(log: &dyn PublishLog, idem: &str, t: &AccountKey) -> PublishRecord {
    log.get(idem, t)
        .await
        .expect("get")
        .expect("the record exists")
}

/// The `Pending` fields of a record: (started_at, lease_owner,
/// lease_until, create_sent, reference, last_error).
type PendingFields = (
    chrono::DateTime<Utc>,
    Option<String>,
    chrono::DateTime<Utc>,
    bool,
    Option<String>,
    Option<String>,
);

fn pending(r: &PublishRecord, what: &str) -> PendingFields {
    match &r.state {
        PublishState::Pending {
            started_at,
            lease_owner,
            lease_until,
            create_sent,
            reference,
            last_error,
        } => (
            *started_at,
            lease_owner.clone(),
            *lease_until,
            *create_sent,
            reference.clone(),
            last_error.clone(),
        ),
        other => panic!("{what}: expected Pending, got {other:?}"),
    }
}

/// The life of one target: `Fresh` (leased to the caller), `InProgress`
/// for anyone else, failure, `Retry`, `mark_sent`, publication,
/// `AlreadyPublished`; a published record is never downgraded.
pub async fn publish_log_lifecycle(log: &dyn PublishLog) {
    let t = key("pl-user", Platform::YouTube, "chan-1");
    let idem = "pl-req-1";
    let first = lease();
    assert!(
        log.get(idem, &t).await.expect("get").is_none(),
        "no record before begin"
    );
    let before = Utc::now() - chrono::Duration::seconds(1);
    assert_eq!(
        log.begin(idem, &t, &first).await.expect("begin"),
        BeginOutcome::Fresh,
        "first begin"
    );
    let r = record(log, idem, &t).await;
    assert_eq!(
        (
            r.user_id.as_str(),
            r.idempotency_key.as_str(),
            r.platform,
            r.account_id.as_str()
        ),
        ("pl-user", idem, Platform::YouTube, "chan-1")
    );
    assert_eq!(r.attempts, 1, "attempts after first begin");
    let (started_at, owner, until, sent, reference, last_error) = pending(&r, "after begin");
    assert!(started_at >= before, "started_at is now");
    assert_eq!(owner.as_deref(), Some(first.owner.as_str()), "lease_owner");
    assert!(
        until > Utc::now() + chrono::Duration::seconds(60),
        "lease_until is about now + ttl, got {until}"
    );
    assert!(!sent && reference.is_none() && last_error.is_none());

    // Anyone else, and the holder itself, is told the target is busy.
    for (who, l) in [("another caller", lease()), ("the holder", first.clone())] {
        match log.begin(idem, &t, &l).await.expect("second begin") {
            BeginOutcome::InProgress { lease_until } => {
                assert_eq!(lease_until, until, "{who}: InProgress.lease_until")
            }
            other => panic!("{who}: begin on a live lease should be InProgress, got {other:?}"),
        }
    }
    assert_eq!(record(log, idem, &t).await, r, "InProgress changed nothing");

    log.mark_failed(
        idem,
        &t,
        &first,
        "TRANSPORT_ERROR",
        "connection reset",
        true,
    )
    .await
    .expect("mark_failed");
    assert_eq!(
        record(log, idem, &t).await.state,
        PublishState::Failed {
            error_code: "TRANSPORT_ERROR".into(),
            message: "connection reset".into(),
            retryable: true
        },
        "state after mark_failed"
    );
    let second = lease();
    assert_eq!(
        log.begin(idem, &t, &second).await.expect("retry"),
        BeginOutcome::Retry { attempt: 2 },
        "begin after failure"
    );
    let (_, owner, _, sent, reference, _) = pending(&record(log, idem, &t).await, "after Retry");
    assert_eq!(
        owner.as_deref(),
        Some(second.owner.as_str()),
        "Retry leases"
    );
    assert!(!sent && reference.is_none(), "a retry starts clean");

    log.mark_sent(idem, &t, &second, Some("upload-7"))
        .await
        .expect("mark_sent");
    log.mark_sent(idem, &t, &second, None)
        .await
        .expect("mark_sent again");
    let (_, _, _, sent, reference, _) = pending(&record(log, idem, &t).await, "after mark_sent");
    assert!(sent, "create_sent after mark_sent");
    assert_eq!(
        reference.as_deref(),
        Some("upload-7"),
        "mark_sent(None) keeps the reference"
    );

    log.mark_published(
        idem,
        &t,
        "vid-1",
        Some("https://www.youtube.com/watch?v=vid-1"),
    )
    .await
    .expect("mark_published");
    let r = record(log, idem, &t).await;
    match &r.state {
        PublishState::Published { post_id, url, .. } => {
            assert_eq!(post_id, "vid-1");
            assert_eq!(
                url.as_deref(),
                Some("https://www.youtube.com/watch?v=vid-1")
            );
        }
        other => panic!("state after mark_published should be Published, got {other:?}"),
    }
    assert_eq!(r.attempts, 2, "attempts after publish");
    assert_eq!(
        log.begin(idem, &t, &lease())
            .await
            .expect("begin after publish"),
        BeginOutcome::AlreadyPublished {
            post_id: "vid-1".into(),
            url: Some("https://www.youtube.com/watch?v=vid-1".into())
        }
    );
    assert_invalid_input(
        log.mark_failed(idem, &t, &second, "X", "late failure", true)
            .await,
        "state",
        "mark_failed after publish",
    );
    assert_invalid_input(
        log.mark_published(idem, &t, "vid-2", None).await,
        "state",
        "re-publish with another id",
    );
    log.mark_published(idem, &t, "vid-1", None)
        .await
        .expect("repeating mark_published is a no-op");
    assert_in_progress(
        log.renew(idem, &t, &second).await,
        Platform::YouTube,
        "renew after publish (the lease ended)",
    );
    assert_eq!(
        record(log, idem, &t).await,
        r,
        "nothing changed after publish"
    );

    // A failure that is not retryable is recorded as such; begin still
    // hands out a retry (the caller decides whether to use it).
    let t2 = key("pl-user", Platform::X, "x-1");
    let l2 = lease();
    assert_eq!(
        log.begin(idem, &t2, &l2).await.expect("begin"),
        BeginOutcome::Fresh,
        "other target, same key"
    );
    log.mark_failed(idem, &t2, &l2, "INVALID_POST", "too long", false)
        .await
        .expect("mark_failed");
    match record(log, idem, &t2).await.state {
        PublishState::Failed { retryable, .. } => assert!(!retryable),
        other => panic!("expected Failed, got {other:?}"),
    }
}

/// Misuse is refused with [`Error::InvalidInput`]: any call but `begin`
/// before `begin`, an idempotency key reused for another user's target, an
/// empty key, a lease with no owner or no ttl.
pub async fn publish_log_misuse(log: &dyn PublishLog) {
    let t = key("pm-user", Platform::LinkedIn, "org-1");
    let l = lease();
    assert_invalid_input(
        log.mark_published("pm-req", &t, "urn:1", None).await,
        "idempotency_key",
        "mark_published before begin",
    );
    assert_invalid_input(
        log.mark_failed("pm-req", &t, &l, "E", "m", true).await,
        "idempotency_key",
        "mark_failed before begin",
    );
    assert_invalid_input(
        log.renew("pm-req", &t, &l).await,
        "idempotency_key",
        "renew before begin",
    );
    assert_invalid_input(
        log.mark_sent("pm-req", &t, &l, None).await,
        "idempotency_key",
        "mark_sent before begin",
    );
    assert_invalid_input(
        log.release("pm-req", &t, &l, "E", "m").await,
        "idempotency_key",
        "release before begin",
    );
    assert_invalid_input(
        log.begin("", &t, &l).await,
        "idempotency_key",
        "empty idempotency key",
    );
    assert_invalid_input(
        log.begin("pm-req", &t, &Lease::new(Duration::ZERO)).await,
        "lease",
        "a lease of no time",
    );
    let nobody = Lease {
        owner: String::new(),
        ttl: LONG,
    };
    assert_invalid_input(
        log.begin("pm-req", &t, &nobody).await,
        "lease",
        "a lease without owner",
    );
    assert!(
        log.get("pm-req", &t).await.expect("get").is_none(),
        "refused begins created nothing"
    );
    assert_eq!(
        log.begin("pm-req", &t, &l).await.expect("begin"),
        BeginOutcome::Fresh
    );
    let before = record(log, "pm-req", &t).await;
    let intruder = key("pm-other-user", Platform::LinkedIn, "org-1");
    assert_invalid_input(
        log.begin("pm-req", &intruder, &lease()).await,
        "idempotency_key",
        "begin for another user",
    );
    assert_invalid_input(
        log.mark_published("pm-req", &intruder, "urn:2", None).await,
        "idempotency_key",
        "mark_published for another user",
    );
    // Even with the holder's lease, another user's key is refused.
    assert_invalid_input(
        log.mark_failed("pm-req", &intruder, &l, "E", "m", true)
            .await,
        "idempotency_key",
        "mark_failed for another user",
    );
    assert_invalid_input(
        log.renew("pm-req", &intruder, &l).await,
        "idempotency_key",
        "renew for another user",
    );
    assert_invalid_input(
        log.mark_sent("pm-req", &intruder, &l, Some("r")).await,
        "idempotency_key",
        "mark_sent for another user",
    );
    assert_invalid_input(
        log.release("pm-req", &intruder, &l, "E", "m").await,
        "idempotency_key",
        "release for another user",
    );
    assert_eq!(
        record(log, "pm-req", &t).await,
        before,
        "misuse changed nothing"
    );
}

/// `list(key)` returns every target of one request, ordered by
/// (platform, account id), and nothing of other requests.
pub async fn publish_log_list(log: &dyn PublishLog) {
    let targets = [
        key("pls-user", Platform::TikTok, "t-1"),
        key("pls-user", Platform::Facebook, "page-2"),
        key("pls-user", Platform::X, "x-1"),
        key("pls-user", Platform::Facebook, "page-1"),
    ];
    for t in &targets {
        assert_eq!(
            log.begin("pls-req", t, &lease()).await.expect("begin"),
            BeginOutcome::Fresh
        );
    }
    log.begin("pls-other", &targets[0], &lease())
        .await
        .expect("begin other");
    log.mark_published("pls-req", &targets[2], "1", None)
        .await
        .expect("publish");
    let got: Vec<(Platform, String)> = log
        .list("pls-req")
        .await
        .expect("list")
        .into_iter()
        .map(|r| (r.platform, r.account_id))
        .collect();
    let mut want: Vec<(Platform, String)> = targets
        .iter()
        .map(|t| (t.platform, t.account_id.clone()))
        .collect();
    want.sort();
    assert_eq!(
        got, want,
        "list returns the request's targets in (platform, account) order"
    );
    assert_eq!(log.list("pls-other").await.expect("list").len(), 1);
    assert!(log.list("pls-none").await.expect("list").is_empty());
}

/// Only the holder may `renew`, `mark_sent`, `mark_failed` or `release`;
/// anyone else gets [`Error::InProgress`] and changes nothing. Anyone may
/// `mark_published` (the post exists).
pub async fn publish_log_lease_holder(log: &dyn PublishLog) {
    let t = key("plh-user", Platform::Facebook, "page-1");
    let idem = "plh-req";
    let holder = lease();
    let other = lease();
    assert_eq!(
        log.begin(idem, &t, &holder).await.expect("begin"),
        BeginOutcome::Fresh
    );
    let (_, _, until, ..) = pending(&record(log, idem, &t).await, "after begin");
    log.renew(idem, &t, &holder).await.expect("renew by holder");
    let (_, owner, renewed, ..) = pending(&record(log, idem, &t).await, "after renew");
    assert!(renewed >= until, "renew moves lease_until forward");
    assert_eq!(owner.as_deref(), Some(holder.owner.as_str()));
    let before = record(log, idem, &t).await;

    match log.renew(idem, &t, &other).await {
        Err(Error::InProgress {
            platform,
            retry_after,
        }) => {
            assert_eq!(platform, Platform::Facebook);
            assert!(
                retry_after.is_some_and(|d| d > Duration::from_secs(60)),
                "InProgress.retry_after is the holder's remaining lease, got {retry_after:?}"
            );
        }
        other => panic!("renew by a non-holder: expected InProgress, got {other:?}"),
    }
    assert_in_progress(
        log.mark_sent(idem, &t, &other, Some("ref")).await,
        Platform::Facebook,
        "mark_sent by a non-holder",
    );
    assert_in_progress(
        log.mark_failed(idem, &t, &other, "E", "m", true).await,
        Platform::Facebook,
        "mark_failed by a non-holder",
    );
    assert_in_progress(
        log.release(idem, &t, &other, "E", "m").await,
        Platform::Facebook,
        "release by a non-holder",
    );
    assert_eq!(
        record(log, idem, &t).await,
        before,
        "refused calls changed nothing"
    );

    log.mark_published(idem, &t, "123_456", None)
        .await
        .expect("mark_published by anyone");
    assert!(matches!(
        record(log, idem, &t).await.state,
        PublishState::Published { .. }
    ));
    for (what, result) in [
        ("renew", log.renew(idem, &t, &holder).await),
        ("mark_sent", log.mark_sent(idem, &t, &holder, None).await),
        ("release", log.release(idem, &t, &holder, "E", "m").await),
    ] {
        assert_in_progress(result, Platform::Facebook, &format!("{what} after publish"));
    }
}

/// `release` leaves the record `Pending` without lease and with
/// `last_error`; the next `begin` gets `Reconcile` at once, with
/// `create_sent` and `reference` kept; the old holder is refused after.
pub async fn publish_log_release(log: &dyn PublishLog) {
    let t = key("plrel-user", Platform::TikTok, "creator-1");
    let idem = "plrel-req";
    let first = lease();
    assert_eq!(
        log.begin(idem, &t, &first).await.expect("begin"),
        BeginOutcome::Fresh
    );
    let (started_at, ..) = pending(&record(log, idem, &t).await, "after begin");
    log.mark_sent(idem, &t, &first, Some("publish-id-9"))
        .await
        .expect("mark_sent");
    log.release(idem, &t, &first, "TIMEOUT", "no answer to the create")
        .await
        .expect("release by holder");
    let (_, owner, _, sent, reference, last_error) =
        pending(&record(log, idem, &t).await, "after release");
    assert_eq!(owner, None, "release clears lease_owner");
    assert!(sent, "release keeps create_sent");
    assert_eq!(reference.as_deref(), Some("publish-id-9"));
    assert_eq!(
        last_error.as_deref(),
        Some("TIMEOUT: no answer to the create"),
        "last_error is `code: message`"
    );

    let second = lease();
    assert_eq!(
        log.begin(idem, &t, &second)
            .await
            .expect("begin after release"),
        BeginOutcome::Reconcile {
            since: started_at,
            attempt: 2,
            create_sent: true,
            reference: Some("publish-id-9".into()),
        },
        "a released record is reconciled at once"
    );
    let r = record(log, idem, &t).await;
    let (since, owner, _, _, _, last_error) = pending(&r, "after takeover");
    assert_eq!(since, started_at, "a takeover keeps started_at");
    assert_eq!(owner.as_deref(), Some(second.owner.as_str()));
    assert_eq!(
        last_error.as_deref(),
        Some("TIMEOUT: no answer to the create"),
        "a takeover keeps last_error"
    );
    assert_eq!(r.attempts, 2);
    assert!(matches!(
        log.begin(idem, &t, &lease()).await.expect("begin"),
        BeginOutcome::InProgress { .. }
    ));
    assert_in_progress(
        log.mark_failed(idem, &t, &first, "E", "m", true).await,
        Platform::TikTok,
        "mark_failed by the releaser",
    );
    assert_in_progress(
        log.renew(idem, &t, &first).await,
        Platform::TikTok,
        "renew by the releaser",
    );

    // The reconciler found nothing: the next attempt starts clean.
    log.mark_failed(idem, &t, &second, "RECONCILED_ABSENT", "not found", true)
        .await
        .expect("mark_failed by the new holder");
    assert_eq!(
        log.begin(idem, &t, &lease()).await.expect("begin"),
        BeginOutcome::Retry { attempt: 3 }
    );
    let (_, _, _, sent, reference, last_error) =
        pending(&record(log, idem, &t).await, "after Retry");
    assert!(!sent && reference.is_none() && last_error.is_none());
}

/// A lease that runs out (ttl 50 ms) is still its holder's until another
/// `begin` takes it over; the takeover gets `Reconcile` with `create_sent`
/// and `reference` kept, and exactly one of many racers gets it; the old
/// holder can then neither renew, mark_sent, mark_failed nor release.
pub async fn publish_log_lease_expiry(log: Arc<dyn PublishLog>) {
    let t = key("ple-user", Platform::Instagram, "ig-1");
    let idem = "ple-req";
    let first = Lease::new(SHORT);
    assert_eq!(
        log.begin(idem, &t, &first).await.expect("begin"),
        BeginOutcome::Fresh
    );
    let (started_at, ..) = pending(&record(&*log, idem, &t).await, "after begin");
    tokio::time::sleep(PAST_SHORT).await;
    log.renew(idem, &t, &first)
        .await
        .expect("an expired lease not taken over is still renewable");
    tokio::time::sleep(PAST_SHORT).await;
    log.mark_sent(idem, &t, &first, Some("container-3"))
        .await
        .expect("mark_sent by the holder of an expired lease, not taken over");
    tokio::time::sleep(PAST_SHORT).await;

    // Many callers race for the expired lease: exactly one takes it over.
    let barrier = Arc::new(Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let log = Arc::clone(&log);
            let barrier = Arc::clone(&barrier);
            let t = t.clone();
            tokio::spawn(async move {
                let l = lease();
                barrier.wait().await;
                (log.begin(idem, &t, &l).await, l)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (outcome, l) = task.await.expect("racing task panicked");
        match outcome.expect("begin") {
            BeginOutcome::InProgress { .. } => {}
            other => winners.push((other, l)),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one caller takes an expired lease over, got {winners:?}"
    );
    let (outcome, second) = winners.pop().expect("one winner");
    assert_eq!(
        outcome,
        BeginOutcome::Reconcile {
            since: started_at,
            attempt: 2,
            create_sent: true,
            reference: Some("container-3".into()),
        },
        "takeover after expiry"
    );
    let before = record(&*log, idem, &t).await;
    assert_in_progress(
        log.mark_failed(idem, &t, &first, "E", "late", true).await,
        Platform::Instagram,
        "mark_failed by the old holder after takeover",
    );
    assert_in_progress(
        log.renew(idem, &t, &first).await,
        Platform::Instagram,
        "renew by the old holder after takeover",
    );
    assert_in_progress(
        log.mark_sent(idem, &t, &first, Some("other")).await,
        Platform::Instagram,
        "mark_sent by the old holder after takeover",
    );
    assert_in_progress(
        log.release(idem, &t, &first, "E", "m").await,
        Platform::Instagram,
        "release by the old holder after takeover",
    );
    assert_eq!(
        record(&*log, idem, &t).await,
        before,
        "the old holder changed nothing"
    );
    log.renew(idem, &t, &second)
        .await
        .expect("the new holder renews");
    log.mark_published(idem, &t, "1789", None)
        .await
        .expect("mark_published");
}

/// [`RACERS`] tasks, each with its own lease, call `begin` on one new
/// target at once: exactly one gets `Fresh`, the rest `InProgress`. Then,
/// [`ROUNDS`] times, the winner's attempt fails and all race again: exactly
/// one gets `Retry`, the rest `InProgress`.
pub async fn publish_log_concurrent_begin(log: Arc<dyn PublishLog>) {
    let t = key("plr-user", Platform::Instagram, "ig-race");
    for round in 0..=ROUNDS {
        let barrier = Arc::new(Barrier::new(RACERS));
        let tasks: Vec<_> = (0..RACERS)
            .map(|_| {
                let log = Arc::clone(&log);
                let barrier = Arc::clone(&barrier);
                let t = t.clone();
                tokio::spawn(async move {
                    let l = lease();
                    barrier.wait().await;
                    (log.begin("plr-req", &t, &l).await, l)
                })
            })
            .collect();
        let mut owners = Vec::new();
        let mut holder = None;
        for task in tasks {
            let (outcome, l) = task.await.expect("racing task panicked");
            match outcome.expect("begin") {
                BeginOutcome::InProgress { .. } => {}
                other => {
                    owners.push(other);
                    holder = Some(l);
                }
            }
        }
        let want = if round == 0 {
            BeginOutcome::Fresh
        } else {
            BeginOutcome::Retry {
                attempt: u32::try_from(round).unwrap_or(u32::MAX) + 1,
            }
        };
        assert_eq!(
            owners,
            vec![want],
            "round {round}: exactly one caller holds the attempt, the rest see InProgress"
        );
        let holder = holder.expect("one holder");
        log.mark_failed("plr-req", &t, &holder, "TRANSPORT_ERROR", "reset", true)
            .await
            .expect("mark_failed");
    }
    let r = record(&*log, "plr-req", &t).await;
    assert_eq!(
        r.attempts,
        u32::try_from(ROUNDS).unwrap_or(u32::MAX) + 1,
        "one attempt per round"
    );
}

/// A record written before the log is dropped is read back from the log
/// `reopen` returns (same database). In-memory logs skip this case.
pub async fn publish_log_persistence<F, Fut>(log: Arc<dyn PublishLog>, reopen: F)
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Arc<dyn PublishLog>>,
{
    let t = key("plp-user", Platform::Facebook, "page-1");
    let pending_t = key("plp-user", Platform::X, "x-1");
    let l = lease();
    assert_eq!(
        log.begin("plp-req", &t, &l).await.expect("begin"),
        BeginOutcome::Fresh
    );
    log.mark_published(
        "plp-req",
        &t,
        "123_456",
        Some("https://facebook.com/123_456"),
    )
    .await
    .expect("publish");
    assert_eq!(
        log.begin("plp-req", &pending_t, &l).await.expect("begin"),
        BeginOutcome::Fresh
    );
    log.mark_sent("plp-req", &pending_t, &l, Some("ref-1"))
        .await
        .expect("mark_sent");
    let before = log.list("plp-req").await.expect("list");
    drop(log);
    let log = reopen().await;
    let after = log.list("plp-req").await.expect("list after reopen");
    assert_eq!(after, before, "records survive reopen unchanged");
    assert!(matches!(
        log.begin("plp-req", &t, &lease()).await.expect("begin"),
        BeginOutcome::AlreadyPublished { .. }
    ));
    assert!(
        matches!(
            log.begin("plp-req", &pending_t, &lease())
                .await
                .expect("begin"),
            BeginOutcome::InProgress { .. }
        ),
        "a live lease survives reopen"
    );
    log.renew("plp-req", &pending_t, &l)
        .await
        .expect("the holder still holds it after reopen");
}
