//! Graceful shutdown of an in-process worker (`Scheduler::run(shutdown)`):
//! with a publish in flight on a slow platform, `run` returns once the
//! signal fires, and the post is finished or released for another worker,
//! never left `running`; a second worker afterwards publishes nothing
//! twice. A shutdown that fires before the worker has started is a clean
//! return too, not an error.

mod schedule_support;

use std::time::Duration;

use creatorsync::Platform;
use creatorsync::Post;
use creatorsync::schedule::ScheduleState;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use schedule_support::{USER, client, connect_x, scheduler_config, spawn_worker, wait_for};

/// Far longer than any shutdown should take: reaching it means `run` hung.
const HANG: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_with_a_publish_in_flight_returns_and_leaves_exactly_one_post() {
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
    // The create is answered 3 s late: the shutdown comes while it is in
    // flight.
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::Latency { millis: 3_000 })
            .on_path("/2/tweets")
            .on_method("POST"),
    );
    let id = s
        .schedule(
            USER,
            &Post::text("in flight at shutdown"),
            emu.clock().now(),
        )
        .targets([Platform::X])
        .await
        .unwrap();
    let (stop, worker) = spawn_worker(&s);
    let mut in_flight = false;
    for _ in 0..300 {
        in_flight = emu
            .record()
            .requests_for(Platform::X)
            .iter()
            .any(|r| r.method == "POST" && r.path == "/2/tweets");
        if in_flight {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(in_flight, "the worker never sent the create");
    assert_eq!(s.get(&id).await.unwrap().state, ScheduleState::Running);

    stop.send(()).unwrap();
    tokio::time::timeout(HANG, worker)
        .await
        .expect("run did not return after its shutdown signal")
        .expect("the worker task");
    let after = s.get(&id).await.unwrap();
    assert!(
        matches!(
            after.state,
            ScheduleState::Published | ScheduleState::Scheduled
        ),
        "finished or released, not stuck: {after:#?}"
    );

    // Another worker: whatever the first left (a released post, a job it
    // had fetched) runs once; nothing is published twice. It runs past the
    // first worker's missed heartbeats, when the engine hands that worker's
    // jobs over.
    let (stop2, worker2) = spawn_worker(&s);
    let done = wait_for(&s, &id, ScheduleState::Published).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop2.send(()).unwrap();
    tokio::time::timeout(HANG, worker2)
        .await
        .expect("the second worker did not return after its shutdown signal")
        .expect("the second worker task");
    let posts = emu.record().posts_for(Platform::X);
    assert_eq!(posts.len(), 1, "exactly one post: {posts:#?}");
    assert_eq!(
        done.results[0].post_id.as_deref(),
        Some(posts[0].post_id.as_str())
    );
    let health = s.health().await.unwrap();
    assert_eq!((health.running, health.due), (0, 0), "{health:#?}");
    assert_eq!(
        s.get(&id).await.unwrap().state,
        ScheduleState::Published,
        "settled once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_before_the_worker_started_is_a_clean_return() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sync = client(
        emu.endpoints().clone(),
        emu.clock().clone(),
        &dir.path().join("cs.db"),
        scheduler_config(0),
    )
    .await;
    let returned = tokio::time::timeout(HANG, sync.scheduler().run(std::future::ready(())))
        .await
        .expect("run did not return after its shutdown signal");
    assert!(returned.is_ok(), "{returned:?}");
}
