//! Shared by the PostgreSQL integration tests: the server URL from
//! `CREATORSYNC_TEST_POSTGRES_URL` (set by `scripts/postgres.sh`), and a
//! fresh database per case so cases never see each other's rows.

#![allow(dead_code, unreachable_pub)] // each test binary uses a subset

use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection;

/// The variable `scripts/postgres.sh` exports.
pub const URL_ENV: &str = "CREATORSYNC_TEST_POSTGRES_URL";

/// The server URL, or `None` after printing why the test is skipped.
///
/// Under `CI=true` a missing URL fails the test instead: CI must run the
/// PostgreSQL tests (`scripts/test` starts the server and fails the run
/// when it cannot).
pub fn server_url(test: &str) -> Option<String> {
    match std::env::var(URL_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{test}: {URL_ENV} is not set, and CI=true requires the PostgreSQL tests to run")
        }
        _ => {
            eprintln!(
                "skipped {test}: {URL_ENV} is not set (run ./scripts/test, or `source scripts/postgres.sh && start_postgres`)"
            );
            None
        }
    }
}

/// `url` with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let mut parsed = reqwest::Url::parse(url).expect("a postgres:// URL");
    parsed.set_path(&format!("/{database}"));
    parsed.to_string()
}

/// The name prefix of the databases one test creates (`tag` is the
/// test's name; tests run in parallel in one process).
fn prefix(tag: &str) -> String {
    format!("cs_test_{}_{tag}_", std::process::id())
}

/// Creates an empty database for the test `tag` and returns its URL.
pub async fn fresh_database(server: &str, tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!("{}{}", prefix(tag), N.fetch_add(1, Ordering::SeqCst));
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .expect("connect to the test server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    admin.close().await.ok();
    with_database(server, &name)
}

/// Drops every database the test `tag` created (a few MB each), closing
/// the connections still open to them.
pub async fn drop_databases(server: &str, tag: &str) {
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .expect("connect to the test server");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(prefix(tag))
            .fetch_all(&mut admin)
            .await
            .expect("list test databases");
    for name in names {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await
        .expect("drop a test database");
    }
    admin.close().await.ok();
}
