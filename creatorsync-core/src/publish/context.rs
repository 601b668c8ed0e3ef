//! What a publish runs with: the client's shared state ([`Inner`]) and one
//! call's arguments ([`Call`]), used by the engine and by each held target.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::targets::Target;
use crate::auth::Connector;
use crate::clock::Clock;
use crate::platforms::{PlatformClient, Registry};
use crate::progress::Progress;
use crate::publish_log::PublishLog;
use crate::quota::Ledger;
use crate::upload::UploadSessions;
use crate::{Platform, Post, TokenStore};

/// A platform and connection mode ([`crate::platforms::PlatformModule`]'s
/// `login`).
pub(super) type ClientKey = (Platform, Option<&'static str>);

/// The shared state of a [`super::CreatorSync`].
#[derive(Debug)]
pub(super) struct Inner {
    pub(super) connector: Connector,
    pub(super) store: Arc<dyn TokenStore>,
    pub(super) log: Arc<dyn PublishLog>,
    pub(super) sessions: Arc<dyn UploadSessions>,
    /// The publish client of each platform and connection mode.
    pub(super) clients: BTreeMap<ClientKey, Arc<dyn PlatformClient>>,
    /// The platform modules (validation rules).
    pub(super) registry: Registry,
    /// Bound on targets in flight across every publish of this client.
    pub(super) global: Arc<Semaphore>,
    /// Bound on targets in flight within one publish.
    pub(super) per_publish: usize,
    /// How long a target's lease in the publish log lasts unrenewed.
    pub(super) lease_ttl: Duration,
    /// The store's key rotation, when its secrets are sealed.
    pub(super) rotation: Option<Arc<dyn crate::store::KeyRotation>>,
    /// The quota ledger every worker on the store shares.
    pub(super) ledger: Ledger,
    /// Post templates, in the same key-value store as the ledger.
    pub(super) templates: crate::templates::TemplateStore,
    /// The clock quota windows are read on.
    pub(super) clock: Arc<dyn Clock>,
    /// The longest wait for a short quota window to free a slot (zero:
    /// fail at once).
    pub(super) quota_wait: Duration,
    /// The scheduler's settings and job engine.
    pub(super) jobs: crate::schedule::Jobs,
}

/// One publish call.
pub(super) struct Call<'a> {
    pub(super) user_id: &'a str,
    pub(super) post: &'a Post,
    pub(super) targets: &'a [Target],
    pub(super) idempotency_key: String,
    pub(super) progress: Progress,
    pub(super) valid_only: bool,
    pub(super) fit: crate::media::FitMode,
}

impl Call<'_> {
    /// A follow-up of this call's post: `post` under its own publish-log
    /// key.
    pub(super) fn for_follow_up<'b>(&'b self, post: &'b Post, idempotency_key: String) -> Call<'b> {
        Call {
            post,
            idempotency_key,
            ..self.with_post(post)
        }
    }

    /// This call with another post (a target's fitted variant).
    pub(super) fn with_post<'b>(&'b self, post: &'b Post) -> Call<'b> {
        Call {
            user_id: self.user_id,
            post,
            targets: self.targets,
            idempotency_key: self.idempotency_key.clone(),
            progress: self.progress.clone(),
            valid_only: self.valid_only,
            fit: self.fit,
        }
    }
}
