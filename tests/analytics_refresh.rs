//! The metrics refresh as a recurring job on the scheduling engine: two
//! workers on one SQLite store and job engine, the emulator clock moved
//! on, snapshots recorded on the decaying cadence, each round once across
//! the workers, and the last round visible.

mod schedule_support;

use std::time::Duration;

use creatorsync::analytics::PostRef;
use creatorsync::schedule::{AnalyticsRefresh, SchedulerConfig};
use creatorsync::{CreatorSync, Platform};
use creatorsync_emulator::{Emulator, EmulatorConfig, RecordedPost, RunningEmulator};
use schedule_support::{USER, client, scheduler_config, spawn_worker};

/// Rounds every 200 ms of real time (the engine's delays are real).
fn config() -> SchedulerConfig {
    SchedulerConfig {
        analytics: Some(AnalyticsRefresh {
            check_every: Duration::from_millis(200),
            lease: Duration::from_secs(2),
            ..AnalyticsRefresh::default()
        }),
        ..scheduler_config(0)
    }
}

/// Connects X for [`USER`]; the account id.
async fn connect(emu: &RunningEmulator, sync: &CreatorSync) -> String {
    let req = sync
        .connector()
        .begin(USER, Platform::X, "http://127.0.0.1:9/callback")
        .await
        .unwrap();
    let callback = emu.approve(req.url.as_str()).await.unwrap();
    let accounts = sync
        .connector()
        .complete_from_url(USER, Platform::X, &callback)
        .await
        .unwrap();
    accounts[0].key.account_id.clone()
}

/// Snapshots of `post`, waiting (up to 20 s) until there are `n`.
async fn wait_snapshots(sync: &CreatorSync, post: &PostRef, n: usize) -> usize {
    let mut got = 0;
    for _ in 0..200 {
        got = sync.metrics_history(USER, post, ..).await.unwrap().len();
        if got >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_refresh_each_due_post_once_per_round_on_the_cadence() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cs.db");
    let a = client(emu.endpoints().clone(), emu.clock().clone(), &db, config()).await;
    let b = client(emu.endpoints().clone(), emu.clock().clone(), &db, config()).await;
    let account = connect(&emu, &a).await;
    let posts: Vec<PostRef> = (0..3)
        .map(|i| {
            let id = format!("{}", 1_796_000_000_000_000_000u64 + i);
            emu.record().add_post(RecordedPost {
                platform: Platform::X,
                account_id: account.clone(),
                post_id: id.clone(),
                text: format!("tracked {i}"),
                title: None,
                media: Vec::new(),
                url: format!("https://example.invalid/{id}"),
                created_at: emu.clock().now() - chrono::Duration::hours(1),
                deleted: false,
                scheduled_for: None,
                extra: Default::default(),
            });
            PostRef::new(Platform::X, id).on_account(&account)
        })
        .collect();
    // The first read starts tracking.
    assert!(
        a.metrics(USER, &posts)
            .await
            .unwrap()
            .iter()
            .all(|r| r.outcome.is_ok())
    );
    assert_eq!(a.scheduler().analytics_refresh().await.unwrap(), None);

    // Open the job engine of each client in turn (two clients migrating
    // one SQLite file at once race on the migration table).
    a.scheduler().health().await.unwrap();
    b.scheduler().health().await.unwrap();
    let (stop_a, worker_a) = spawn_worker(&a.scheduler());
    let (stop_b, worker_b) = spawn_worker(&b.scheduler());

    // Rounds run, but nothing is due within the first hour.
    let mut status = None;
    for _ in 0..100 {
        status = a.scheduler().analytics_refresh().await.unwrap();
        if status.as_ref().is_some_and(|s| s.rounds >= 3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = status.expect("the workers ran rounds");
    assert!(status.rounds >= 3, "{status:?}");
    assert_eq!(status.last_refreshed, 0, "nothing due yet: {status:?}");
    assert_eq!(wait_snapshots(&a, &posts[0], 1).await, 1);

    // An hour on: the next round reads every post once.
    emu.clock().advance(Duration::from_secs(61 * 60));
    for p in &posts {
        assert_eq!(wait_snapshots(&b, p, 2).await, 2, "refreshed once");
    }
    // Many rounds later, by both workers: still one snapshot per due time.
    let rounds = b
        .scheduler()
        .analytics_refresh()
        .await
        .unwrap()
        .unwrap()
        .rounds;
    for _ in 0..100 {
        let s = b.scheduler().analytics_refresh().await.unwrap().unwrap();
        if s.rounds >= rounds + 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = b.scheduler().analytics_refresh().await.unwrap().unwrap();
    assert!(status.rounds >= rounds + 5, "{status:?}");
    for p in &posts {
        let history = a.metrics_history(USER, p, ..).await.unwrap();
        assert_eq!(history.len(), 2, "not twice per round: {history:#?}");
    }
    let due = status.next_round_at - status.last_round_at.unwrap();
    assert!(due.num_milliseconds() <= 200, "{status:?}");

    // Another hour: a third snapshot (hourly during the first day).
    emu.clock().advance(Duration::from_secs(61 * 60));
    for p in &posts {
        assert_eq!(wait_snapshots(&a, p, 3).await, 3);
    }
    let last = a.scheduler().analytics_refresh().await.unwrap().unwrap();
    assert!(last.last_round_at.unwrap() >= emu.clock().now() - chrono::Duration::minutes(1));

    let _ = stop_a.send(());
    let _ = stop_b.send(());
    worker_a.await.unwrap();
    worker_b.await.unwrap();
    for p in &posts {
        assert_eq!(a.metrics_history(USER, p, ..).await.unwrap().len(), 3);
    }
}
