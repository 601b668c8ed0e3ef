//! Your app's OAuth credentials per platform, and what each platform needs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Platform, Result, Secret};

/// OAuth 2.0 client credentials of your app on one platform (TikTok calls
/// the id `client_key`; Facebook and Instagram share the Meta app).
#[derive(Clone, Debug)]
pub struct AppCredentials {
    /// `client_id` (TikTok: `client_key`).
    pub client_id: String,
    /// `client_secret`; `None` for a public PKCE client (X only).
    pub client_secret: Option<Secret<String>>,
}

impl AppCredentials {
    /// A confidential client.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: Some(Secret::new(client_secret.into())),
        }
    }

    /// A public client (PKCE only, no secret).
    pub fn public(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: None,
        }
    }

    /// The secret, or a configuration error naming the platform.
    pub(crate) fn secret(&self, platform: Platform) -> Result<&str> {
        self.client_secret
            .as_ref()
            .map(|s| s.expose().as_str())
            .ok_or_else(|| Error::Config(format!("{platform}: this flow needs a client secret")))
    }
}

/// What an app asks a user's permission for; each platform turns these
/// into its own scopes. The default is publishing plus organization pages
/// (LinkedIn): an app approved for member posting only asks for
/// `[ScopeUse::Publish]` with [`Apps::uses`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScopeUse {
    /// Publish posts (and read back what was published).
    Publish,
    /// Act for organization pages the user administers (LinkedIn).
    Organizations,
    /// Read post and account metrics.
    Analytics,
    /// Edit and delete published posts ([`crate::CreatorSync::edit`],
    /// [`crate::CreatorSync::delete`]). Only YouTube needs more than
    /// publishing for it (`youtube.force-ssl`); elsewhere the publish
    /// scopes already allow it.
    Manage,
}

/// What is asked for unless [`Apps::uses`] says otherwise.
pub const DEFAULT_SCOPE_USES: &[ScopeUse] = &[ScopeUse::Publish, ScopeUse::Organizations];

/// The name of Instagram Login's app in [`Apps::with_named`].
pub const INSTAGRAM_LOGIN_KEY: &str = "instagram_login";

/// X OAuth 1.0a consumer credentials (API key and secret).
#[derive(Clone, Debug)]
pub struct ConsumerCredentials {
    /// Consumer (API) key.
    pub key: String,
    /// Consumer (API) secret.
    pub secret: Secret<String>,
}

impl ConsumerCredentials {
    /// Consumer key and secret.
    pub fn new(key: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            secret: Secret::new(secret.into()),
        }
    }
}

/// The app credentials for every platform you connect.
///
/// ```
/// use creatorsync_core::auth::{AppCredentials, Apps};
/// use creatorsync_core::Platform;
/// let apps = Apps::new()
///     .with(Platform::TikTok, AppCredentials::new("client-key", "client-secret"))
///     .with_meta(AppCredentials::new("meta-app-id", "meta-app-secret"));
/// assert!(apps.get(Platform::Instagram).is_ok());
/// assert!(apps.get(Platform::X).is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Apps {
    oauth2: BTreeMap<Platform, AppCredentials>,
    x_consumer: Option<ConsumerCredentials>,
    uses: BTreeMap<Platform, Vec<ScopeUse>>,
    /// Apps of further connection modes, by platform and mode, and the
    /// mode new connections of a platform use.
    logins: BTreeMap<(Platform, &'static str), AppCredentials>,
    connect_with: BTreeMap<Platform, &'static str>,
}

impl Apps {
    /// No apps configured.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the OAuth 2.0 app of `platform`.
    pub fn with(mut self, platform: Platform, app: AppCredentials) -> Self {
        self.oauth2.insert(platform, app);
        self
    }

    /// Sets the Meta app, used by both Facebook and Instagram.
    pub fn with_meta(self, app: AppCredentials) -> Self {
        self.with(Platform::Facebook, app.clone())
            .with(Platform::Instagram, app)
    }

    /// What connecting to `platform` asks permission for (default
    /// [`DEFAULT_SCOPE_USES`]); the platform maps these to its scopes.
    pub fn uses(mut self, platform: Platform, uses: &[ScopeUse]) -> Self {
        self.uses.insert(platform, uses.to_vec());
        self
    }

    /// What connecting to `platform` asks permission for.
    pub fn uses_of(&self, platform: Platform) -> &[ScopeUse] {
        self.uses
            .get(&platform)
            .map_or(DEFAULT_SCOPE_USES, Vec::as_slice)
    }

    /// Connects Instagram accounts with "Instagram API with Instagram
    /// Login" (`graph.instagram.com`; no Facebook Page needed) using `app`,
    /// the Instagram app id and secret of your Meta app (App Dashboard >
    /// Instagram > API setup with Instagram login). Without it Instagram
    /// connects with Facebook Login through the Meta app
    /// ([`Apps::with_meta`]), the default.
    ///
    /// Accounts remember the mode that connected them: accounts connected
    /// with Facebook Login keep refreshing and publishing through the Meta
    /// app (keep it configured for them), accounts connected with Instagram
    /// Login through this app, whatever the app connects with later.
    ///
    /// ```
    /// use creatorsync_core::auth::{AppCredentials, Apps};
    /// let apps = Apps::new()
    ///     .with_meta(AppCredentials::new("meta-app-id", "meta-app-secret"))
    ///     .with_instagram_login(AppCredentials::new("instagram-app-id", "instagram-app-secret"));
    /// assert!(apps.connects_with_instagram_login());
    /// ```
    pub fn with_instagram_login(mut self, app: AppCredentials) -> Self {
        let (platform, login) = (Platform::Instagram, crate::platforms::instagram::LOGIN);
        self.logins.insert((platform, login), app);
        self.connect_with.insert(platform, login);
        self
    }

    /// Sets the app named `name`: a platform (`"x"`, `"instagram"`, ...,
    /// as [`Platform`] parses it) or `"instagram_login"`
    /// ([`Apps::with_instagram_login`]). These are the keys of the
    /// bindings' `apps` mapping and of the emulator's `apps` object.
    ///
    /// Errors: [`Error::InvalidInput`] for any other name.
    pub fn with_named(self, name: &str, app: AppCredentials) -> Result<Self> {
        if name.trim().eq_ignore_ascii_case(INSTAGRAM_LOGIN_KEY) {
            return Ok(self.with_instagram_login(app));
        }
        Ok(self.with(name.parse()?, app))
    }

    /// Whether Instagram accounts connect with Instagram Login
    /// ([`Apps::with_instagram_login`]).
    pub fn connects_with_instagram_login(&self) -> bool {
        self.connect_with.contains_key(&Platform::Instagram)
    }

    /// The connection mode new connections of `platform` use (None: the
    /// platform's original one).
    pub(crate) fn login_of(&self, platform: Platform) -> Option<&'static str> {
        self.connect_with.get(&platform).copied()
    }

    /// The OAuth 2.0 app of `platform`'s connection mode `login`.
    pub(crate) fn app_of(
        &self,
        platform: Platform,
        login: Option<&str>,
    ) -> Result<&AppCredentials> {
        let Some(login) = login else {
            return self.get(platform);
        };
        self.logins
            .iter()
            .find(|((p, l), _)| *p == platform && *l == login)
            .map(|(_, app)| app)
            .ok_or_else(|| {
                Error::Config(format!(
                    "{platform}: no app credentials configured for the {login:?} connection mode"
                ))
            })
    }

    /// Sets X's OAuth 1.0a consumer.
    pub fn with_x_consumer(mut self, consumer: ConsumerCredentials) -> Self {
        self.x_consumer = Some(consumer);
        self
    }

    /// The credentials the emulator accepts by default
    /// (`cs-test-{platform}` / `cs-test-{platform}-secret`).
    pub fn emulator_defaults() -> Self {
        let mut apps = Self::new();
        for p in [
            Platform::X,
            Platform::LinkedIn,
            Platform::YouTube,
            Platform::TikTok,
        ] {
            apps = apps.with(
                p,
                AppCredentials::new(format!("cs-test-{p}"), format!("cs-test-{p}-secret")),
            );
        }
        apps.with_meta(AppCredentials::new(
            "cs-test-facebook",
            "cs-test-facebook-secret",
        ))
        .with_x_consumer(ConsumerCredentials::new(
            "cs-test-x-consumer",
            "cs-test-x-consumer-secret",
        ))
    }

    /// The OAuth 2.0 app of `platform`.
    pub fn get(&self, platform: Platform) -> Result<&AppCredentials> {
        self.oauth2.get(&platform).ok_or_else(|| {
            Error::Config(format!(
                "{platform}: no app credentials configured; add them with Apps::with"
            ))
        })
    }

    /// X's OAuth 1.0a consumer.
    pub fn x_consumer(&self) -> Result<&ConsumerCredentials> {
        self.x_consumer.as_ref().ok_or_else(|| {
            Error::Config(
                "x: no OAuth 1.0a consumer configured; add it with Apps::with_x_consumer".into(),
            )
        })
    }
}

/// Splits a granted-scope string on spaces or commas (LinkedIn and TikTok
/// answer comma-separated).
pub(crate) fn split_scopes(s: &str) -> Vec<String> {
    s.split([' ', ','])
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_split_either_way() {
        assert_eq!(split_scopes("a,b c"), vec!["a", "b", "c"]);
        let apps = Apps::emulator_defaults();
        assert_eq!(
            apps.get(Platform::Instagram).unwrap().client_id,
            "cs-test-facebook"
        );
        assert!(!format!("{apps:?}").contains("cs-test-x-consumer-secret"));
    }

    #[test]
    fn named_apps_include_instagram_login() {
        let app = || AppCredentials::new("id", "secret");
        let apps = Apps::new().with_named("Twitter", app()).unwrap();
        assert!(apps.get(Platform::X).is_ok());
        assert!(!apps.connects_with_instagram_login());
        let apps = apps.with_named("instagram_login", app()).unwrap();
        assert!(apps.connects_with_instagram_login());
        assert!(
            apps.get(Platform::Instagram).is_err(),
            "the Meta app is another one"
        );
        assert_eq!(
            apps.app_of(Platform::Instagram, Some("instagram"))
                .unwrap()
                .client_id,
            "id"
        );
        assert!(matches!(
            Apps::new().with_named("myspace", app()),
            Err(Error::InvalidInput { .. })
        ));
    }
}
