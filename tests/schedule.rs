//! The scheduler against the emulator, on the embedded SQLite store and job
//! engine: DST-correct due times, cancel and reschedule racing a due job,
//! an open outcome reconciled (never re-created), schedule-time validation
//! and quota errors, bulk in both modes.

mod schedule_support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use creatorsync::schedule::{BulkItem, BulkMode, ScheduleAt, ScheduleState, TargetMode};
use creatorsync::{Error, Platform, Post};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use schedule_support::{USER, client, connect_x, scheduler_config, spawn_worker, wait_for};

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Moves the emulator clock (which the SDK reads) to `seconds` before `t`.
fn clock_to_just_before(
    emu: &creatorsync_emulator::RunningEmulator,
    t: DateTime<Utc>,
    seconds: i64,
) {
    let wait = t - chrono::Duration::seconds(seconds) - emu.clock().now();
    emu.clock()
        .advance(wait.to_std().expect("the target lies ahead"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn local_times_on_berlin_dst_days_publish_at_the_right_instant() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sync = client(
        emu.endpoints().clone(),
        emu.clock().clone(),
        &dir.path().join("cs.db"),
        scheduler_config(0),
    )
    .await;
    let s = sync.scheduler();
    let (_stop, _worker) = spawn_worker(&s);

    // 2027-03-28 02:30 does not exist in Berlin (02:00 -> 03:00): it goes
    // out at 03:30 CEST = 01:30 UTC. 2027-10-31 02:30 happens twice: the
    // first one, 02:30 CEST = 00:30 UTC.
    for (local, expected) in [
        ("2027-03-28T02:30:00", utc("2027-03-28T01:30:00Z")),
        ("2027-10-31T02:30:00", utc("2027-10-31T00:30:00Z")),
    ] {
        clock_to_just_before(&emu, expected, 3);
        // Months pass between the two: a fresh grant for each.
        connect_x(&emu, &sync).await;
        let at = ScheduleAt::Local {
            time: local.parse().unwrap(),
            zone: Berlin,
        };
        let text = format!("Berlin {local}");
        let id = s
            .schedule(USER, &Post::text(&text), at)
            .targets([Platform::X])
            .await
            .expect("schedule");
        let view = s.get(&id).await.unwrap();
        assert_eq!(view.due_at, expected, "{local}");
        assert_eq!(view.zone.as_deref(), Some("Europe/Berlin"));
        let done = wait_for(&s, &id, ScheduleState::Published).await;
        assert_eq!(done.results.len(), 1);
        assert_eq!(done.results[0].mode, TargetMode::AtTime);
        let post = emu
            .record()
            .posts_for(Platform::X)
            .into_iter()
            .find(|p| p.text == text)
            .expect("posted");
        // On the emulator's clock: not early, and within the engine's
        // delivery granularity (whole seconds + poll) plus the publish.
        assert!(
            post.created_at >= expected,
            "{local}: {} before {expected}",
            post.created_at
        );
        assert!(
            post.created_at < expected + chrono::Duration::seconds(10),
            "{local}: {} too late for {expected}",
            post.created_at
        );
        assert_eq!(
            post.created_at
                .with_timezone(&Berlin)
                .format("%H")
                .to_string(),
            if local.starts_with("2027-03") {
                "03"
            } else {
                "02"
            }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_and_reschedule_racing_a_due_job_leave_one_outcome() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sync = client(
        emu.endpoints().clone(),
        emu.clock().clone(),
        &dir.path().join("cs.db"),
        scheduler_config(0),
    )
    .await;
    connect_x(&emu, &sync).await;
    let s = sync.scheduler();
    let (_stop, _worker) = spawn_worker(&s);

    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..8u64 {
        let text = format!("race {round}");
        let due = emu.clock().now() + chrono::Duration::milliseconds(1000);
        let id = s
            .schedule(USER, &Post::text(&text), due)
            .targets([Platform::X])
            .await
            .unwrap();
        // Aim at the moment the worker picks it up (whole seconds + poll).
        tokio::time::sleep(Duration::from_millis(900 + 150 * round)).await;
        let reschedule = round % 2 == 1;
        let won = if reschedule {
            s.reschedule(&id, emu.clock().now() + chrono::Duration::hours(1))
                .await
                .is_ok()
        } else {
            s.cancel(&id).await.is_ok()
        };
        let settled = if won {
            let v = s.get(&id).await.unwrap();
            let expect = if reschedule {
                ScheduleState::Scheduled
            } else {
                ScheduleState::Cancelled
            };
            assert_eq!(v.state, expect, "round {round}");
            // A stale job may still be delivered: give it the time to run.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            assert_eq!(s.get(&id).await.unwrap().state, expect, "round {round}");
            expect
        } else {
            wait_for(&s, &id, ScheduleState::Published).await.state
        };
        let posted = emu
            .record()
            .posts_for(Platform::X)
            .iter()
            .filter(|p| p.text == text)
            .count();
        assert_eq!(
            posted,
            usize::from(!won),
            "round {round}: won={won}, {posted} posts"
        );
        *outcomes.entry(format!("{settled:?}")).or_insert(0) += 1;
    }
    eprintln!("race outcomes: {outcomes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_open_outcome_is_reconciled_not_created_again() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sync = client(
        emu.endpoints().clone(),
        emu.clock().clone(),
        &dir.path().join("cs.db"),
        scheduler_config(0),
    )
    .await;
    connect_x(&emu, &sync).await;
    let s = sync.scheduler();
    let (_stop, _worker) = spawn_worker(&s);

    // The create lands but its answer is lost, and the lookup fails too:
    // the target's outcome is open.
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::LoseResponse)
            .on_path("/2/tweets")
            .on_method("POST"),
    );
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::Fail { status: 503 })
            .always()
            .on_path("/tweets")
            .on_method("GET"),
    );
    let id = s
        .schedule(USER, &Post::text("lost answer"), emu.clock().now())
        .targets([Platform::X])
        .await
        .unwrap();
    let open = wait_for(&s, &id, ScheduleState::OutcomeUnknown).await;
    assert_eq!(
        open.results[0].error.as_ref().unwrap().code,
        "OUTCOME_UNKNOWN",
        "{open:#?}"
    );
    assert_eq!(
        emu.record().posts_for(Platform::X).len(),
        1,
        "the create landed"
    );

    // The platform answers again: retry looks the post up, creates nothing.
    emu.faults().clear(Platform::X);
    s.retry(&id).await.unwrap();
    let done = wait_for(&s, &id, ScheduleState::Published).await;
    assert!(done.results[0].reused, "found at the platform: {done:#?}");
    let posts = emu.record().posts_for(Platform::X);
    assert_eq!(posts.len(), 1, "exactly one post: {posts:#?}");
    assert_eq!(
        done.results[0].post_id.as_deref(),
        Some(posts[0].post_id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_time_checks_return_every_violation_and_a_certain_quota_exhaustion() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sync = creatorsync::CreatorSync::builder()
        .apps(creatorsync::auth::Apps::emulator_defaults())
        .endpoints(emu.endpoints().clone())
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .sqlite(
            dir.path().join("cs.db"),
            Some(creatorsync::KeyRing::new("k1", &[6u8; 32]).unwrap()),
        )
        .clock(std::sync::Arc::new(schedule_support::EmulatorClock(
            emu.clock().clone(),
        )))
        .quota_limit(Platform::X, "posts", 2)
        .scheduler(scheduler_config(0))
        .build()
        .await
        .unwrap();
    connect_x(&emu, &sync).await;
    let s = sync.scheduler();
    let at = emu.clock().now() + chrono::Duration::hours(2);

    // Too long for X: refused at schedule time, with the violation.
    let long = Post::text("x".repeat(400));
    match s.schedule(USER, &long, at).targets([Platform::X]).await {
        Err(Error::InvalidPost { violations }) => {
            assert!(
                violations.iter().any(|v| v.platform == Some(Platform::X)),
                "{violations:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    // Two fit the 15-minute window; a third at the same time cannot.
    for i in 0..2 {
        s.schedule(USER, &Post::text(format!("q{i}")), at)
            .targets([Platform::X])
            .await
            .unwrap();
    }
    match s
        .schedule(USER, &Post::text("q2"), at)
        .targets([Platform::X])
        .await
    {
        Err(Error::QuotaExhausted {
            platform,
            bucket,
            limit,
            ..
        }) => {
            assert_eq!(
                (platform, bucket.as_str(), limit),
                (Platform::X, "posts", Some(2))
            );
        }
        other => panic!("{other:?}"),
    }
    // An hour later the window holds none of them.
    s.schedule(USER, &Post::text("q3"), at + chrono::Duration::hours(1))
        .targets([Platform::X])
        .await
        .expect("another window");
    // Not connected: a typed error too.
    assert!(matches!(
        s.schedule(USER, &Post::text("li"), at)
            .targets([Platform::LinkedIn])
            .await,
        Err(Error::NotConnected { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_is_all_or_nothing_or_valid_only() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sync = client(
        emu.endpoints().clone(),
        emu.clock().clone(),
        &dir.path().join("cs.db"),
        scheduler_config(0),
    )
    .await;
    connect_x(&emu, &sync).await;
    let s = sync.scheduler();
    let at = emu.clock().now() + chrono::Duration::hours(1);
    let items = || {
        vec![
            BulkItem::new(USER, Post::text("bulk one"), at).targets([Platform::X]),
            BulkItem::new(USER, Post::text("x".repeat(400)), at).targets([Platform::X]),
            BulkItem::new(USER, Post::text("bulk three"), at).targets([Platform::X]),
        ]
    };
    let all = s
        .schedule_many(items(), BulkMode::AllOrNothing)
        .await
        .unwrap();
    assert_eq!(all.scheduled, 0, "{all:#?}");
    assert_eq!(all.items[1].error.as_ref().unwrap().code, "INVALID_POST");
    assert!(all.items.iter().all(|i| i.id.is_none()));
    assert!(s.list(Default::default()).await.unwrap().items.is_empty());

    let valid = s.schedule_many(items(), BulkMode::ValidOnly).await.unwrap();
    assert_eq!(valid.scheduled, 2, "{valid:#?}");
    assert!(valid.items[0].id.is_some() && valid.items[2].id.is_some());
    assert!(valid.items[1].id.is_none());
    let listed = s
        .list(
            creatorsync::schedule::ListQuery::new()
                .user(USER)
                .state(ScheduleState::Scheduled),
        )
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 2);
    // Paged: one at a time.
    let first = s
        .list(creatorsync::schedule::ListQuery::new().limit(1))
        .await
        .unwrap();
    let cursor = first.next.clone().expect("a second page");
    let second = s
        .list(
            creatorsync::schedule::ListQuery::new()
                .limit(1)
                .after(cursor),
        )
        .await
        .unwrap();
    assert_ne!(first.items[0].id, second.items[0].id);
    assert!(second.next.is_none());
}
