//! The token store workload shared by `benches/store.rs` (SQLite) and
//! `benches/store_postgres.rs` (PostgreSQL), so their figures compare the
//! backends and nothing else: 10 000 encrypted rows, then `get` and
//! compare-and-swap `put`, from one task and from four. Prints one JSON
//! object per line:
//! `{"bench": ..., "rows": ..., "ops": ..., "tasks": ..., "secs": ..., "ops_per_sec": ...}`.
#![allow(clippy::print_stdout, dead_code, unreachable_pub)] // a bench reports on stdout

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use creatorsync::{AccountKey, Credential, Platform, Profile, Secret, StoredToken, TokenStore};

const ROWS: usize = 10_000;
const USERS: usize = 1_000;
const GETS: usize = 20_000;
const PUTS: usize = 5_000;
pub const TASKS: usize = 4;

pub fn key(i: usize) -> AccountKey {
    let platform = Platform::ALL[i % Platform::ALL.len()];
    AccountKey::new(format!("user-{}", i % USERS), platform, format!("acct-{i}"))
        .expect("valid key")
}

pub fn token(i: usize, generation: usize) -> StoredToken {
    let credential = Credential::OAuth2 {
        access: Secret::new(format!("access-{i}-{generation}-{}", "x".repeat(120))),
        refresh: Some(Secret::new(format!(
            "refresh-{i}-{generation}-{}",
            "y".repeat(60)
        ))),
        expires_at: Some(chrono::Utc::now()),
        refresh_expires_at: None,
        scopes: vec!["video.publish".into(), "user.info.basic".into()],
        user_token: None,
    };
    let profile = Profile {
        platform_user_id: format!("acct-{i}"),
        handle: Some(format!("creator{i}")),
        display_name: Some(format!("Creator {i}")),
        kind: Some("person".into()),
    };
    StoredToken::new(key(i), credential, profile)
}

/// xorshift: deterministic, dependency-free index stream.
struct Rng(u64);
impl Rng {
    fn next(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

fn report(bench: &str, ops: usize, tasks: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    let line = serde_json::json!({
        "bench": bench,
        "rows": ROWS,
        "ops": ops,
        "tasks": tasks,
        "secs": (secs * 1000.0).round() / 1000.0,
        "ops_per_sec": (ops as f64 / secs).round(),
    });
    println!("{line}");
}

/// Runs the workload on `store`; bench names start with `backend`.
pub async fn workload(backend: &str, store: Arc<dyn TokenStore>) -> creatorsync::Result<()> {
    let started = Instant::now();
    for i in 0..ROWS {
        store.put(&token(i, 0), None).await?;
    }
    report(&format!("{backend}_insert"), ROWS, 1, started);

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    for _ in 0..GETS {
        let got = store.get(&key(rng.next(ROWS))).await?;
        assert!(got.is_some());
    }
    report(&format!("{backend}_get"), GETS, 1, started);

    let started = Instant::now();
    let handles: Vec<_> = (0..TASKS)
        .map(|t| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut rng = Rng(0x1234_5678 + t as u64);
                for _ in 0..GETS / TASKS {
                    store.get(&key(rng.next(ROWS))).await?;
                }
                Ok::<_, creatorsync::Error>(())
            })
        })
        .collect();
    for h in handles {
        h.await.map_err(creatorsync::Error::store)??;
    }
    report(
        &format!("{backend}_get_concurrent"),
        GETS / TASKS * TASKS,
        TASKS,
        started,
    );

    // CAS put of a token already read (the refresh path: read, then swap).
    // Each row's version is known from the insert (1) and tracked here.
    let mut versions = vec![1u64; ROWS];
    let started = Instant::now();
    for n in 0..PUTS {
        let i = rng.next(ROWS);
        versions[i] = store.put(&token(i, n + 1), Some(versions[i])).await?;
    }
    report(&format!("{backend}_cas_put"), PUTS, 1, started);

    // Concurrent CAS puts on disjoint rows (SQLite serializes writers).
    let started = Instant::now();
    let handles: Vec<_> = (0..TASKS)
        .map(|t| {
            let store = Arc::clone(&store);
            let mine: Vec<(usize, u64)> = (0..ROWS)
                .filter(|i| i % TASKS == t)
                .map(|i| (i, versions[i]))
                .collect();
            tokio::spawn(async move {
                for (i, v) in mine.into_iter().take(PUTS / TASKS) {
                    store.put(&token(i, 0), Some(v)).await?;
                }
                Ok::<_, creatorsync::Error>(())
            })
        })
        .collect();
    for h in handles {
        h.await.map_err(creatorsync::Error::store)??;
    }
    report(
        &format!("{backend}_cas_put_concurrent"),
        PUTS / TASKS * TASKS,
        TASKS,
        started,
    );

    Ok(())
}

/// Runs `bench` on a two-worker runtime; exits 1 with the error on failure.
pub fn main_with<F: Future<Output = creatorsync::Result<()>>>(bench: F) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = runtime.block_on(bench) {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}
