//! A worker killed with SIGKILL in the middle of a scheduled publish (the
//! create reached the platform, its answer did not come back): another
//! worker takes the job over once the dead one's heartbeats stop, looks
//! the post up and finishes; the platform holds exactly one post.
//!
//! The child is this test binary re-executed with `CREATORSYNC_SCHED_CHILD`
//! set, running the ignored `child_worker` test: a worker on the shared
//! SQLite file (store, records and jobs).
#![cfg(unix)]

mod schedule_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use creatorsync::schedule::ScheduleState;
use creatorsync::{EndpointSet, Platform, Post};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use schedule_support::{USER, client, connect_x, scheduler_config, spawn_worker, wait_for};

const CHILD_ENV: &str = "CREATORSYNC_SCHED_CHILD";

/// The child role: run a worker until killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by a_killed_worker_is_replaced_and_posts_once as a child process"]
async fn child_worker() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = Path::new(&dir);
    let endpoints: EndpointSet =
        serde_json::from_str(&std::fs::read_to_string(dir.join("endpoints.json")).unwrap())
            .unwrap();
    let sync = client(
        endpoints,
        creatorsync_emulator::Clock::default(),
        &dir.join("cs.db"),
        scheduler_config(0),
    )
    .await;
    sync.scheduler()
        .run(std::future::pending())
        .await
        .expect("worker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_worker_is_replaced_and_posts_once() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("endpoints.json"),
        serde_json::to_string(emu.endpoints()).unwrap(),
    )
    .unwrap();
    let sync = client(
        emu.endpoints().clone(),
        emu.clock().clone(),
        &dir.path().join("cs.db"),
        scheduler_config(0),
    )
    .await;
    connect_x(&emu, &sync).await;
    let s = sync.scheduler();
    // The create lands, then the emulator never answers: the child is
    // killed while it waits.
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::Hang)
            .on_path("/2/tweets")
            .on_method("POST"),
    );
    let id = s
        .schedule(USER, &Post::text("survives a SIGKILL"), emu.clock().now())
        .targets([Platform::X])
        .await
        .unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_worker", "--ignored", "--nocapture"])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("child");
    let mut landed = false;
    for _ in 0..300 {
        if !emu.record().posts_for(Platform::X).is_empty() {
            landed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // SIGKILL: no destructor, no graceful shutdown, no goodbye.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(landed, "the child never reached the create");
    let mid = s.get(&id).await.unwrap();
    assert_eq!(mid.state, ScheduleState::Running, "{mid:#?}");

    // Another worker: it re-enqueues the dead worker's job, takes the
    // record over after its lease, and finds the post instead of creating.
    emu.faults().clear(Platform::X);
    let (_stop, _worker) = spawn_worker(&s);
    let done = wait_for(&s, &id, ScheduleState::Published).await;
    assert_eq!(done.attempts, 2, "{done:#?}");
    assert!(done.results[0].reused, "looked up, not created: {done:#?}");
    let posts = emu.record().posts_for(Platform::X);
    assert_eq!(posts.len(), 1, "exactly one post: {posts:#?}");
    assert_eq!(
        done.results[0].post_id.as_deref(),
        Some(posts[0].post_id.as_str())
    );
}
