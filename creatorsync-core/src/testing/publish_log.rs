//! [`PublishLog`] cases: lifecycle, misuse, listing, concurrent `begin`,
//! persistence.

use std::future::Future;
use std::sync::Arc;

use chrono::{Duration, Utc};
use tokio::sync::Barrier;

use super::{RACERS, ROUNDS, key};
use crate::publish_log::{BeginOutcome, PublishLog, PublishState};
use crate::{Error, Platform};

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
    assert_eq!(
        log.begin(idem, &t).await.expect("begin"),
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
    let PublishState::Pending { started_at } = r.state else {
        panic!("state after begin should be Pending, got {:?}", r.state)
    };
    assert!(started_at >= before, "started_at is now");
    match log.begin(idem, &t).await.expect("second begin") {
        BeginOutcome::Pending { since } => assert_eq!(since, started_at, "Pending.since"),
        other => panic!("second begin should be Pending, got {other:?}"),
    }

    log.mark_failed(idem, &t, "TRANSPORT_ERROR", "connection reset", true)
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
    assert_eq!(
        log.begin(idem, &t).await.expect("retry"),
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
        log.begin(idem, &t).await.expect("begin after publish"),
        BeginOutcome::AlreadyPublished {
            post_id: "vid-1".into(),
            url: Some("https://www.youtube.com/watch?v=vid-1".into())
        }
    );
    assert_invalid_input(
        log.mark_failed(idem, &t, "X", "late failure", true).await,
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
    assert_eq!(
        log.begin(idem, &t2).await.expect("begin"),
        BeginOutcome::Fresh,
        "other target, same key"
    );
    log.mark_failed(idem, &t2, "INVALID_POST", "too long", false)
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
    assert_invalid_input(
        log.mark_failed("pm-req", &t, "E", "m", true).await,
        "idempotency_key",
        "mark_failed before begin",
    );
    assert_invalid_input(
        log.begin("", &t).await,
        "idempotency_key",
        "empty idempotency key",
    );
    assert_eq!(
        log.begin("pm-req", &t).await.expect("begin"),
        BeginOutcome::Fresh
    );
    let intruder = key("pm-other-user", Platform::LinkedIn, "org-1");
    assert_invalid_input(
        log.begin("pm-req", &intruder).await,
        "idempotency_key",
        "begin for another user",
    );
    assert_invalid_input(
        log.mark_published("pm-req", &intruder, "urn:2", None).await,
        "idempotency_key",
        "mark_published for another user",
    );
    assert_invalid_input(
        log.mark_failed("pm-req", &intruder, "E", "m", true).await,
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
            log.begin("pls-req", t).await.expect("begin"),
            BeginOutcome::Fresh
        );
    }
    log.begin("pls-other", &targets[0])
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
/// gets `Fresh`, the rest `Pending`. Then, [`ROUNDS`] times, the attempt
/// fails and all race again: exactly one gets `Retry`, the rest `Pending`.
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
                    barrier.wait().await;
                    log.begin("plr-req", &t).await
                })
            })
            .collect();
        let mut owners = Vec::new();
        for task in tasks {
            match task.await.expect("racing task panicked").expect("begin") {
                BeginOutcome::Pending { .. } => {}
                other => owners.push(other),
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
            "round {round}: exactly one caller owns the attempt, the rest see Pending"
        );
        log.mark_failed("plr-req", &t, "TRANSPORT_ERROR", "reset", true)
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
        log.begin("plp-req", &t).await.expect("begin"),
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
        log.begin("plp-req", &t).await.expect("begin"),
        BeginOutcome::AlreadyPublished { .. }
    ));
}
