// DRAFT, not compiled yet: rename to tests/auth_emulator.rs once branch `emulator`
// (Emulator::start / RunningEmulator::endpoints / control_url, as on emu-yt) is merged.
// Written against emu-x/emu-yt's routes and contract.md's seeded identities.
//! The connect flows and token lifecycle against the stateful emulator of
//! all six platforms (contract.md's seeded identities).

use std::sync::Arc;

use chrono::Utc;
use creatorsync::auth::{Apps, Connector, TokenManager};
use creatorsync::{
    AccountKey, Credential, Error, HttpClient, MemoryTokenStore, Platform, TokenStore,
};
use creatorsync_emulator::{Emulator, EmulatorConfig};

const CB: &str = "http://127.0.0.1:9/callback";

async fn browse(url: &url::Url) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client.get(url.clone()).send().await.unwrap();
    assert!(
        resp.status().is_redirection(),
        "authorize answered {}",
        resp.status()
    );
    resp.headers()["location"].to_str().unwrap().to_owned()
}

fn connector(endpoints: creatorsync::EndpointSet, store: Arc<dyn TokenStore>) -> Connector {
    Connector::builder()
        .apps(Apps::emulator_defaults())
        .store(store)
        .endpoints(endpoints)
        .http(HttpClient::default())
        .state_secret(*b"emulator-state-secret-0123456789ab")
        .build()
        .unwrap()
}

async fn connect(c: &Connector, p: Platform) -> Vec<AccountKey> {
    let req = c.begin("alice", p, CB).await.unwrap();
    let cb = browse(&req.url).await;
    c.complete_from_url("alice", p, &cb)
        .await
        .unwrap_or_else(|e| panic!("{p}: {e}"))
        .into_iter()
        .map(|a| a.key)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_all_six_platforms() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let c = connector(emu.endpoints().clone(), store.clone());
    let want: &[(Platform, &[&str])] = &[
        (Platform::X, &["2244994945"]),
        (Platform::LinkedIn, &["10001", "10002", "li-demo-person"]),
        (Platform::Facebook, &["1001", "1002"]),
        (Platform::Instagram, &["17841400000000001"]),
        (Platform::YouTube, &["UCdemo0000000000000000001"]),
        (Platform::TikTok, &["tt-demo-open-id"]),
    ];
    for (p, ids) in want {
        let mut got: Vec<String> = connect(&c, *p)
            .await
            .into_iter()
            .map(|k| k.account_id)
            .collect();
        got.sort();
        assert_eq!(
            got,
            ids.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{p}"
        );
    }
    // Page rows keep the user token (encrypted with the credential) for
    // the Resumable Upload API; Instagram rows have no use for it.
    let row = |p, id| AccountKey::new("alice", p, id).unwrap();
    let page = store
        .get(&row(Platform::Facebook, "1001"))
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        page.credential,
        Credential::OAuth2 {
            user_token: Some(_),
            ..
        }
    ));
    let ig = row(Platform::Instagram, "17841400000000001");
    let ig = store.get(&ig).await.unwrap().unwrap();
    assert!(matches!(
        ig.credential,
        Credential::OAuth2 {
            user_token: None,
            ..
        }
    ));
    // X OAuth 1.0a too.
    let req = c.begin_oauth1("bob", CB).await.unwrap();
    let cb = browse(&req.url).await;
    let x1 = c.complete_from_url("bob", Platform::X, &cb).await.unwrap();
    assert_eq!(x1[0].profile.handle.as_deref(), Some("creatorsync_demo"));
    assert!(matches!(
        store.get(&x1[0].key).await.unwrap().unwrap().credential,
        Credential::OAuth1 { .. }
    ));
    let health = c.tokens().health("alice").await.unwrap();
    assert!(health.iter().all(|h| h.healthy), "{health:?}");
    let x = AccountKey::new("alice", Platform::X, "2244994945").unwrap();
    assert_eq!(
        c.tokens().profile(&x).await.unwrap().handle.as_deref(),
        Some("creatorsync_demo")
    );
    let yt = AccountKey::new("alice", Platform::YouTube, "UCdemo0000000000000000001").unwrap();
    assert_eq!(
        c.tokens().profile(&yt).await.unwrap().handle.as_deref(),
        Some("creatorsync-demo")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotating_refresh_across_two_managers() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let c = connector(emu.endpoints().clone(), store.clone());
    for p in [Platform::TikTok, Platform::X, Platform::YouTube] {
        let key = connect(&c, p).await.remove(0);
        let mut row = store.get(&key).await.unwrap().unwrap();
        let old_refresh = match &mut row.credential {
            Credential::OAuth2 {
                expires_at,
                refresh,
                ..
            } => {
                *expires_at = Some(Utc::now() - chrono::Duration::seconds(1));
                refresh.as_ref().unwrap().expose().clone()
            }
            _ => unreachable!(),
        };
        let v = row.version;
        store.put(&row, Some(v)).await.unwrap();
        let mk = || {
            TokenManager::new(
                Apps::emulator_defaults(),
                store.clone(),
                emu.endpoints().clone(),
                HttpClient::default(),
            )
        };
        let (a, b) = (mk(), mk());
        let calls = (0..100).map(|i| {
            let m = if i % 2 == 0 { a.clone() } else { b.clone() };
            let key = key.clone();
            tokio::spawn(async move { m.usable(&key).await })
        });
        let mut tokens = std::collections::BTreeSet::new();
        for r in futures::future::join_all(calls).await {
            let t = r.unwrap().unwrap_or_else(|e| panic!("{p}: {e}"));
            if let Credential::OAuth2 { access, .. } = &t.credential {
                tokens.insert(access.expose().clone());
            }
        }
        assert_eq!(tokens.len(), 1, "{p}: one refresh, one token");
        let row = store.get(&key).await.unwrap().unwrap();
        let Credential::OAuth2 { refresh, .. } = &row.credential else {
            unreachable!()
        };
        let new_refresh = refresh.as_ref().unwrap().expose().clone();
        if p == Platform::YouTube {
            assert_eq!(new_refresh, old_refresh, "Google does not rotate");
        } else {
            assert_ne!(new_refresh, old_refresh, "{p} rotates");
        }
        // The new token works at the platform.
        assert!(
            c.tokens()
                .health("alice")
                .await
                .unwrap()
                .iter()
                .all(|h| h.healthy)
        );
    }
}

#[tokio::test]
async fn denied_consent_through_the_control_api() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let c = connector(emu.endpoints().clone(), store.clone());
    let control = emu.control_url().as_str().trim_end_matches('/').to_owned();
    reqwest::Client::new()
        .post(format!("{control}/login/tiktok"))
        .json(&serde_json::json!({"deny": true}))
        .send()
        .await
        .unwrap();
    let req = c.begin("alice", Platform::TikTok, CB).await.unwrap();
    let cb = browse(&req.url).await;
    let r = c.complete_from_url("alice", Platform::TikTok, &cb).await;
    assert!(matches!(r, Err(Error::AuthorizationDenied { .. })), "{r:?}");
    assert!(store.list("alice").await.unwrap().is_empty());
}
