//! What the scheduler checks when a post is scheduled, with the same rules
//! `publish` applies when it runs: the targets it resolves to, every
//! violation of every target, and every quota the post will use at its due
//! time.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::CreatorSync;
use super::targets::{Target, resolve};
use crate::quota::Outlook;
use crate::validate::validate_with;
use crate::{AccountKey, Error, Platform, Post, Result, Violation};

/// One quota a target will use.
#[derive(Debug, Clone)]
pub(crate) struct QuotaNeed {
    /// The platform and quota name (for the error).
    pub(crate) platform: Platform,
    pub(crate) bucket: &'static str,
    /// The quota at the due time.
    pub(crate) outlook: Outlook,
}

/// The outcome of the checks.
#[derive(Debug, Default)]
pub(crate) struct Preflight {
    /// The accounts the post goes to.
    pub(crate) accounts: Vec<AccountKey>,
    /// Violations per platform (empty when valid everywhere).
    pub(crate) invalid: BTreeMap<Platform, Vec<Violation>>,
    /// Targets with no connected account.
    pub(crate) missing: Vec<Target>,
    /// Every quota the valid targets use, at the due time.
    pub(crate) quotas: Vec<QuotaNeed>,
}

impl CreatorSync {
    /// Resolves `targets`, validates `post` for each platform and reads
    /// the quotas it will use at `due`.
    pub(crate) async fn preflight(
        &self,
        user_id: &str,
        post: &Post,
        targets: &[Target],
        due: DateTime<Utc>,
    ) -> Result<Preflight> {
        let inner = &self.inner;
        crate::account::check_id("user_id", user_id)?;
        let connected = inner.store.list(user_id).await?;
        let resolved = resolve(targets, connected);
        let mut out = Preflight {
            missing: resolved.missing,
            ..Preflight::default()
        };
        for row in &resolved.accounts {
            let p = row.key.platform;
            let module = inner.registry.for_row(row)?;
            if let std::collections::btree_map::Entry::Vacant(slot) = out.invalid.entry(p) {
                let v = validate_with(
                    inner.registry.get(p)?,
                    inner.registry.limits(p)?,
                    post,
                    inner.clock.now(),
                );
                if !v.is_empty() {
                    slot.insert(v);
                }
            }
            out.accounts.push(row.key.clone());
            if out.invalid.contains_key(&p) {
                continue;
            }
            for bucket in module.quotas().into_iter().filter(|b| (b.counts)(post)) {
                let outlook = inner.ledger.outlook(p, &bucket, &row.key, due).await?;
                out.quotas.push(QuotaNeed {
                    platform: p,
                    bucket: bucket.name,
                    outlook,
                });
            }
        }
        Ok(out)
    }

    /// The key-value store the scheduler keeps its records in: the one
    /// the quota ledger uses (the SQLite or PostgreSQL store, a host
    /// key-value store, or memory).
    pub(crate) fn schedule_kv(&self) -> std::sync::Arc<dyn crate::KeyValueStore> {
        self.inner.ledger.kv().clone()
    }

    /// The scheduler's settings and job engine.
    pub(crate) fn jobs(&self) -> &crate::schedule::Jobs {
        &self.inner.jobs
    }

    /// The client's clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// How long a publish-log lease lasts.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn lease_ttl(&self) -> std::time::Duration {
        self.inner.lease_ttl
    }
}

/// All violations together, as `publish` reports them.
pub(crate) fn invalid_post(invalid: &BTreeMap<Platform, Vec<Violation>>) -> Error {
    Error::InvalidPost {
        violations: invalid.values().flatten().cloned().collect(),
    }
}
