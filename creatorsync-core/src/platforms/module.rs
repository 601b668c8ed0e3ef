//! [`PlatformModule`]: everything CreatorSync knows about one platform,
//! behind one trait. The [`Registry`](super::Registry) holds one per
//! platform; the connector, the token manager, validation and the publisher
//! ask it instead of matching on [`Platform`].
//!
//! A module is configuration-free (its hosts, scopes, limits and protocol
//! are facts about the platform); what varies per app comes in as an
//! [`OAuthApp`] or a [`ClientConfig`].

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::content::{AltTextRule, LinkPlacement, MentionForm};
use super::{ClientConfig, PlatformClient};
use crate::auth::apps::{AppCredentials, Apps, ScopeUse};
use crate::auth::oauth2::TokenGrant;
use crate::auth::state::Pkce;
use crate::http::{ErrorShape, Host};
use crate::media_host::MediaHost;
use crate::{
    AccountKey, Capabilities, Credential, Endpoints, HttpClient, Platform, Post, Profile, Result,
    StoredToken, Violation,
};

/// The app's side of one call to a platform's OAuth or account endpoints:
/// the app credentials, the platform's hosts and the HTTP client.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OAuthApp<'a> {
    /// The platform called.
    pub(crate) platform: Platform,
    /// Every app configured (X's OAuth 1.0a consumer is one of them).
    pub(crate) apps: &'a Apps,
    /// The platform's hosts.
    pub(crate) endpoints: &'a Endpoints,
    /// The HTTP client.
    pub(crate) http: &'a HttpClient,
    /// The API version configured for the platform, when one is.
    pub(crate) api_version: Option<&'a str>,
    /// The connection mode called ([`PlatformModule::login`]).
    pub(crate) login: Option<&'static str>,
}

impl OAuthApp<'_> {
    /// `path` on one of the platform's hosts.
    pub(crate) fn url(&self, host: Host, path: &str) -> Url {
        self.endpoints.url(host, path)
    }

    /// The OAuth 2.0 app of the platform's connection mode.
    pub(crate) fn app(&self) -> Result<&AppCredentials> {
        self.apps.app_of(self.platform, self.login)
    }

    /// The app's client secret, or a configuration error.
    pub(crate) fn secret(&self) -> Result<&str> {
        self.app()?.secret(self.platform)
    }
}

/// Where a platform's own rules report what a post breaks.
#[derive(Debug)]
pub(crate) struct Check {
    /// The platform checked.
    pub(crate) platform: Platform,
    /// Images in the post (animated GIFs not included).
    pub(crate) images: usize,
    /// Animated GIFs in the post.
    pub(crate) gifs: usize,
    /// Videos in the post.
    pub(crate) videos: usize,
    /// Now on the SDK's clock (scheduled times are checked against it).
    pub(crate) now: chrono::DateTime<chrono::Utc>,
    /// What the post breaks so far.
    pub(crate) violations: Vec<Violation>,
}

impl Check {
    /// Records a broken rule.
    pub(crate) fn push(&mut self, field: impl Into<String>, code: &str, message: String) {
        self.violations.push(Violation {
            platform: Some(self.platform),
            field: field.into(),
            code: code.to_owned(),
            message,
        });
    }
}

/// A platform's OAuth 1.0a three-legged flow (X only, today).
#[async_trait]
pub(crate) trait OAuth1Flow: Send + Sync + Debug {
    /// Leg 1: a request token and its secret for `callback`.
    async fn request_token(
        &self,
        app: &OAuthApp<'_>,
        callback: &str,
    ) -> Result<(String, crate::Secret<String>)>;

    /// Leg 2: where to send the user.
    fn authorize_url(&self, app: &OAuthApp<'_>, request_token: &str) -> Result<Url>;

    /// Leg 3 and discovery: the accounts of the authorized request token,
    /// as rows to store.
    async fn complete(
        &self,
        app: &OAuthApp<'_>,
        user_id: &str,
        request: (&str, &str),
        verifier: &str,
    ) -> Result<Vec<StoredToken>>;
}

/// What a publish client may need besides its [`ClientConfig`].
#[derive(Clone, Debug, Default)]
pub(crate) struct ClientExtras {
    /// Where media without a public URL is staged (Instagram, TikTok photos).
    pub(crate) media_host: Option<Arc<dyn MediaHost>>,
}

/// Everything about one platform. Implemented once per folder under
/// `platforms/`; see `docs/adding-a-platform.md`.
#[async_trait]
pub(crate) trait PlatformModule: ErrorShape + Debug {
    /// The platform's display name ("LinkedIn").
    fn display_name(&self) -> &'static str;

    /// What a post may hold (text length and counting, media counts, types
    /// and sizes).
    fn capabilities(&self) -> &'static Capabilities;

    /// The longest text `post` may have under `caps` (the module's own
    /// limits or the app's), counted per [`Capabilities::text_counting`]
    /// (TikTok photo posts allow more).
    fn max_text(&self, post: &Post, caps: &Capabilities) -> usize {
        let _ = post;
        caps.max_text
    }

    /// The platform's posting quotas, as data with their sources.
    fn quotas(&self) -> Vec<crate::quota::Bucket> {
        Vec::new()
    }

    /// The quotas reading post metrics uses (YouTube's daily units):
    /// checked before each read, blocked when the platform says they are
    /// used up.
    fn read_quotas(&self) -> Vec<crate::quota::Bucket> {
        Vec::new()
    }

    /// The platform's own rules beyond [`PlatformModule::capabilities`]
    /// (e.g. a YouTube title, an Instagram Reel's single video).
    fn check(&self, post: &Post, check: &mut Check) {
        let _ = (post, check);
    }

    /// When the platform itself publishes `post` later (its native
    /// scheduling option), if the post asks for it.
    fn native_schedule(&self, post: &Post) -> Option<chrono::DateTime<chrono::Utc>> {
        let _ = post;
        None
    }

    /// Sets `post` to go live at `at` through the platform's own
    /// scheduling (upload now, live at the time); false when the platform
    /// has none. The scheduler's native mode uses it.
    fn schedule_natively(&self, post: &mut Post, at: chrono::DateTime<chrono::Utc>) -> bool {
        let _ = (post, at);
        false
    }

    /// The rule on what is inside `media` (an item of `post`): duration,
    /// size, aspect ratio, frame rate, codecs, faststart. Stated as data in
    /// the platform's `limits.rs`; checked against the media's probe.
    fn media_rule(
        &self,
        post: &Post,
        media: &crate::Media,
    ) -> Option<&'static crate::media::rules::MediaRule> {
        let _ = (post, media);
        None
    }

    /// The real production hosts.
    fn production_endpoints(&self) -> Endpoints;

    /// The scopes to ask for `uses` (already including what publishing
    /// needs when [`ScopeUse::Publish`] is in it).
    fn scopes(&self, uses: &[ScopeUse]) -> Vec<&'static str>;

    /// Whether an access token can be renewed without the user.
    fn refreshes(&self) -> bool {
        true
    }

    /// How long before its expiry a token of this module is renewed, when
    /// that must be earlier than the token manager's skew (Instagram
    /// Login's 60-day tokens: renewed on any use in their last 30 days, so a
    /// weekly poster never lets one die).
    fn refresh_window(&self) -> Option<std::time::Duration> {
        None
    }

    /// Whether the authorize leg carries a PKCE challenge.
    fn uses_pkce(&self) -> bool {
        false
    }

    /// The URL to send the user's browser to.
    fn authorize_url(
        &self,
        app: &OAuthApp<'_>,
        scopes: &[&str],
        redirect_uri: &str,
        state: &str,
        pkce: Option<&Pkce>,
    ) -> Result<Url>;

    /// Trades an authorization code for a grant.
    async fn exchange_code(
        &self,
        app: &OAuthApp<'_>,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<TokenGrant>;

    /// Uses a refresh token; the answer may or may not carry a new one.
    async fn refresh(&self, app: &OAuthApp<'_>, refresh_token: &str) -> Result<TokenGrant>;

    /// Revokes the grant behind `row` at the platform.
    async fn revoke(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<()>;

    /// The accounts a fresh grant gives access to, as rows to store.
    async fn discover(
        &self,
        app: &OAuthApp<'_>,
        user_id: &str,
        grant: TokenGrant,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredToken>>;

    /// The live profile of a stored account (one cheap authenticated call).
    async fn live_profile(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile>;

    /// Whether `a` and `b` (two rows of one user on this platform) use one
    /// grant, so disconnecting one must not revoke it.
    fn shares_grant(&self, a: &StoredToken, b: &StoredToken) -> bool {
        a.credential == b.credential
    }

    /// The OAuth 1.0a flow, when the platform has one.
    fn oauth1(&self) -> Option<&dyn OAuth1Flow> {
        None
    }

    /// The API version policy, when the platform versions its API.
    fn versions(&self) -> Option<&'static VersionCalendar> {
        None
    }

    /// The connection mode this module serves when the platform has more
    /// than one (Instagram Login: `"instagram"`); None for the platform's
    /// original one. The connector records it in every row it stores
    /// (`metadata[LOGIN_KEY]`), so refreshing and publishing use the
    /// module that made the row whatever the app connects with today.
    fn login(&self) -> Option<&'static str> {
        None
    }

    /// The publish client for one app.
    fn client(&self, config: ClientConfig, extras: &ClientExtras) -> Arc<dyn PlatformClient>;

    /// How the platform carries a post's thread parts and first comment
    /// (see [`crate::thread`]).
    fn sequences(&self) -> crate::thread::Sequences {
        crate::thread::Sequences::Unsupported("not supported by this SDK for this platform yet")
    }

    /// The quotas a comment (a first comment, or a thread part carried as
    /// a comment) uses: checked before its create and blocked when the
    /// platform says they are used up, like a post's. Comments do not
    /// count against the post quotas.
    fn comment_quotas(&self) -> Vec<crate::quota::Bucket> {
        Vec::new()
    }

    /// What [`Post::draft`] becomes on this platform; `None`: the platform
    /// has no draft its API can make, and validation refuses a draft.
    fn draft(&self) -> Option<crate::DraftKind> {
        None
    }

    /// The platform's alt text on images (None: it takes none, alt text is
    /// not sent).
    fn alt_text(&self) -> Option<&'static AltTextRule> {
        None
    }

    /// How the platform writes a mention of `name`, known there as `id`
    /// (default: `@handle`).
    fn mention(&self, name: &str, id: &str) -> MentionForm {
        let _ = name;
        super::content::handle_mention(id)
    }

    /// Plain text as the platform's text format needs it (default: as is).
    fn escape_text(&self, text: &str) -> String {
        text.to_owned()
    }

    /// Where `post`'s link goes (default: not shown).
    fn link_placement(&self, post: &Post) -> LinkPlacement {
        let _ = post;
        LinkPlacement::Dropped
    }
}

/// A pinned API version with its known-good neighbours and their published
/// sunset dates.
#[derive(Debug)]
pub(crate) struct VersionCalendar {
    /// The version sent by default.
    pub(crate) pinned: &'static str,
    /// Versions known to work, newest first, with the date each stops
    /// working (`YYYY-MM-DD`) and where that date was published.
    pub(crate) known: &'static [KnownVersion],
}

impl VersionCalendar {
    /// Days from `today` to the pinned version's sunset (None when the
    /// calendar does not list it).
    pub(crate) fn pinned_days_left(&self, today: chrono::NaiveDate) -> Option<i64> {
        let k = self.known.iter().find(|k| k.version == self.pinned)?;
        let sunset = chrono::NaiveDate::parse_from_str(k.sunset, "%Y-%m-%d").ok()?;
        Some((sunset - today).num_days())
    }
}

/// The row metadata naming the connection mode that made it
/// ([`PlatformModule::login`]); absent for the platform's original mode.
pub(crate) const LOGIN_KEY: &str = "login";

/// How long before its sunset a pinned version is called stale (warned at
/// build time, and failing the calendar test).
pub(crate) const STALE_WITHIN_DAYS: i64 = 60;

/// One API version and its sunset.
#[derive(Debug)]
pub(crate) struct KnownVersion {
    /// The version string as sent (`202607`, `v25.0`).
    pub(crate) version: &'static str,
    /// The last day it is served, `YYYY-MM-DD` (UTC).
    pub(crate) sunset: &'static str,
    /// Where the sunset date comes from.
    pub(crate) source: &'static str,
}

/// Helper for modules: a stored row for one discovered account.
pub(crate) fn account_row(
    user_id: &str,
    platform: Platform,
    profile: Profile,
    credential: Credential,
    metadata: BTreeMap<String, String>,
) -> Result<StoredToken> {
    let key = AccountKey::new(user_id, platform, profile.platform_user_id.clone())?;
    let mut t = StoredToken::new(key, credential, profile);
    t.metadata = metadata;
    Ok(t)
}

/// Helper for single-account platforms: the one row of a fresh grant
/// (`open_id` stands in for a profile without an id, as TikTok's may be).
pub(crate) fn single_account(
    user_id: &str,
    platform: Platform,
    mut profile: Profile,
    grant: TokenGrant,
    now: DateTime<Utc>,
) -> Result<Vec<StoredToken>> {
    if profile.platform_user_id.is_empty() {
        profile.platform_user_id = grant.open_id.clone().unwrap_or_default();
    }
    let credential = grant.into_credential(now, None);
    Ok(vec![account_row(
        user_id,
        platform,
        profile,
        credential,
        BTreeMap::new(),
    )?])
}
