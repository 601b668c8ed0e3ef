//! [`Connector`]: the "connect accounts" flow — `begin` gives the URL to
//! send the user to, `complete` turns the callback into stored tokens.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing::{Instrument, info, info_span};
use url::Url;

use super::apps::{AppCredentials, Apps};
use super::context::AuthContext;
use super::oauth2::{grant_is_dead, keep_stored_refresh};
use super::pending::{MemoryPendingStore, PendingConnect, PendingStore};
use super::refresh::{TokenManager, TokenManagerConfig};
use super::state::{Pkce, StateCodec, new_nonce};
use crate::account::check_id;
use crate::platforms::{LOGIN_KEY, Registry};
use crate::{
    Account, EndpointSet, Error, HttpClient, Platform, Result, Secret, StateProblem, StoredToken,
    TokenStore, TokenStoreExt,
};

/// Where to send the user, and the state that will come back.
#[derive(Clone, Debug)]
pub struct AuthorizationRequest {
    /// The platform's authorize URL (holds the state, never the PKCE
    /// verifier).
    pub url: Url,
    /// The signed state (also inside `url`); keep it if you want to
    /// compare it with the callback yourself.
    pub state: String,
}

/// Builds a [`Connector`].
#[derive(Debug, Default)]
pub struct ConnectorBuilder {
    apps: Apps,
    store: Option<Arc<dyn TokenStore>>,
    endpoints: Option<EndpointSet>,
    http: Option<HttpClient>,
    state_secret: Option<Secret<Vec<u8>>>,
    pending: Option<Arc<dyn PendingStore>>,
    state_ttl: Option<Duration>,
    tokens: TokenManagerConfig,
    registry: Option<Registry>,
    versions: BTreeMap<Platform, String>,
}

impl ConnectorBuilder {
    /// All app credentials at once.
    pub fn apps(mut self, apps: Apps) -> Self {
        self.apps = apps;
        self
    }

    /// The app of one platform.
    pub fn app(mut self, platform: Platform, app: AppCredentials) -> Self {
        self.apps = self.apps.with(platform, app);
        self
    }

    /// Where tokens are kept (required).
    pub fn store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Platform hosts (default: production; the emulator's in tests).
    pub fn endpoints(mut self, endpoints: EndpointSet) -> Self {
        self.endpoints = Some(endpoints);
        self
    }

    /// The HTTP client (default: [`HttpClient::default`]).
    pub fn http(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// The app-level secret that signs OAuth states (required, at least
    /// 32 bytes; keep it stable across processes that share callbacks).
    pub fn state_secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.state_secret = Some(Secret::new(secret.into()));
        self
    }

    /// Where pending connects wait (default: in memory; use a shared one
    /// when the callback may reach another process).
    pub fn pending_store(mut self, pending: Arc<dyn PendingStore>) -> Self {
        self.pending = Some(pending);
        self
    }

    /// How long a state stays valid (default 10 minutes). [`build`]
    /// refuses zero and a span beyond the representable date range
    /// ([`Error::InvalidInput`], field `state_ttl`).
    ///
    /// [`build`]: ConnectorBuilder::build
    pub fn state_ttl(mut self, ttl: Duration) -> Self {
        self.state_ttl = Some(ttl);
        self
    }

    /// The API version connect and discovery calls of `platform` ask for
    /// (`LinkedIn-Version` like `202607`, Graph like `v25.0`); default: the
    /// version the SDK pins.
    pub fn api_version(mut self, platform: Platform, version: impl Into<String>) -> Self {
        self.versions.insert(platform, version.into());
        self
    }

    /// The platform modules (tests register their own).
    pub(crate) fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Settings of the token manager.
    pub fn token_config(mut self, config: TokenManagerConfig) -> Self {
        self.tokens = config;
        self
    }

    /// Checks the settings and builds the connector.
    pub fn build(self) -> Result<Connector> {
        let store = self
            .store
            .ok_or_else(|| Error::Config("Connector: a token store is required".into()))?;
        let secret = self
            .state_secret
            .ok_or_else(|| Error::Config("Connector: a state secret is required".into()))?;
        if secret.expose().len() < 32 {
            return Err(Error::Config(
                "Connector: the state secret must be at least 32 bytes".into(),
            ));
        }
        let state_ttl = self.state_ttl.unwrap_or(Duration::from_secs(600));
        let state_ttl = chrono::Duration::from_std(state_ttl)
            .ok()
            .filter(|ttl| !ttl.is_zero() && Utc::now().checked_add_signed(*ttl).is_some())
            .ok_or_else(|| {
                Error::invalid_input(
                    "state_ttl",
                    format!("must be more than zero and within the date range, got {state_ttl:?}"),
                )
            })?;
        let ctx = AuthContext {
            apps: self.apps,
            store,
            endpoints: self.endpoints.unwrap_or_default(),
            http: self.http.unwrap_or_default(),
            registry: self.registry.unwrap_or_default(),
            versions: self.versions,
        };
        Ok(Connector {
            inner: Arc::new(Inner {
                tokens: TokenManager::from_context(ctx.clone(), self.tokens),
                ctx,
                codec: StateCodec::new(secret),
                pending: self
                    .pending
                    .unwrap_or_else(|| Arc::new(MemoryPendingStore::new())),
                state_ttl,
            }),
        })
    }
}

/// Connects creators' accounts. Cheap to clone (an `Arc` inside).
///
/// ```no_run
/// # async fn demo() -> creatorsync_core::Result<()> {
/// use std::sync::Arc;
/// use creatorsync_core::auth::{Apps, Connector};
/// use creatorsync_core::{MemoryTokenStore, Platform};
/// let connector = Connector::builder()
///     .apps(Apps::emulator_defaults())
///     .store(Arc::new(MemoryTokenStore::new()))
///     .state_secret(*b"0123456789abcdef0123456789abcdef")
///     .build()?;
/// let req = connector.begin("user-1", Platform::TikTok, "https://app.example/cb").await?;
/// // ... redirect the browser to req.url; on the callback:
/// let accounts = connector
///     .complete_from_url("user-1", Platform::TikTok, "https://app.example/cb?code=..&state=..")
///     .await?;
/// # let _ = accounts; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Connector {
    pub(super) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) ctx: AuthContext,
    pub(super) codec: StateCodec,
    pub(super) pending: Arc<dyn PendingStore>,
    pub(super) state_ttl: chrono::Duration,
    pub(super) tokens: TokenManager,
}

pub(super) fn bad_state(problem: StateProblem) -> Error {
    Error::InvalidState { problem }
}

pub(super) fn check_redirect(redirect_uri: &str) -> Result<()> {
    let u = Url::parse(redirect_uri)
        .map_err(|e| Error::invalid_input("redirect_uri", e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(Error::invalid_input(
            "redirect_uri",
            "must be http or https",
        ));
    }
    Ok(())
}

impl Connector {
    /// Starts building a connector.
    pub fn builder() -> ConnectorBuilder {
        ConnectorBuilder::default()
    }

    /// The token manager sharing this connector's store and settings.
    pub fn tokens(&self) -> &TokenManager {
        &self.inner.tokens
    }

    /// When a state issued now expires (checked: `build` validated the
    /// span, this only fails for a clock beyond the date range).
    pub(super) fn state_expiry(&self) -> Result<DateTime<Utc>> {
        Utc::now()
            .checked_add_signed(self.inner.state_ttl)
            .ok_or_else(|| Error::invalid_input("state_ttl", "beyond the supported date range"))
    }

    /// Starts an OAuth 2.0 connect (for X: the OAuth 2.0 PKCE flow; see
    /// [`Connector::begin_oauth1`] for OAuth 1.0a).
    pub async fn begin(
        &self,
        user_id: &str,
        platform: Platform,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest> {
        check_id("user_id", user_id)?;
        check_redirect(redirect_uri)?;
        let span = info_span!("connect_begin", %platform, user_id);
        async {
            let ctx = &self.inner.ctx;
            let module = ctx.connecting(platform)?;
            let app = ctx.app(module);
            app.app()?;
            let nonce = new_nonce();
            let pkce = module.uses_pkce().then(Pkce::new);
            let verifier = pkce.as_ref().map(|p| p.verifier.expose().as_str());
            let expires_at = self.state_expiry()?;
            let state = self
                .inner
                .codec
                .issue(&nonce, user_id, platform, verifier, expires_at);
            let scopes = module.scopes(ctx.apps.uses_of(platform));
            let url = module.authorize_url(&app, &scopes, redirect_uri, &state, pkce.as_ref())?;
            self.inner
                .pending
                .insert(
                    &nonce,
                    PendingConnect {
                        user_id: user_id.to_owned(),
                        platform,
                        redirect_uri: redirect_uri.to_owned(),
                        pkce_verifier: pkce.map(|p| p.verifier),
                        request_token_secret: None,
                        expires_at,
                    },
                )
                .await?;
            info!("connect started");
            Ok(AuthorizationRequest { url, state })
        }
        .instrument(span)
        .await
    }

    /// Verifies `state` and takes its pending entry (single use).
    async fn take_pending(
        &self,
        user_id: &str,
        platform: Platform,
        state: &str,
    ) -> Result<PendingConnect> {
        let now = Utc::now();
        let codec = &self.inner.codec;
        let verified = codec
            .verify(state, user_id, platform, now)
            .map_err(bad_state)?;
        let pending = self
            .inner
            .pending
            .take(&verified.nonce)
            .await?
            .ok_or(bad_state(StateProblem::Replayed))?;
        if pending.platform != platform {
            return Err(bad_state(StateProblem::WrongPlatform));
        }
        if pending.user_id != user_id {
            return Err(bad_state(StateProblem::WrongUser));
        }
        if pending.expires_at <= now {
            return Err(bad_state(StateProblem::Expired));
        }
        let verifier = pending.pkce_verifier.as_ref().map(|v| v.expose().as_str());
        if !codec.verifier_matches(&verified, verifier) {
            return Err(bad_state(StateProblem::Tampered));
        }
        Ok(pending)
    }

    /// Completes an OAuth 2.0 connect with the callback's `code` and
    /// `state`: verifies the state, exchanges the code, reads the
    /// profile(s), stores the token(s) and returns the connected accounts
    /// (LinkedIn: the member and each administered organization; Facebook:
    /// each page; Instagram: each professional account linked to a page).
    pub async fn complete(
        &self,
        user_id: &str,
        platform: Platform,
        code: &str,
        state: &str,
    ) -> Result<Vec<Account>> {
        let span = info_span!("connect_complete", %platform, user_id);
        async {
            let pending = self.take_pending(user_id, platform, state).await?;
            let ctx = &self.inner.ctx;
            let module = ctx.connecting(platform)?;
            let app = ctx.app(module);
            let verifier = pending.pkce_verifier.as_ref().map(|v| v.expose().as_str());
            let grant = module
                .exchange_code(&app, code, &pending.redirect_uri, verifier)
                .await
                .map_err(|e| {
                    // A refused code (wrong PKCE verifier, reused or expired
                    // code) is a refused authorization, not a dead token.
                    if grant_is_dead(&e) {
                        Error::AuthorizationDenied {
                            platform,
                            error: "invalid_grant".into(),
                            description: Some(e.to_string()),
                        }
                    } else {
                        e
                    }
                })?;
            let mut rows = module.discover(&app, user_id, grant, Utc::now()).await?;
            if let Some(login) = module.login() {
                for row in &mut rows {
                    row.metadata.insert(LOGIN_KEY.to_owned(), login.to_owned());
                }
            }
            self.save(user_id, platform, rows).await
        }
        .instrument(span)
        .await
    }

    pub(super) async fn save(
        &self,
        user_id: &str,
        platform: Platform,
        rows: Vec<StoredToken>,
    ) -> Result<Vec<Account>> {
        let store = &self.inner.ctx.store;
        let mut saved = Vec::with_capacity(rows.len());
        for mut row in rows {
            // A reconnect whose answer has no refresh token keeps the
            // stored one, as a refresh does.
            if let Some(stored) = store.get(&row.key).await? {
                keep_stored_refresh(&mut row.credential, &stored.credential);
            }
            row.version = store.upsert(&row).await?;
            saved.push(row);
        }
        self.inner.tokens.remember(user_id, platform, &saved);
        info!(accounts = saved.len(), "connected");
        Ok(saved.iter().map(StoredToken::account).collect())
    }

    /// Completes a connect from the full callback URL: handles
    /// `error=access_denied` (→ [`Error::AuthorizationDenied`], after the
    /// state is checked and consumed) and, for X, OAuth 1.0a callbacks
    /// (`oauth_token` + `oauth_verifier`, or `denied`).
    pub async fn complete_from_url(
        &self,
        user_id: &str,
        platform: Platform,
        callback_url: &str,
    ) -> Result<Vec<Account>> {
        let url = Url::parse(callback_url)
            .map_err(|e| Error::invalid_input("callback_url", e.to_string()))?;
        let get = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if self.inner.ctx.module(platform)?.oauth1().is_some()
            && let Some(token) = get("oauth_token").or_else(|| get("denied"))
        {
            return match get("oauth_verifier") {
                Some(verifier) if get("denied").is_none() => {
                    self.complete_oauth1(user_id, &token, &verifier).await
                }
                _ => {
                    self.take_oauth1_pending(user_id, &token).await?;
                    Err(Error::AuthorizationDenied {
                        platform,
                        error: "access_denied".into(),
                        description: None,
                    })
                }
            };
        }
        let state = get("state").ok_or_else(|| bad_state(StateProblem::Tampered))?;
        if let Some(error) = get("error") {
            self.take_pending(user_id, platform, &state).await?;
            return Err(Error::AuthorizationDenied {
                platform,
                error,
                description: get("error_description"),
            });
        }
        let code = get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Error::invalid_input("callback_url", "has neither code nor error"))?;
        self.complete(user_id, platform, &code, &state).await
    }
}
