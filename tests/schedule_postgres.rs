//! The scheduler on PostgreSQL with two worker processes sharing one
//! database (records in its key-value table, jobs in schema `apalis`): every
//! post due at the same moment is published exactly once, both workers
//! are seen alive, and nothing is left due or running.
//!
//! Needs `CREATORSYNC_TEST_POSTGRES_URL` (see tests/store_postgres.rs);
//! without it the test prints "skipped" and passes, except under
//! `CI=true`, where it fails. The workers are this binary re-executed with
//! `CREATORSYNC_SCHED_PG_CHILD` set, running the ignored `child_pg_worker`.
#![cfg(unix)]

mod pg_support;
mod schedule_support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use creatorsync::schedule::{ListQuery, ScheduleState};
use creatorsync::{EndpointSet, Platform, Post};
use creatorsync_emulator::{Emulator, EmulatorConfig};
use schedule_support::{USER, connect_x, pg_client, scheduler_config};

const CHILD_ENV: &str = "CREATORSYNC_SCHED_PG_CHILD";
const POSTS: usize = 24;

/// The child role: a worker on the database named in the directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by two_worker_processes_publish_each_post_once as a child process"]
async fn child_pg_worker() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = Path::new(&dir);
    let endpoints: EndpointSet =
        serde_json::from_str(&std::fs::read_to_string(dir.join("endpoints.json")).unwrap())
            .unwrap();
    let url = std::fs::read_to_string(dir.join("url")).unwrap();
    let sync = pg_client(endpoints, &url, scheduler_config(3)).await;
    sync.scheduler()
        .run(std::future::pending())
        .await
        .expect("worker");
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_worker_processes_publish_each_post_once() {
    let Some(server) = pg_support::server_url("two_worker_processes_publish_each_post_once") else {
        return;
    };
    let url = pg_support::fresh_database(&server, "schedpg").await;
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("endpoints.json"),
        serde_json::to_string(emu.endpoints()).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("url"), &url).unwrap();
    let sync = pg_client(emu.endpoints().clone(), &url, scheduler_config(3)).await;
    connect_x(&emu, &sync).await;
    let s = sync.scheduler();
    let due = chrono::Utc::now() + chrono::Duration::seconds(3);
    let mut ids = Vec::new();
    for i in 0..POSTS {
        ids.push(
            s.schedule(USER, &Post::text(format!("pg post {i}")), due)
                .targets([Platform::X])
                .await
                .expect("schedule"),
        );
    }
    let _workers: Vec<Kill> = (0..2)
        .map(|_| {
            Kill(
                Command::new(std::env::current_exe().unwrap())
                    .args(["--exact", "child_pg_worker", "--ignored", "--nocapture"])
                    .env(CHILD_ENV, dir.path())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("worker"),
            )
        })
        .collect();
    for _ in 0..600 {
        let page = s
            .list(ListQuery::new().state(ScheduleState::Published))
            .await
            .unwrap();
        if page.items.len() == POSTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for id in &ids {
        let p = s.get(id).await.unwrap();
        assert_eq!(p.state, ScheduleState::Published, "{p:#?}");
        assert!(p.started_at.unwrap() >= due, "not before its time: {p:#?}");
        assert_eq!(p.attempts, 1, "one run each: {p:#?}");
    }
    let posts = emu.record().posts_for(Platform::X);
    assert_eq!(posts.len(), POSTS, "exactly one post each");
    for i in 0..POSTS {
        let text = format!("pg post {i}");
        assert_eq!(posts.iter().filter(|p| p.text == text).count(), 1, "{text}");
    }
    let health = s.health().await.unwrap();
    assert_eq!(health.workers_alive, 2, "{health:?}");
    assert_eq!((health.due, health.running), (0, 0), "{health:?}");
    drop(_workers);
    pg_support::drop_databases(&server, "schedpg").await;
}
