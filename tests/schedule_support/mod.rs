//! What the scheduler tests share: a client on a SQLite file reading the
//! emulator's clock, a connected X account, and waiting for a state.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use creatorsync::auth::Apps;
use creatorsync::schedule::{ScheduleId, ScheduleState, ScheduledPost, Scheduler, SchedulerConfig};
use creatorsync::{Clock, CreatorSync, EndpointSet, HttpConfig, KeyRing, Platform, RetryConfig};
use creatorsync_emulator::RunningEmulator;

pub const USER: &str = "sched-user";

/// The SDK reads the emulator's clock.
#[derive(Debug)]
pub struct EmulatorClock(pub creatorsync_emulator::Clock);

impl Clock for EmulatorClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.now()
    }
}

/// Quick polls, heartbeats and retries; `retries` transient reruns.
pub fn scheduler_config(retries: u32) -> SchedulerConfig {
    SchedulerConfig {
        poll: Duration::from_millis(100),
        heartbeat: Duration::from_secs(1),
        retry: RetryConfig {
            max_retries: retries,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_millis(500),
            ..RetryConfig::default()
        },
        ..SchedulerConfig::default()
    }
}

/// A client on the SQLite file `db` (store, publish log, records and jobs).
pub async fn client(
    endpoints: EndpointSet,
    clock: creatorsync_emulator::Clock,
    db: &Path,
    config: SchedulerConfig,
) -> CreatorSync {
    CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(endpoints)
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .sqlite(db, Some(KeyRing::new("k1", &[6u8; 32]).unwrap()))
        .clock(Arc::new(EmulatorClock(clock)))
        .http(HttpConfig {
            retry: RetryConfig {
                max_retries: 2,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(20),
                ..RetryConfig::default()
            },
            ..HttpConfig::default()
        })
        // A dead worker's lease runs out quickly.
        .lease_ttl(Duration::from_secs(2))
        .scheduler(config)
        .build()
        .await
        .expect("client")
}

/// Connects the emulator's X account for [`USER`].
pub async fn connect_x(emu: &RunningEmulator, sync: &CreatorSync) {
    let req = sync
        .connector()
        .begin(USER, Platform::X, "http://127.0.0.1:9/callback")
        .await
        .unwrap();
    let callback = emu.approve(req.url.as_str()).await.unwrap();
    sync.connector()
        .complete_from_url(USER, Platform::X, &callback)
        .await
        .unwrap();
}

/// Waits (up to 60 s) until the post is settled, or in `state`.
pub async fn wait_for(s: &Scheduler, id: &ScheduleId, state: ScheduleState) -> ScheduledPost {
    for _ in 0..600 {
        let p = s.get(id).await.unwrap();
        if p.state == state {
            return p;
        }
        if p.state.is_settled() {
            panic!("settled as {:?}, expected {state:?}: {p:#?}", p.state);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{id} never became {state:?}: {:#?}",
        s.get(id).await.unwrap()
    );
}

/// Runs a worker of `s` until the returned sender is dropped or fired.
pub fn spawn_worker(
    s: &Scheduler,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let s = s.clone();
    let h = tokio::spawn(async move {
        s.run(async move {
            let _ = rx.await;
        })
        .await
        .expect("worker");
    });
    (tx, h)
}

/// A client on the PostgreSQL database at `url` (store, publish log,
/// records and jobs).
pub async fn pg_client(endpoints: EndpointSet, url: &str, config: SchedulerConfig) -> CreatorSync {
    let store =
        creatorsync::PostgresTokenStore::connect(url, KeyRing::new("k1", &[6u8; 32]).unwrap())
            .await
            .expect("connect");
    CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(endpoints)
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .postgres_store(Arc::new(store))
        .lease_ttl(Duration::from_secs(2))
        .scheduler(config)
        .build()
        .await
        .expect("client")
}
