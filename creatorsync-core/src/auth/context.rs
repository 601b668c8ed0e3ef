//! What the connector and the token manager share.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::apps::Apps;
use crate::platforms::{OAuth1Flow, OAuthApp, PlatformModule, Registry};
use crate::{EndpointSet, HttpClient, Platform, Profile, Result, StoredToken, TokenStore};

/// Apps, store, endpoints, HTTP client and the platform modules, shared by
/// the auth types.
#[derive(Clone, Debug)]
pub(crate) struct AuthContext {
    pub(crate) apps: Apps,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) endpoints: EndpointSet,
    pub(crate) http: HttpClient,
    pub(crate) registry: Registry,
    /// API versions configured per platform (LinkedIn, Graph).
    pub(crate) versions: BTreeMap<Platform, String>,
}

impl AuthContext {
    /// The module of `platform` (its original connection mode).
    pub(crate) fn module(&self, platform: Platform) -> Result<&dyn PlatformModule> {
        self.registry.get(platform)
    }

    /// The module new connections of `platform` go through (the app's
    /// connection mode).
    pub(crate) fn connecting(&self, platform: Platform) -> Result<&dyn PlatformModule> {
        self.registry
            .get_login(platform, self.apps.login_of(platform))
    }

    /// The module that made `row`.
    pub(crate) fn module_of(&self, row: &StoredToken) -> Result<&dyn PlatformModule> {
        self.registry.for_row(row)
    }

    /// The platform that connects with OAuth 1.0a, and its flow.
    pub(crate) fn oauth1(&self) -> Result<(Platform, &dyn OAuth1Flow)> {
        self.registry
            .iter()
            .find_map(|m| Some((m.platform(), m.oauth1()?)))
            .ok_or_else(|| crate::Error::Config("no platform connects with OAuth 1.0a".into()))
    }

    /// The live profile of a stored account.
    pub(crate) async fn live_profile(&self, row: &StoredToken) -> Result<Profile> {
        let module = self.module_of(row)?;
        module.live_profile(&self.app(module), row).await
    }

    /// The scopes connecting to `platform` asks for.
    pub(crate) fn scopes(&self, platform: Platform) -> Result<Vec<&'static str>> {
        Ok(self
            .connecting(platform)?
            .scopes(self.apps.uses_of(platform)))
    }

    /// The app's side of calls through `module` (its platform and
    /// connection mode).
    pub(crate) fn app(&self, module: &dyn PlatformModule) -> OAuthApp<'_> {
        let (platform, login) = (module.platform(), module.login());
        OAuthApp {
            platform,
            apps: &self.apps,
            endpoints: self.endpoints.get_login(platform, login),
            http: &self.http,
            api_version: self.versions.get(&platform).map(String::as_str),
            login,
        }
    }
}
