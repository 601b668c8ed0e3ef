//! SQLite token store throughput: `get` and compare-and-swap `put` on a
//! 10 000-row encrypted store in a temporary directory (the workload in
//! `benches/store_common`, shared with the PostgreSQL bench).
//!
//! Run with `cargo bench --bench store`. Prints one JSON object per line:
//! `{"bench": ..., "rows": ..., "ops": ..., "tasks": ..., "secs": ..., "ops_per_sec": ...}`.

mod store_common;

use std::sync::Arc;

use creatorsync::store::{KeyRing, SqliteTokenStore};

async fn run() -> creatorsync::Result<()> {
    let dir = tempfile::tempdir().map_err(creatorsync::Error::store)?;
    let keys = KeyRing::new("bench", &[0x5a; 32])?;
    let store = Arc::new(SqliteTokenStore::open(dir.path().join("bench.db"), keys).await?);
    store_common::workload("sqlite", store.clone()).await?;
    store.close().await;
    Ok(())
}

fn main() {
    store_common::main_with(run());
}
