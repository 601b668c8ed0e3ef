//! [`PublishLog`] cases: lifecycle, misuse, listing, concurrent `begin`,
//! persistence.

use std::future::Future;
use std::sync::Arc;

use chrono::{Duration, Utc};
use tokio::sync::Barrier;

use super::{RACERS, ROUNDS, key};
use crate::publish_log::{BeginOutcome, Lease, PublishLog, PublishState};
use crate::{Error, Platform};

/// A lease long enough for any test step.
fn lease() -> Lease {
    Lease::new(std::time::Duration::from_secs(60))
}

fn assert_in_progress<T: std::fmt::Debug>(result: crate::Result<T>, what: &str) {
    assert!(
        matches!(result, Err(Error::InProgress { .. })),
        "{what}: expected InProgress, got {result:?}"
    );
}

fn assert_invalid_input<T: std::fmt::Debug>(result: crate::Result<T>, field: &str, what: &str) {
    match result {
        Err(Error::InvalidInput { field: f, .. }) => {
            assert_eq!(f, field, "{what}: InvalidInput.field")
        }
        other => panic!("{what}: expected InvalidInput {{ field: {field:?} }}, got {other:?}"),
    }
}

/// The life of one target: `Fresh`, `Pending`, failure, `Retry`,
/// publication, `AlreadyPublished`; a published record is never downgraded.
pub async fn publish_log_lifecycle(log: &dyn PublishLog) {
    let t = key("pl-user", Platform::YouTube, "chan-1");
    let idem = "pl-req-1";
    assert!(
        log.get(idem, &t).await.expect("get").is_none(),
        "no record before begin"
    );
    let before = Utc::now() - Duration::seconds(1);
    let held = lease();
    assert_eq!(
        log.begin(idem, &t, &held).await.expect("begin"),
        BeginOutcome::Fresh,
        "first begin"
    );
    let r = log
        .get(idem, &t)
        .await
        .expect("get")
        .expect("record after begin");
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
    let PublishState::Pending {
        started_at,
        lease_owner,
        lease_until,
        create_sent,
        ..
    } = r.state
    else {
        panic!("state after begin should be Pending, got {:?}", r.state)
    };
    assert!(started_at >= before, "started_at is now");
    assert_eq!(
        lease_owner.as_deref(),
        Some(held.owner.as_str()),
        "lease owner"
    );
    assert!(lease_until > Utc::now(), "the lease is live");
    assert!(!create_sent, "nothing sent yet");
    match log.begin(idem, &t, &lease()).await.expect("second begin") {
        BeginOutcome::InProgress { lease_until: until } => {
            assert_eq!(until, lease_until, "InProgress.lease_until")
        }
        other => panic!("second begin should be InProgress, got {other:?}"),
    }

    log.mark_failed(idem, &t, &held, "TRANSPORT_ERROR", "connection reset", true)
        .await
        .expect("mark_failed");
    let r = log.get(idem, &t).await.expect("get").expect("record");
    assert_eq!(
        r.state,
        PublishState::Failed {
            error_code: "TRANSPORT_ERROR".into(),
            message: "connection reset".into(),
            retryable: true
        },
        "state after mark_failed"
    );
    let held = lease();
    assert_eq!(
        log.begin(idem, &t, &held).await.expect("retry"),
        BeginOutcome::Retry { attempt: 2 },
        "begin after failure"
    );
    assert!(
        matches!(
            log.get(idem, &t).await.expect("get").expect("record").state,
            PublishState::Pending { .. }
        ),
        "Pending after Retry"
    );

    log.mark_published(
        idem,
        &t,
        "vid-1",
        Some("https://www.youtube.com/watch?v=vid-1"),
    )
    .await
    .expect("mark_published");
    let r = log.get(idem, &t).await.expect("get").expect("record");
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
        log.mark_failed(idem, &t, &held, "X", "late failure", true)
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
    assert!(matches!(
        log.get(idem, &t).await.expect("get").expect("record").state,
        PublishState::Published { .. }
    ));

    // A failure that is not retryable is recorded as such; begin still
    // hands out a retry (the caller decides whether to use it).
    let t2 = key("pl-user", Platform::X, "x-1");
    let held2 = lease();
    assert_eq!(
        log.begin(idem, &t2, &held2).await.expect("begin"),
        BeginOutcome::Fresh,
        "other target, same key"
    );
    log.mark_failed(idem, &t2, &held2, "INVALID_POST", "too long", false)
        .await
        .expect("mark_failed");
    match log
        .get(idem, &t2)
        .await
        .expect("get")
        .expect("record")
        .state
    {
        PublishState::Failed { retryable, .. } => assert!(!retryable),
        other => panic!("expected Failed, got {other:?}"),
    }
}

/// Misuse is refused with [`Error::InvalidInput`]: `mark_*` before `begin`,
/// an idempotency key reused for another user's target, an empty key.
pub async fn publish_log_misuse(log: &dyn PublishLog) {
    let t = key("pm-user", Platform::LinkedIn, "org-1");
    assert_invalid_input(
        log.mark_published("pm-req", &t, "urn:1", None).await,
        "idempotency_key",
        "mark_published before begin",
    );
    let held = lease();
    assert_invalid_input(
        log.mark_failed("pm-req", &t, &held, "E", "m", true).await,
        "idempotency_key",
        "mark_failed before begin",
    );
    assert_invalid_input(
        log.begin("", &t, &held).await,
        "idempotency_key",
        "empty idempotency key",
    );
    assert_eq!(
        log.begin("pm-req", &t, &held).await.expect("begin"),
        BeginOutcome::Fresh
    );
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
    assert_invalid_input(
        log.mark_failed("pm-req", &intruder, &held, "E", "m", true)
            .await,
        "idempotency_key",
        "mark_failed for another user",
    );
    assert!(
        matches!(
            log.get("pm-req", &t)
                .await
                .expect("get")
                .expect("record")
                .state,
            PublishState::Pending { .. }
        ),
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

/// [`RACERS`] tasks call `begin` on one new target at once: exactly one
/// gets `Fresh`, the rest `InProgress`. Then, [`ROUNDS`] times, the attempt
/// fails and all race again: exactly one gets `Retry`, the rest
/// `InProgress`.
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
                    let held = lease();
                    barrier.wait().await;
                    log.begin("plr-req", &t, &held).await.map(|o| (o, held))
                })
            })
            .collect();
        let mut owners = Vec::new();
        let mut holder = None;
        for task in tasks {
            match task.await.expect("racing task panicked").expect("begin") {
                (BeginOutcome::InProgress { .. }, _) => {}
                (other, held) => {
                    owners.push(other);
                    holder = Some(held);
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
            "round {round}: exactly one caller owns the attempt, the rest see InProgress"
        );
        let holder = holder.expect("one holder");
        log.mark_failed("plr-req", &t, &holder, "TRANSPORT_ERROR", "reset", true)
            .await
            .expect("mark_failed");
    }
    let r = log.get("plr-req", &t).await.expect("get").expect("record");
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
    assert_eq!(
        log.begin("plp-req", &t, &lease()).await.expect("begin"),
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
    let before = log.get("plp-req", &t).await.expect("get").expect("record");
    drop(log);
    let log = reopen().await;
    let after = log
        .get("plp-req", &t)
        .await
        .expect("get after reopen")
        .expect("record after reopen");
    assert_eq!(after, before, "record survives reopen unchanged");
    assert!(matches!(
        log.begin("plp-req", &t, &lease()).await.expect("begin"),
        BeginOutcome::AlreadyPublished { .. }
    ));
}

/// Leases: only the holder renews, marks or releases; a live lease is never
/// taken over; an expired or released one is, with the create marks kept;
/// the old holder is then refused; anyone records a post that exists.
pub async fn publish_log_leases(log: &dyn PublishLog) {
    let t = key("pll-user", Platform::TikTok, "tt-1");
    let idem = "pll-req";
    let short = Lease::new(std::time::Duration::from_millis(300));
    assert_eq!(
        log.begin(idem, &t, &short).await.expect("begin"),
        BeginOutcome::Fresh
    );
    let other = lease();
    assert_in_progress(log.renew(idem, &t, &other).await, "renew by another");
    assert_in_progress(
        log.mark_sent(idem, &t, &other, None).await,
        "mark_sent by another",
    );
    assert_in_progress(
        log.mark_failed(idem, &t, &other, "E", "m", true).await,
        "mark_failed by another",
    );
    assert_in_progress(
        log.release(idem, &t, &other, "E", "m").await,
        "release by another",
    );
    log.renew(idem, &t, &short)
        .await
        .expect("renew by the holder");
    log.mark_sent(idem, &t, &short, Some("publish-77"))
        .await
        .expect("mark_sent by the holder");
    log.mark_sent(idem, &t, &short, None)
        .await
        .expect("mark_sent again keeps the reference");
    assert!(matches!(
        log.begin(idem, &t, &other).await.expect("begin"),
        BeginOutcome::InProgress { .. }
    ));
    // The holder stops renewing (a crashed worker): the lease runs out.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    match log.begin(idem, &t, &other).await.expect("take over") {
        BeginOutcome::Reconcile {
            attempt,
            create_sent,
            reference,
            ..
        } => {
            assert_eq!(attempt, 2, "a take-over is a new attempt");
            assert!(create_sent, "the create mark survives the take-over");
            assert_eq!(reference.as_deref(), Some("publish-77"), "reference kept");
        }
        got => panic!("expected Reconcile after expiry, got {got:?}"),
    }
    assert_in_progress(
        log.mark_failed(idem, &t, &short, "E", "late", true).await,
        "the old holder after a take-over",
    );
    assert_in_progress(log.renew(idem, &t, &short).await, "old holder renews");
    // The new holder gives up with the outcome open: Reconcile at once.
    log.release(idem, &t, &other, "OUTCOME_UNKNOWN", "lookup failed")
        .await
        .expect("release");
    match log.get(idem, &t).await.expect("get").expect("record").state {
        PublishState::Pending {
            lease_owner,
            last_error,
            ..
        } => {
            assert_eq!(lease_owner, None, "released");
            assert_eq!(
                last_error.as_deref(),
                Some("OUTCOME_UNKNOWN: lookup failed")
            );
        }
        got => panic!("expected Pending after release, got {got:?}"),
    }
    let third = lease();
    assert!(matches!(
        log.begin(idem, &t, &third).await.expect("begin"),
        BeginOutcome::Reconcile {
            create_sent: true,
            ..
        }
    ));
    // A post that exists is recorded by anyone (here the old holder).
    log.mark_published(idem, &t, "v-1", None)
        .await
        .expect("mark_published by anyone");
    assert!(
        log.renew(idem, &t, &third).await.is_err(),
        "nothing to renew after publication"
    );
}
