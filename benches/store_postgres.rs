//! PostgreSQL token store throughput: `get` and compare-and-swap `put` on
//! a 10 000-row encrypted store, the same workload as `benches/store.rs`
//! (SQLite, both in `benches/store_common`), so the figures sit side by side.
//!
//! Needs a server: `source scripts/postgres.sh && start_postgres && cargo
//! bench --bench store_postgres` (the tables go in a fresh database on the
//! server at `CREATORSYNC_TEST_POSTGRES_URL`). Without the variable it
//! measures nothing and says so. Prints one JSON object per line:
//! `{"bench": ..., "rows": ..., "ops": ..., "tasks": ..., "secs": ..., "ops_per_sec": ...}`.

mod store_common;

use std::sync::Arc;

use creatorsync::store::{KeyRing, PostgresOptions, PostgresTokenStore};
use creatorsync::testing::{create_postgres_database, drop_postgres_database};

async fn run(server: &str) -> creatorsync::Result<()> {
    let name = format!("cs_bench_{}", std::process::id());
    drop_postgres_database(server, &name).await?;
    let url = create_postgres_database(server, &name).await?;
    let keys = KeyRing::new("bench", &[0x5a; 32])?;
    let options = PostgresOptions::default().max_connections(store_common::TASKS as u32 * 2);
    let store = Arc::new(PostgresTokenStore::connect_with(&url, keys, options).await?);
    store_common::workload("postgres", store.clone()).await?;
    store.close().await;
    drop_postgres_database(server, &name).await
}

fn main() {
    let Ok(server) = std::env::var("CREATORSYNC_TEST_POSTGRES_URL") else {
        eprintln!(
            "store_postgres bench: CREATORSYNC_TEST_POSTGRES_URL is not set; nothing measured \
             (start a server with `source scripts/postgres.sh && start_postgres`)"
        );
        return;
    };
    store_common::main_with(run(&server));
}
