//! Upload sessions and pending connects on PostgreSQL: the shared
//! conformance cases, and a session saved through one pool read by
//! another (a restarted worker resumes the upload).
//!
//! Needs `CREATORSYNC_TEST_POSTGRES_URL` (see tests/store_postgres.rs);
//! without it every test prints "skipped" and passes, except under
//! `CI=true`, where it fails.

mod pg_support;

use std::sync::Arc;

use creatorsync_core::auth::PendingStore;
use creatorsync_core::store::{KeyRing, PostgresTokenStore};
use creatorsync_core::testing;
use creatorsync_core::upload::UploadSessions;
use pg_support::{fresh_database, server_url};
use serde_json::json;

fn keys() -> KeyRing {
    KeyRing::new("k1", &[0x22; 32]).expect("valid key")
}

async fn store_at(url: &str) -> PostgresTokenStore {
    PostgresTokenStore::connect(url, keys())
        .await
        .expect("connect")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn upload_sessions_and_pending_pass_their_suites() {
    let Some(server) = server_url("upload_sessions_and_pending_pass_their_suites") else {
        return;
    };
    testing::upload_sessions_conformance(|| {
        let server = server.clone();
        async move {
            let url = fresh_database(&server, "rpus").await;
            Arc::new(store_at(&url).await) as Arc<dyn UploadSessions>
        }
    })
    .await;
    testing::pending_store_conformance(|| {
        let server = server.clone();
        async move {
            let url = fresh_database(&server, "rpus").await;
            Arc::new(store_at(&url).await) as Arc<dyn PendingStore>
        }
    })
    .await;
    pg_support::drop_databases(&server, "rpus").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_saved_by_one_worker_is_read_by_the_next_and_sealed() {
    let Some(server) = server_url("a_session_saved_by_one_worker_is_read_by_the_next_and_sealed")
    else {
        return;
    };
    let url = fresh_database(&server, "rpsr").await;
    let first = store_at(&url).await;
    let session = json!({"uri": "https://up/?upload_token=UPLOAD-TOKEN-CLEAR", "offset": 3});
    first.save("job:youtube:0", &session).await.expect("save");
    drop(first);
    let next = store_at(&url).await;
    assert_eq!(
        next.load("job:youtube:0").await.expect("load"),
        Some(session)
    );
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("raw connection");
    let raw: Vec<u8> = sqlx::query_scalar("SELECT ciphertext FROM creatorsync_upload_sessions")
        .fetch_one(&mut conn)
        .await
        .expect("row");
    assert!(
        !raw.windows(18).any(|w| w == b"UPLOAD-TOKEN-CLEAR"),
        "the upload token is stored in clear"
    );
    pg_support::drop_databases(&server, "rpsr").await;
}
