//! Where a client keeps what the SDK stores, seen from Python: the
//! built-in stores are the contract's store options ([`builtin`]); any
//! other object with (async) `get/put/delete/list` is a host key-value
//! store ([`HostKeyValueStore`]), from which the core builds tokens,
//! pending connects, the publish log, upload sessions and the quota
//! ledger.

mod builtin;
mod host;
mod host_kv;

pub(crate) use builtin::{MemoryStore, PostgresStore, SqliteStore, options_of};
pub(crate) use host_kv::HostKeyValueStore;
