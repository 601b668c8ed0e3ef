//! The [`Registry`]: which [`PlatformModule`] serves each [`Platform`], and
//! each further connection mode of a platform (Instagram Login). Adding a
//! platform is one line in [`Registry::standard`].

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use super::module::{LOGIN_KEY, PlatformModule, STALE_WITHIN_DAYS};
use super::{facebook, instagram, linkedin, tiktok, x, youtube};
use crate::{Capabilities, Error, Platform, Result, StoredToken};

/// One module per platform, plus one per further connection mode. Cheap to
/// clone.
#[derive(Clone, Debug)]
pub(crate) struct Registry {
    modules: BTreeMap<Platform, Arc<dyn PlatformModule>>,
    /// Limits the app set in place of a module's own.
    limits: BTreeMap<Platform, Arc<Capabilities>>,
    logins: BTreeMap<(Platform, &'static str), Arc<dyn PlatformModule>>,
}

static STANDARD: LazyLock<Registry> = LazyLock::new(|| {
    Registry::empty()
        .with(Arc::new(x::X))
        .with(Arc::new(linkedin::LinkedIn))
        .with(Arc::new(facebook::Facebook))
        .with(Arc::new(instagram::Instagram))
        .with(Arc::new(instagram::InstagramLogin))
        .with(Arc::new(youtube::YouTube))
        .with(Arc::new(tiktok::TikTok))
});

impl Registry {
    /// No platform at all.
    pub(crate) fn empty() -> Self {
        Self {
            modules: BTreeMap::new(),
            limits: BTreeMap::new(),
            logins: BTreeMap::new(),
        }
    }

    /// The six platforms CreatorSync ships.
    pub(crate) fn standard() -> &'static Registry {
        &STANDARD
    }

    /// This registry with `module` serving its platform, or its connection
    /// mode when [`PlatformModule::login`] names one (replacing any module
    /// registered for it before).
    pub(crate) fn with(mut self, module: Arc<dyn PlatformModule>) -> Self {
        match module.login() {
            Some(login) => self.logins.insert((module.platform(), login), module),
            None => self.modules.insert(module.platform(), module),
        };
        self
    }

    /// This registry with `caps` as `platform`'s limits for validation.
    pub(crate) fn with_limits(mut self, platform: Platform, caps: Capabilities) -> Self {
        self.limits.insert(platform, Arc::new(caps));
        self
    }

    /// The limits posts to `platform` are validated against.
    pub(crate) fn limits(&self, platform: Platform) -> Result<&Capabilities> {
        match self.limits.get(&platform) {
            Some(caps) => Ok(caps),
            None => Ok(self.get(platform)?.capabilities()),
        }
    }

    /// The module of `platform` (its original connection mode: its rules
    /// and limits).
    pub(crate) fn get(&self, platform: Platform) -> Result<&dyn PlatformModule> {
        self.modules
            .get(&platform)
            .map(|m| &**m)
            .ok_or_else(|| Error::Config(format!("{platform}: no platform module registered")))
    }

    /// The module of `platform`'s connection mode `login` (None: the
    /// original one).
    pub(crate) fn get_login(
        &self,
        platform: Platform,
        login: Option<&str>,
    ) -> Result<&dyn PlatformModule> {
        let Some(login) = login else {
            return self.get(platform);
        };
        self.logins
            .iter()
            .find(|((p, l), _)| *p == platform && *l == login)
            .map(|(_, m)| &**m)
            .ok_or_else(|| {
                Error::Config(format!(
                    "{platform}: no platform module registered for the connection mode {login:?}"
                ))
            })
    }

    /// The module that made `row` (its recorded connection mode).
    pub(crate) fn for_row(&self, row: &StoredToken) -> Result<&dyn PlatformModule> {
        self.get_login(
            row.key.platform,
            row.metadata.get(LOGIN_KEY).map(String::as_str),
        )
    }

    /// A warning per platform whose pinned API version is retired or
    /// within [`STALE_WITHIN_DAYS`] of it on `today`.
    pub(crate) fn stale_versions(&self, today: chrono::NaiveDate) -> Vec<String> {
        self.iter()
            .filter_map(|m| {
                let cal = m.versions()?;
                let left = cal.pinned_days_left(today)?;
                (left <= STALE_WITHIN_DAYS).then(|| {
                    let k = cal.known.iter().find(|k| k.version == cal.pinned);
                    format!(
                        "{}: API version {} {} on {} ({}); upgrade creatorsync or configure a newer api_version",
                        m.platform(),
                        cal.pinned,
                        if left < 0 { "was retired" } else { "is retired" },
                        k.map_or("?", |k| k.sunset),
                        k.map_or("", |k| k.source),
                    )
                })
            })
            .collect()
    }

    /// Every registered module, in platform order, the further connection
    /// modes after the original ones.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &dyn PlatformModule> {
        self.modules
            .values()
            .chain(self.logins.values())
            .map(|m| &**m)
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::standard().clone()
    }
}
