//! [`Facebook`]: the Facebook platform module. Facebook Pages (through Facebook Login; Graph calls in [`crate::platforms::meta`]).

use crate::media::rules::MediaRule;
use crate::platforms::content::{AltTextRule, LinkPlacement};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::{FacebookClient, limits};
use crate::auth::apps::ScopeUse;
use crate::auth::oauth2::TokenGrant;
use crate::auth::state::Pkce;
use crate::http::{ErrorBody, ErrorShape};
use crate::platforms::meta::accounts::{Rows, same_login};
use crate::platforms::meta::{accounts, errors, oauth, version};
use crate::platforms::module::{Check, ClientExtras, OAuthApp, PlatformModule, VersionCalendar};
use crate::platforms::{ClientConfig, PlatformClient};
use crate::{Capabilities, Endpoints, Error, Platform, Profile, Result, StoredToken};

/// Facebook.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Facebook;

impl ErrorShape for Facebook {
    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    fn error(&self, body: &ErrorBody<'_>) -> Error {
        errors::map(body)
    }
}

#[async_trait]
impl PlatformModule for Facebook {
    fn display_name(&self) -> &'static str {
        "Facebook"
    }

    fn capabilities(&self) -> &'static Capabilities {
        &limits::CAPS
    }

    fn quotas(&self) -> Vec<crate::quota::Bucket> {
        limits::quotas()
    }

    fn check(&self, post: &crate::Post, check: &mut Check) {
        limits::check(post, check);
        super::manage::check_draft(post, check);
    }

    fn native_schedule(&self, post: &crate::Post) -> Option<chrono::DateTime<chrono::Utc>> {
        post.options.facebook.scheduled_publish_time
    }

    /// `published=false` + `scheduled_publish_time` (feed posts; validation
    /// refuses videos and a time outside 10 minutes to 30 days ahead).
    fn schedule_natively(&self, post: &mut crate::Post, at: chrono::DateTime<chrono::Utc>) -> bool {
        post.options.facebook.scheduled_publish_time = Some(at);
        true
    }

    fn media_rule(&self, post: &crate::Post, media: &crate::Media) -> Option<&'static MediaRule> {
        limits::media_rule(post, media)
    }

    fn production_endpoints(&self) -> Endpoints {
        Endpoints::fixed(
            "https://www.facebook.com",
            "https://graph.facebook.com",
            "https://graph.facebook.com",
            // Page Reels' byte uploads; Page videos use the Resumable
            // Upload API on the Graph host (the graph-video host is
            // deprecated).
            "https://rupload.facebook.com",
        )
    }

    fn scopes(&self, uses: &[ScopeUse]) -> Vec<&'static str> {
        let mut s = vec!["pages_show_list", "pages_read_engagement"];
        if uses.contains(&ScopeUse::Publish) {
            s.extend(["pages_manage_posts", "publish_video"]);
        }
        if uses.contains(&ScopeUse::Analytics) {
            s.push("read_insights");
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
        accounts::discover(app, self, Rows::Pages, user_id, grant).await
    }

    async fn live_profile(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile> {
        let token = crate::platforms::common::access_token(Platform::Facebook, row)?;
        accounts::profile(app, self, token, &row.key.account_id, "id,name", "page").await
    }

    fn shares_grant(&self, a: &StoredToken, b: &StoredToken) -> bool {
        same_login(a, b)
    }

    fn versions(&self) -> Option<&'static VersionCalendar> {
        Some(&version::CALENDAR)
    }

    fn client(&self, config: ClientConfig, _: &ClientExtras) -> Arc<dyn PlatformClient> {
        Arc::new(FacebookClient::new(config))
    }

    fn sequences(&self) -> crate::thread::Sequences {
        super::comment::SEQUENCES
    }

    fn draft(&self) -> Option<crate::DraftKind> {
        Some(crate::DraftKind::Unpublished)
    }

    fn alt_text(&self) -> Option<&'static AltTextRule> {
        Some(&super::content::ALT_TEXT)
    }

    fn link_placement(&self, post: &crate::Post) -> LinkPlacement {
        super::content::link_placement(post)
    }
}
