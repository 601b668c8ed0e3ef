//! What the connector and the token manager share.

use std::sync::Arc;

use super::apps::Apps;
use super::providers::Provider;
use super::x_oauth1::XOAuth1;
use crate::{EndpointSet, HttpClient, Platform, Result, TokenStore};

/// Apps, store, endpoints and HTTP client, shared by the auth types.
#[derive(Clone, Debug)]
pub(crate) struct AuthContext {
    pub(crate) apps: Apps,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) endpoints: EndpointSet,
    pub(crate) http: HttpClient,
}

impl AuthContext {
    /// The OAuth 2.0 provider of `platform` (fails when no app is set).
    pub(crate) fn provider(&self, platform: Platform) -> Result<Provider<'_>> {
        Ok(Provider {
            platform,
            app: self.apps.get(platform)?,
            endpoints: self.endpoints.get(platform),
            http: &self.http,
        })
    }

    /// X's OAuth 1.0a legs (fails when no consumer is set).
    pub(crate) fn x_oauth1(&self) -> Result<XOAuth1<'_>> {
        Ok(XOAuth1 {
            consumer: self.apps.x_consumer()?,
            endpoints: &self.endpoints.x,
            http: &self.http,
        })
    }
}
