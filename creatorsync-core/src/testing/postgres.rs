//! Throwaway PostgreSQL databases for tests (features `testing` and
//! `postgres`): a fresh database per test keeps reruns and parallel tests
//! from seeing each other's rows. The Python package's tests use these
//! through `creatorsync.testing`.

use sqlx::{Connection, PgConnection};

use crate::http::redact_url_password;
use crate::sql::postgres::redact_url;
use crate::{Error, Result};

/// Longest PostgreSQL identifier, in bytes.
const MAX_NAME: usize = 63;

/// Only names that need no quoting are accepted: they are spliced into
/// `CREATE DATABASE` / `DROP DATABASE`, which take no bind parameters.
fn check_name(name: &str) -> Result<()> {
    let ok = (1..=MAX_NAME).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "name",
            "a database name is 1-63 lowercase letters, digits or `_`, not starting with a digit",
        ))
    }
}

/// `url` with its database (the path) replaced by `name`.
fn with_database(url: &str, name: &str) -> Result<String> {
    let mut parsed = url::Url::parse(url).map_err(|_| {
        Error::Config(format!(
            "invalid PostgreSQL URL {}; expected postgres://user@host:port/database",
            redact_url(url)
        ))
    })?;
    parsed.set_path(&format!("/{name}"));
    Ok(parsed.to_string())
}

async fn admin(server_url: &str, sql: String) -> Result<()> {
    let fail = |what: &str, e: &sqlx::Error| {
        Error::store(format!(
            "postgres: {what} on {}: {}",
            redact_url(server_url),
            redact_url_password(server_url, &e.to_string())
        ))
    };
    let mut conn = PgConnection::connect(server_url)
        .await
        .map_err(|e| fail("cannot connect", &e))?;
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .map(drop)
        .map_err(|e| fail("statement failed", &e));
    conn.close().await.ok();
    done
}

/// Creates the empty database `name` on the server at `server_url` (a
/// `postgres://` URL whose user may `CREATE DATABASE`) and returns the URL
/// of the new database. `name`: lowercase letters, digits and `_`. Drop it
/// with [`drop_postgres_database`] when done (each takes a few MB).
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String> {
    check_name(name)?;
    let url = with_database(server_url, name)?;
    admin(server_url, format!("CREATE DATABASE {name}")).await?;
    Ok(url)
}

/// Drops the database `name` if it exists, closing the connections still
/// open to it (PostgreSQL 13+).
pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<()> {
    check_name(name)?;
    admin(
        server_url,
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names() {
        for good in ["cs_test_1", "_x", "a"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        let long = "a".repeat(64);
        for bad in ["", "1abc", "Abc", "a-b", "a;drop", "a b", long.as_str()] {
            assert!(
                matches!(check_name(bad), Err(Error::InvalidInput { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_url_names_the_new_database() {
        let url = with_database(
            "postgres://app:pw@127.0.0.1:5432/postgres?sslmode=disable",
            "cs_x",
        )
        .unwrap();
        assert_eq!(url, "postgres://app:pw@127.0.0.1:5432/cs_x?sslmode=disable");
        let err = with_database("not a url pw", "cs_x").unwrap_err();
        assert!(!err.to_string().contains("pw"), "{err}");
    }
}
