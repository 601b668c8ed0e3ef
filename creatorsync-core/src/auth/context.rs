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
    /// The module of `platform`.
    pub(crate) fn module(&self, platform: Platform) -> Result<&dyn PlatformModule> {
        self.registry.get(platform)
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
        let platform = row.key.platform;
        self.module(platform)?
            .live_profile(&self.app(platform), row)
            .await
    }

    /// The scopes connecting to `platform` asks for.
    pub(crate) fn scopes(&self, platform: Platform) -> Result<Vec<&'static str>> {
        Ok(self.module(platform)?.scopes(self.apps.uses_of(platform)))
    }

    /// The app's side of calls to `platform`.
    pub(crate) fn app(&self, platform: Platform) -> OAuthApp<'_> {
        OAuthApp {
            platform,
            apps: &self.apps,
            endpoints: self.endpoints.get(platform),
            http: &self.http,
            api_version: self.versions.get(&platform).map(String::as_str),
        }
    }
}
