//! # CreatorSync core
//!
//! Connect a creator's accounts on X, LinkedIn, Facebook Pages, Instagram,
//! YouTube and TikTok, keep their tokens fresh and safe, and publish text,
//! images and video to all of them at once.
//!
//! This crate holds the domain types ([`Platform`], [`AccountKey`],
//! [`Credential`], [`Post`]), the [`TokenStore`] contract and stores, media
//! sources, the HTTP layer, OAuth, the platform clients and the publisher.
//!
//! ```
//! use creatorsync_core::{Platform, AccountKey};
//! let key = AccountKey::new("user-1", "twitter".parse::<Platform>()?, "12345")?;
//! assert_eq!(key.platform, Platform::X);
//! # Ok::<(), creatorsync_core::Error>(())
//! ```
#![deny(missing_docs)]

mod account;
pub mod analytics;
pub mod auth;
mod clock;
pub mod contract;
mod credential;
mod error;
pub mod events;
mod heartbeat;
pub mod http;
pub mod kv;
pub mod lifecycle;
pub mod media;
pub mod media_host;
mod platform;
pub mod platforms;
mod post;
pub mod progress;
mod publish;
pub mod publish_log;
pub mod quota;
pub mod schedule;
mod secret;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
pub mod store;
pub mod templates;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;
pub mod thread;
pub mod upload;
mod validate;

pub use account::{Account, AccountKey, Profile};
pub use clock::{Clock, SystemClock};
pub use credential::{Credential, StoredToken};
pub use error::{Error, Result, StateProblem, Violation};
pub use http::{Endpoints, HttpClient, HttpConfig, RetryConfig};
pub use kv::{KeyValueStore, KvStore, MemoryKeyValueStore, Versioned};
pub use lifecycle::DraftKind;
pub use media::{BytesSource, FileSource, MediaInfo, MediaSource, UrlSource};
pub use media_host::{MediaHost, ObjectStoreMediaHost};
pub use platform::{Capabilities, MediaKind, Platform, TextCounting};
pub use platforms::tiktok::TIKTOK_PHOTO_TITLE_MAX;
pub use platforms::youtube::{YOUTUBE_TAGS_MAX, YOUTUBE_TITLE_MAX};
pub use platforms::{
    ClientConfig, Commit, EndpointSet, FreshToken, Lookup, PlatformClient, PublishRequest,
    Published, TokenSource,
};
pub use post::{
    FacebookOptions, InstagramKind, InstagramOptions, LinkPreview, LinkedInOptions,
    LinkedInVisibility, Media, Mention, PlatformOptions, Post, TikTokOptions, TikTokPrivacy,
    TrialGraduation, XOptions, YouTubeOptions, YouTubePrivacy,
};
pub use progress::{Progress, ProgressEvent, ProgressFn};
pub use publish::{
    CreatorSync, CreatorSyncBuilder, DEFAULT_GLOBAL, DEFAULT_LEASE_TTL, DEFAULT_PER_PUBLISH,
    LegacyResult, MAX_CONCURRENCY, PublishCall, PublishReport, Target, TargetResult,
};
pub use publish_log::{BeginOutcome, PublishLog, PublishRecord, PublishState};
pub use secret::Secret;
#[cfg(feature = "sqlite")]
pub use store::SqliteTokenStore;
pub use store::{
    DEFAULT_STORE_TIMEOUT, KeyRing, MemoryTokenStore, TimeoutStore, TokenStore, TokenStoreExt,
};
#[cfg(feature = "postgres")]
pub use store::{PostgresOptions, PostgresTokenStore};
pub use thread::{ThreadMode, ThreadPart};
pub use validate::{capabilities, text_length, validate, validate_all};
