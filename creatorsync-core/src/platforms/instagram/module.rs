//! [`Instagram`]: the Instagram platform module. Instagram professional accounts (through Facebook Login; Graph calls in [`crate::platforms::meta`]).

use crate::media::rules::MediaRule;
use crate::platforms::content::AltTextRule;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::{InstagramClient, limits};
use crate::auth::apps::ScopeUse;
use crate::auth::oauth2::TokenGrant;
use crate::auth::state::Pkce;
use crate::http::{ErrorBody, ErrorShape};
use crate::platforms::meta::accounts::{Rows, same_login};
use crate::platforms::meta::{accounts, errors, oauth, version};
use crate::platforms::module::{Check, ClientExtras, OAuthApp, PlatformModule, VersionCalendar};
use crate::platforms::{ClientConfig, PlatformClient};
use crate::{Capabilities, Endpoints, Error, Platform, Post, Profile, Result, StoredToken};

/// Instagram.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Instagram;

impl ErrorShape for Instagram {
    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    fn error(&self, body: &ErrorBody<'_>) -> Error {
        errors::map(body)
    }
}

#[async_trait]
impl PlatformModule for Instagram {
    fn display_name(&self) -> &'static str {
        "Instagram"
    }

    fn capabilities(&self) -> &'static Capabilities {
        &limits::CAPS
    }

    fn quotas(&self) -> Vec<crate::quota::Bucket> {
        limits::quotas()
    }

    fn check(&self, post: &Post, check: &mut Check) {
        limits::check(post, check);
    }

    fn media_rule(&self, post: &crate::Post, media: &crate::Media) -> Option<&'static MediaRule> {
        limits::media_rule(post, media)
    }

    fn production_endpoints(&self) -> Endpoints {
        Endpoints::fixed(
            "https://www.facebook.com",
            "https://graph.facebook.com",
            "https://graph.facebook.com",
            "https://rupload.facebook.com",
        )
    }

    fn scopes(&self, uses: &[ScopeUse]) -> Vec<&'static str> {
        let mut s = vec![
            "instagram_basic",
            "pages_show_list",
            "pages_read_engagement",
            "business_management",
        ];
        if uses.contains(&ScopeUse::Publish) {
            s.insert(1, "instagram_content_publish");
            // First comments and threads as comments (`comment.rs`).
            s.push("instagram_manage_comments");
        }
        if uses.contains(&ScopeUse::Analytics) {
            s.push("instagram_manage_insights");
        }
        s
    }

    fn refreshes(&self) -> bool {
        false
    }

    fn authorize_url(
        &self,
        app: &OAuthApp<'_>,
        scopes: &[&str],
        redirect_uri: &str,
        state: &str,
        _: Option<&Pkce>,
    ) -> Result<Url> {
        oauth::authorize_url(app, scopes, redirect_uri, state)
    }

    async fn exchange_code(
        &self,
        app: &OAuthApp<'_>,
        code: &str,
        redirect_uri: &str,
        _: Option<&str>,
    ) -> Result<TokenGrant> {
        oauth::exchange_code(self, app, code, redirect_uri).await
    }

    async fn refresh(&self, _: &OAuthApp<'_>, _: &str) -> Result<TokenGrant> {
        Err(oauth::refresh(self))
    }

    async fn revoke(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<()> {
        oauth::revoke(self, app, row).await
    }

    async fn discover(
        &self,
        app: &OAuthApp<'_>,
        user_id: &str,
        grant: TokenGrant,
        _: DateTime<Utc>,
    ) -> Result<Vec<StoredToken>> {
        accounts::discover(app, self, Rows::LinkedInstagram, user_id, grant).await
    }

    async fn live_profile(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile> {
        let token = crate::platforms::common::access_token(Platform::Instagram, row)?;
        accounts::profile(
            app,
            self,
            token,
            &row.key.account_id,
            "id,username,name",
            "instagram_business",
        )
        .await
    }

    fn shares_grant(&self, a: &StoredToken, b: &StoredToken) -> bool {
        same_login(a, b)
    }

    fn versions(&self) -> Option<&'static VersionCalendar> {
        Some(&version::CALENDAR)
    }

    fn client(&self, config: ClientConfig, extras: &ClientExtras) -> Arc<dyn PlatformClient> {
        let c = InstagramClient::new(config);
        Arc::new(match &extras.media_host {
            Some(h) => c.with_media_host(h.clone()),
            None => c,
        })
    }

    fn sequences(&self) -> crate::thread::Sequences {
        super::comment::SEQUENCES
    }

    fn alt_text(&self) -> Option<&'static AltTextRule> {
        Some(&super::content::ALT_TEXT)
    }
}
