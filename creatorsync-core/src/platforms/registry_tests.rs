//! The registry is the only seam: a fake platform module, registered from
//! this test in place of X, is what connect, refresh, status, disconnect,
//! validation and publishing use, with no network at all. And the version
//! calendar: CI turns red before a pinned API version is retired.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::module::{ClientExtras, OAuthApp, PlatformModule, STALE_WITHIN_DAYS};
use super::{ClientConfig, PlatformClient, PublishRequest, Published, Registry, single_account};
use crate::auth::apps::ScopeUse;
use crate::auth::oauth2::TokenGrant;
use crate::auth::state::Pkce;
use crate::http::{ErrorBody, ErrorShape};
use crate::publish_log::MemoryPublishLog;
use crate::{
    Capabilities, CreatorSync, Credential, Endpoints, Error, MemoryTokenStore, Platform, Post,
    Profile, Result, Secret, StoredToken, TextCounting, TokenStore,
};

/// Limits nothing real has: ten characters, text only.
static FAKE_CAPS: Capabilities = Capabilities {
    max_text: 10,
    text_counting: TextCounting::Chars,
    text_only: true,
    requires_video: false,
    max_images: 0,
    max_videos: 0,
    max_gifs: 0,
    mixed_media: false,
    image_mimes: &[],
    video_mimes: &[],
    max_image_bytes: 0,
    max_gif_bytes: 0,
    max_video_bytes: 0,
    max_hashtags: None,
    max_mentions: None,
    gifs_count_as_images: true,
    forbidden_text_chars: &['~'],
};

/// What the fake was asked to do.
#[derive(Debug, Default)]
struct Calls {
    exchanges: AtomicUsize,
    refreshes: AtomicUsize,
    revokes: AtomicUsize,
    published: Mutex<Vec<String>>,
}

#[derive(Debug, Clone)]
struct Fake(Arc<Calls>);

impl ErrorShape for Fake {
    fn platform(&self) -> Platform {
        Platform::X
    }

    fn error(&self, body: &ErrorBody<'_>) -> Error {
        body.generic(Some("fake".into()), body.excerpt())
    }
}

fn grant(access: &str) -> TokenGrant {
    TokenGrant {
        access: Secret::new(access.to_owned()),
        refresh: Some(Secret::new("fake-refresh".to_owned())),
        expires_in: Some(3600),
        refresh_expires_in: None,
        scopes: vec!["fake.write".into()],
        open_id: Some("fake-user-1".into()),
    }
}

#[async_trait]
impl PlatformModule for Fake {
    fn display_name(&self) -> &'static str {
        "Fake"
    }

    fn capabilities(&self) -> &'static Capabilities {
        &FAKE_CAPS
    }

    fn production_endpoints(&self) -> Endpoints {
        Endpoints::fixed(
            "https://fake.invalid",
            "https://fake.invalid",
            "https://fake.invalid",
            "https://fake.invalid",
        )
    }

    fn scopes(&self, _: &[ScopeUse]) -> Vec<&'static str> {
        vec!["fake.write"]
    }

    fn authorize_url(
        &self,
        _: &OAuthApp<'_>,
        scopes: &[&str],
        redirect_uri: &str,
        state: &str,
        pkce: Option<&Pkce>,
    ) -> Result<Url> {
        assert!(pkce.is_none(), "the fake does not take PKCE");
        let mut u = Url::parse("https://fake.invalid/authorize").unwrap();
        u.query_pairs_mut()
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("scope", &scopes.join(" "));
        Ok(u)
    }

    async fn exchange_code(
        &self,
        _: &OAuthApp<'_>,
        code: &str,
        _: &str,
        _: Option<&str>,
    ) -> Result<TokenGrant> {
        assert_eq!(code, "fake-code");
        self.0.exchanges.fetch_add(1, Ordering::SeqCst);
        Ok(grant("fake-access-1"))
    }

    async fn refresh(&self, _: &OAuthApp<'_>, refresh_token: &str) -> Result<TokenGrant> {
        assert_eq!(refresh_token, "fake-refresh");
        self.0.refreshes.fetch_add(1, Ordering::SeqCst);
        Ok(grant("fake-access-2"))
    }

    async fn revoke(&self, _: &OAuthApp<'_>, _: &StoredToken) -> Result<()> {
        self.0.revokes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn discover(
        &self,
        _: &OAuthApp<'_>,
        user_id: &str,
        grant: TokenGrant,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredToken>> {
        let profile = Profile {
            platform_user_id: String::new(),
            handle: Some("fake".into()),
            display_name: None,
            kind: Some("fake".into()),
        };
        single_account(user_id, Platform::X, profile, grant, now)
    }

    async fn live_profile(&self, _: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile> {
        Ok(row.profile.clone())
    }

    fn client(&self, _: ClientConfig, _: &ClientExtras) -> Arc<dyn PlatformClient> {
        Arc::new(self.clone())
    }
}

#[async_trait]
impl PlatformClient for Fake {
    fn platform(&self) -> Platform {
        Platform::X
    }

    async fn publish_flow(&self, req: &PublishRequest<'_>) -> Result<Published> {
        req.commit.sending(None).await?;
        let mut published = self.0.published.lock().unwrap();
        published.push(req.post.text.clone());
        Ok(Published {
            post_id: format!("fake-{}", published.len()),
            url: format!("https://fake.invalid/{}", published.len()),
        })
    }

    async fn find_recent(
        &self,
        _: &StoredToken,
        _: &Post,
        _: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        Ok(None)
    }

    async fn delete(&self, _: &StoredToken, _: &str) -> Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_registered_module_is_the_only_seam() {
    let calls = Arc::new(Calls::default());
    let store = Arc::new(MemoryTokenStore::new());
    let sync = CreatorSync::builder()
        .apps(crate::auth::Apps::emulator_defaults())
        .state_secret([9u8; 32])
        .store(store.clone())
        .publish_log(Arc::new(MemoryPublishLog::new()))
        .registry(
            Registry::standard()
                .clone()
                .with(Arc::new(Fake(calls.clone()))),
        )
        .build()
        .await
        .unwrap();

    // Connect: the fake's authorize URL, code exchange and discovery.
    let connector = sync.connector();
    let req = connector
        .begin("u1", Platform::X, "http://127.0.0.1/cb")
        .await
        .unwrap();
    assert_eq!(req.url.host_str(), Some("fake.invalid"), "{}", req.url);
    assert!(req.url.as_str().contains("scope=fake.write"), "{}", req.url);
    let accounts = connector
        .complete("u1", Platform::X, "fake-code", &req.state)
        .await
        .unwrap();
    assert_eq!(calls.exchanges.load(Ordering::SeqCst), 1);
    assert_eq!(accounts[0].key.account_id, "fake-user-1");
    let key = accounts[0].key.clone();

    // Status asks the fake's scopes; refresh goes to the fake.
    let status = connector.tokens().status("u1").await.unwrap();
    assert!(status[0].missing_scopes.is_empty(), "{status:?}");
    let mut row = store.get(&key).await.unwrap().unwrap();
    if let Credential::OAuth2 { expires_at, .. } = &mut row.credential {
        *expires_at = Some(Utc::now() - chrono::Duration::minutes(1));
    }
    store.put(&row, Some(row.version)).await.unwrap();
    let fresh = connector.tokens().usable(&key).await.unwrap();
    assert_eq!(calls.refreshes.load(Ordering::SeqCst), 1);
    let Credential::OAuth2 { access, .. } = &fresh.credential else {
        panic!("oauth2 expected")
    };
    assert_eq!(access.expose(), "fake-access-2");

    // Validation is the fake's: 11 characters pass on X, not here.
    let err = sync
        .publish("u1", &Post::text("eleven char"))
        .targets([&key])
        .idempotency_key("k-invalid")
        .send()
        .await
        .unwrap_err();
    let Error::InvalidPost { violations } = err else {
        panic!("{err:?}")
    };
    assert_eq!(violations[0].code, "text_too_long");
    assert!(violations[0].message.contains("Fake"), "{violations:?}");
    assert!(crate::validate(&Post::text("eleven char"), Platform::X).is_empty());

    // Publishing goes through the fake's client.
    let report = sync
        .publish("u1", &Post::text("short"))
        .targets([&key])
        .idempotency_key("k-ok")
        .send()
        .await
        .unwrap();
    let r = &report.results[0].outcome;
    assert_eq!(r.as_ref().unwrap().post_id, "fake-1", "{report:?}");
    assert_eq!(*calls.published.lock().unwrap(), ["short"]);

    // Disconnect revokes through the fake.
    assert!(connector.tokens().disconnect(&key).await.unwrap());
    assert_eq!(calls.revokes.load(Ordering::SeqCst), 1);
}

/// Fails 60 days before any pinned API version's published sunset (real
/// date), so CI turns red before users break; and lists what to update.
#[test]
fn no_pinned_api_version_is_near_its_sunset() {
    let today = Utc::now().date_naive();
    let stale = Registry::standard().stale_versions(today);
    assert!(
        stale.is_empty(),
        "pinned API versions within {STALE_WITHIN_DAYS} days of their sunset:\n{}",
        stale.join("\n")
    );
    // Every versioned platform has its calendar, and the check can fail.
    let versioned: Vec<Platform> = Registry::standard()
        .iter()
        .filter(|m| m.versions().is_some())
        .map(|m| m.platform())
        .collect();
    assert_eq!(
        versioned,
        [Platform::LinkedIn, Platform::Facebook, Platform::Instagram]
    );
    let far = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    assert_eq!(Registry::standard().stale_versions(far).len(), 3);
}

#[test]
fn authorize_urls_carry_each_platforms_quirks() {
    let apps = crate::auth::Apps::emulator_defaults()
        .with_instagram_login(crate::auth::AppCredentials::new("ig-app", "ig-secret"));
    let http = crate::HttpClient::default();
    let pkce = Pkce::new();
    let endpoints = crate::EndpointSet::production();
    for module in Registry::standard().iter() {
        let (p, login) = (module.platform(), module.login());
        let app = OAuthApp {
            platform: p,
            apps: &apps,
            endpoints: endpoints.get_login(p, login),
            http: &http,
            api_version: None,
            login,
        };
        let scopes = module.scopes(crate::auth::DEFAULT_SCOPE_USES);
        let pkce = module.uses_pkce().then_some(&pkce);
        let u = module
            .authorize_url(&app, &scopes, "http://127.0.0.1/cb", "st", pkce)
            .unwrap();
        let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
        assert_eq!(q["state"], "st");
        match p {
            Platform::X => {
                assert_eq!(
                    q["scope"],
                    "tweet.read tweet.write users.read offline.access media.write"
                );
                assert_eq!(q["code_challenge"], pkce.unwrap().challenge);
                assert_eq!(q["code_challenge_method"], "S256");
            }
            Platform::TikTok => {
                assert_eq!(q["client_key"], "cs-test-tiktok");
                assert_eq!(
                    q["scope"],
                    "user.info.basic,video.publish,video.upload,video.list"
                );
                assert!(!q.contains_key("client_id"));
                assert!(q.contains_key("code_challenge"));
            }
            Platform::Facebook => {
                assert!(q["scope"].contains("pages_manage_posts,"));
                assert!(u.path().starts_with("/v25.0/"), "{u}");
            }
            Platform::YouTube => {
                assert_eq!(q["access_type"], "offline");
                assert_eq!(q["prompt"], "consent");
                assert!(q["scope"].contains("youtube.upload"));
            }
            Platform::LinkedIn => {
                assert!(q["scope"].starts_with("openid profile"));
                assert!(q["scope"].contains("w_organization_social"));
            }
            Platform::Instagram if login.is_some() => {
                assert_eq!(
                    (u.host_str(), u.path()),
                    (Some("www.instagram.com"), "/oauth/authorize")
                );
                assert_eq!(q["client_id"], "ig-app");
                assert_eq!(q["response_type"], "code");
                assert_eq!(
                    q["scope"],
                    "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments"
                );
            }
            Platform::Instagram => {
                assert!(q["scope"].contains("instagram_content_publish"));
                assert!(q["scope"].contains("instagram_manage_comments"));
                assert_eq!(q["client_id"], "cs-test-facebook");
            }
        }
    }
}

#[test]
fn rows_pick_the_module_of_the_mode_that_made_them() {
    let reg = Registry::standard();
    let mut row = crate::StoredToken::new(
        crate::AccountKey::new("u", Platform::Instagram, "17841400000000001").unwrap(),
        crate::Credential::OAuth2 {
            access: crate::Secret::new("t".into()),
            refresh: None,
            expires_at: None,
            refresh_expires_at: None,
            scopes: Vec::new(),
            user_token: None,
        },
        crate::Profile {
            platform_user_id: "17841400000000001".into(),
            handle: None,
            display_name: None,
            kind: None,
        },
    );
    // Facebook Login rows (no mark, as every row stored before) keep the
    // original module, which cannot refresh.
    let m = reg.for_row(&row).unwrap();
    assert_eq!((m.login(), m.refreshes()), (None, false));
    row.metadata
        .insert(super::LOGIN_KEY.into(), "instagram".into());
    let m = reg.for_row(&row).unwrap();
    assert_eq!((m.login(), m.refreshes()), (Some("instagram"), true));
    assert_eq!(
        m.production_endpoints().api.as_str(),
        "https://graph.instagram.com/"
    );
    row.metadata
        .insert(super::LOGIN_KEY.into(), "carrier-pigeon".into());
    assert!(matches!(reg.for_row(&row), Err(crate::Error::Config(_))));
    // Validation and the platform-wide questions keep the original module.
    assert_eq!(reg.get(Platform::Instagram).unwrap().login(), None);
}

#[test]
fn scopes_follow_what_the_app_uses() {
    let li = Registry::standard().get(Platform::LinkedIn).unwrap();
    // An app approved for member posting only asks for nothing else.
    assert_eq!(
        li.scopes(&[ScopeUse::Publish]),
        ["openid", "profile", "w_member_social"]
    );
    let all = li.scopes(&[ScopeUse::Publish, ScopeUse::Organizations]);
    assert!(all.contains(&"w_organization_social"), "{all:?}");
    let yt = Registry::standard().get(Platform::YouTube).unwrap();
    assert!(!yt.scopes(&[]).iter().any(|s| s.ends_with("youtube.upload")));
    for m in Registry::standard().iter() {
        let publish = m.scopes(&[ScopeUse::Publish]);
        let more = m.scopes(&[ScopeUse::Publish, ScopeUse::Analytics]);
        assert!(
            publish.iter().all(|s| more.contains(s)),
            "{}: analytics drops a publish scope",
            m.platform()
        );
    }
}

#[test]
fn analytics_asks_for_each_platform_s_metrics_scope() {
    let wanted = [
        (Platform::X, "tweet.read"),
        (Platform::LinkedIn, "r_member_postAnalytics"),
        (Platform::Facebook, "read_insights"),
        (Platform::Instagram, "instagram_manage_insights"),
        (Platform::TikTok, "video.list"),
        (
            Platform::YouTube,
            "https://www.googleapis.com/auth/yt-analytics.readonly",
        ),
    ];
    for (platform, scope) in wanted {
        let m = Registry::standard().get(platform).unwrap();
        let with = m.scopes(&[ScopeUse::Analytics]);
        assert!(with.contains(&scope), "{platform}: {with:?}");
    }
    let li = Registry::standard().get(Platform::LinkedIn).unwrap();
    assert!(
        !li.scopes(&[ScopeUse::Publish])
            .contains(&"r_member_postAnalytics")
    );
}

/// Every platform on a loopback port nothing listens on.
fn closed_loopback() -> crate::EndpointSet {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = Endpoints::all(&format!("http://127.0.0.1:{port}")).unwrap();
    let mut set = crate::EndpointSet::production();
    for p in Platform::ALL {
        set.set(p, e.clone());
    }
    set
}

#[tokio::test]
async fn an_app_may_set_a_platforms_limits() {
    let store = Arc::new(MemoryTokenStore::new());
    let key = crate::AccountKey::new("u1", Platform::X, "42").unwrap();
    let row = StoredToken::new(
        key.clone(),
        Credential::OAuth2 {
            access: Secret::new("a".to_owned()),
            refresh: None,
            expires_at: None,
            refresh_expires_at: None,
            scopes: vec![],
            user_token: None,
        },
        Profile::default(),
    );
    store.put(&row, None).await.unwrap();
    let mut strict = crate::capabilities(Platform::X).clone();
    strict.max_text = 5;
    let sync = CreatorSync::builder()
        .apps(crate::auth::Apps::emulator_defaults())
        .state_secret([9u8; 32])
        .store(store)
        .publish_log(Arc::new(MemoryPublishLog::new()))
        // Nothing listens there: a request would fail, never leave the host.
        .endpoints(closed_loopback())
        .capabilities(Platform::X, strict)
        .build()
        .await
        .unwrap();
    // Refused by the app's limit before any request (no server exists).
    let err = sync
        .publish("u1", &Post::text("longer than five"))
        .targets([&key])
        .send()
        .await
        .unwrap_err();
    let Error::InvalidPost { violations } = err else {
        panic!("{err:?}")
    };
    assert_eq!(violations[0].code, "text_too_long");
    assert!(
        violations[0].message.contains("limit is 5"),
        "{violations:?}"
    );
    // X's documented video limit is the default.
    assert_eq!(
        crate::capabilities(Platform::X).max_video_bytes,
        512 * 1000 * 1000
    );
}
