//! The compare-and-swap races of the state machine, on the in-memory
//! store: a `cancel` or `reschedule` and a worker claiming the same due
//! post; exactly one of them wins, every time.

use std::sync::Arc;

use chrono::Utc;

use super::engine::Job;
use super::record::{Record, StoredPost};
use super::*;
use crate::publish_log::MemoryPublishLog;

async fn scheduler() -> Scheduler {
    CreatorSync::builder()
        .state_secret([7u8; 32])
        .store(Arc::new(crate::MemoryTokenStore::new()))
        .publish_log(Arc::new(MemoryPublishLog::new()))
        .build()
        .await
        .unwrap()
        .scheduler()
}

fn due_record(id: &str) -> Record {
    let now = Utc::now();
    Record {
        id: id.to_owned(),
        user_id: "u".into(),
        post: StoredPost::of(&Post::text("hi")).unwrap(),
        targets: Vec::new(),
        valid_only: false,
        native: Vec::new(),
        due_at: now - chrono::Duration::seconds(1),
        quota_keys: Vec::new(),
        zone: None,
        local_time: None,
        state: ScheduleState::Scheduled,
        generation: 0,
        attempts: 0,
        worker: None,
        lease_until: None,
        results: Vec::new(),
        error: None,
        created_at: now,
        updated_at: now,
        started_at: None,
        finished_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_racing_a_claim_has_exactly_one_winner() {
    let s = scheduler().await;
    let (mut cancels, mut claims) = (0, 0);
    for i in 0..200 {
        let id = format!("race-{i}");
        s.records.insert(&due_record(&id)).await.unwrap();
        let job = Job {
            id: id.clone(),
            generation: 0,
        };
        let (a, b) = (s.clone(), s.clone());
        let sid = ScheduleId(id.clone());
        let cancel = tokio::spawn(async move { a.cancel(&sid).await.is_ok() });
        let claim = tokio::spawn(async move { b.claim_for_test(&job, "w1").await });
        let (cancelled, claimed) = (cancel.await.unwrap(), claim.await.unwrap());
        assert!(
            cancelled ^ claimed,
            "round {i}: cancelled={cancelled} claimed={claimed}"
        );
        let state = s.get(&ScheduleId(id)).await.unwrap().state;
        let expect = if cancelled {
            ScheduleState::Cancelled
        } else {
            ScheduleState::Running
        };
        assert_eq!(state, expect);
        cancels += usize::from(cancelled);
        claims += usize::from(claimed);
    }
    assert_eq!(cancels + claims, 200);
}

#[tokio::test]
async fn a_stale_or_settled_job_does_nothing_and_a_dead_workers_post_is_taken_over() {
    let s = scheduler().await;
    let mut rec = due_record("r");
    rec.generation = 1; // rescheduled once: a generation-0 job is stale
    s.records.insert(&rec).await.unwrap();
    assert!(
        !s.claim_for_test(
            &Job {
                id: "r".into(),
                generation: 0
            },
            "w1"
        )
        .await
    );
    assert!(
        s.claim_for_test(
            &Job {
                id: "r".into(),
                generation: 1
            },
            "w1"
        )
        .await
    );
    // Held by a live worker: another waits.
    assert!(
        !s.claim_for_test(
            &Job {
                id: "r".into(),
                generation: 1
            },
            "w2"
        )
        .await
    );
    // Its lease ran out (the worker died): the next delivery takes over.
    s.records
        .update("r", |r| {
            let mut n = r.clone();
            n.lease_until = Some(Utc::now() - chrono::Duration::seconds(1));
            Ok(n)
        })
        .await
        .unwrap();
    assert!(
        s.claim_for_test(
            &Job {
                id: "r".into(),
                generation: 1
            },
            "w2"
        )
        .await
    );
    let r = s.records.get("r").await.unwrap().unwrap().0;
    assert_eq!((r.worker.as_deref(), r.attempts), (Some("w2"), 2));
    // A cancelled post is never claimed; a running one cannot be cancelled.
    assert!(s.cancel(&ScheduleId("r".into())).await.is_err());
}

#[test]
fn native_scheduling_is_what_the_platform_modules_offer() {
    use crate::Platform;
    for p in [Platform::YouTube, Platform::Facebook] {
        assert!(super::run::native_supported(p).is_ok(), "{p}");
    }
    for p in [
        Platform::X,
        Platform::LinkedIn,
        Platform::Instagram,
        Platform::TikTok,
    ] {
        assert!(
            matches!(
                super::run::native_supported(p),
                Err(crate::Error::Unsupported { .. })
            ),
            "{p}"
        );
    }
}
