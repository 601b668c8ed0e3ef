//! Connecting accounts and keeping their tokens usable.
//!
//! * [`Connector`]: `begin` → authorize URL with a signed, expiring,
//!   single-use state (PKCE where the platform takes it); `complete` →
//!   code exchange, profile and account discovery, tokens stored.
//! * [`TokenManager`]: `usable(&key)` gives a valid credential, refreshing
//!   it first (single-flight in a process, compare-and-swap across
//!   processes); `disconnect`, `mark_reauth`, `status`, `health`,
//!   `profile` (cached 24 h).
//! * [`OAuth1Signer`]: RFC 5849 HMAC-SHA1 request signing (X).
//! * [`Apps`]: your app credentials per platform.
//!
//! ```no_run
//! # async fn demo() -> creatorsync_core::Result<()> {
//! use std::sync::Arc;
//! use creatorsync_core::auth::{Apps, Connector};
//! use creatorsync_core::{AccountKey, MemoryTokenStore, Platform};
//! let connector = Connector::builder()
//!     .apps(Apps::emulator_defaults())
//!     .store(Arc::new(MemoryTokenStore::new()))
//!     .state_secret(*b"0123456789abcdef0123456789abcdef")
//!     .build()?;
//! let req = connector.begin("user-1", Platform::YouTube, "https://app.example/cb").await?;
//! // redirect to req.url ... then on the callback:
//! let accounts = connector.complete("user-1", Platform::YouTube, "code", &req.state).await?;
//! let token = connector.tokens().usable(&accounts[0].key).await?;
//! # let _ = token; Ok(()) }
//! ```

pub(crate) mod accounts;
pub(crate) mod apps;
mod connect;
mod connect_oauth1;
mod context;
mod manage;
pub(crate) mod oauth1;
pub(crate) mod oauth2;
mod pending;
mod profile_cache;
mod refresh;
pub(crate) mod standard;
pub(crate) mod state;
mod status;

pub use apps::{
    AppCredentials, Apps, ConsumerCredentials, DEFAULT_SCOPE_USES, INSTAGRAM_LOGIN_KEY, ScopeUse,
};
pub use connect::{AuthorizationRequest, Connector, ConnectorBuilder};
pub use oauth1::{OAuth1Signer, SignInput, percent_encode};
pub use pending::{MemoryPendingStore, PendingConnect, PendingStore};
pub use refresh::{TokenManager, TokenManagerConfig};
pub use status::{AccountHealth, AccountStatus};
