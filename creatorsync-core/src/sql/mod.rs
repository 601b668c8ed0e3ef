//! The SQL databases the token stores and publish logs share (one file or
//! one database holds both): connecting, schema, migrations, error and
//! time mapping.

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;
