//! Connect flows against a loopback mock of the six platforms: full round
//! trips, state attacks, PKCE mismatch, denied consent.

mod auth_mock;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use creatorsync::{Credential, Error, MemoryTokenStore, Platform, StateProblem, TokenStore};

fn store() -> Arc<dyn TokenStore> {
    Arc::new(MemoryTokenStore::new())
}

const CB: &str = "http://127.0.0.1:9/callback";

#[tokio::test]
async fn round_trip_every_platform() {
    let mock = auth_mock::start().await;
    let store = store();
    let c = mock.connector(store.clone());
    let expected: &[(Platform, &[&str])] = &[
        (Platform::X, &["2244994945"]),
        (Platform::LinkedIn, &["li-demo-person", "10001", "10002"]),
        (Platform::Facebook, &["1001", "1002"]),
        (Platform::Instagram, &["17841400000000001"]),
        (Platform::YouTube, &["UCdemo0000000000000000001"]),
        (Platform::TikTok, &["tt-demo-open-id"]),
    ];
    for (platform, ids) in expected {
        let req = c.begin("alice", *platform, CB).await.unwrap();
        assert!(req.url.as_str().starts_with(&mock.base));
        let callback = mock.browse(&req.url).await;
        let accounts = c
            .complete_from_url("alice", *platform, &callback)
            .await
            .unwrap_or_else(|e| panic!("{platform}: {e}"));
        let mut got: Vec<_> = accounts.iter().map(|a| a.key.account_id.as_str()).collect();
        got.sort_unstable();
        let mut want = ids.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{platform}");
    }
    let rows = store.list("alice").await.unwrap();
    assert_eq!(rows.len(), 9);
    let x = rows.iter().find(|r| r.key.platform == Platform::X).unwrap();
    assert_eq!(x.profile.handle.as_deref(), Some("creatorsync_demo"));
    assert!(x.credential.can_refresh());
    let yt = rows
        .iter()
        .find(|r| r.key.platform == Platform::YouTube)
        .unwrap();
    assert_eq!(yt.profile.handle.as_deref(), Some("creatorsync-demo"));
    let org = rows.iter().find(|r| r.key.account_id == "10001").unwrap();
    assert_eq!(org.metadata["author_urn"], "urn:li:organization:10001");
    assert_eq!(org.profile.kind.as_deref(), Some("organization"));
    let page = rows.iter().find(|r| r.key.account_id == "1001").unwrap();
    assert_eq!(page.metadata["facebook_user_id"], "fb-demo-user");
    assert_eq!(
        page.credential.expires_at(),
        None,
        "page tokens do not expire"
    );
    let ig = rows
        .iter()
        .find(|r| r.key.platform == Platform::Instagram)
        .unwrap();
    assert_eq!(ig.metadata["page_id"], "1001");
    assert_eq!(ig.profile.handle.as_deref(), Some("demo.creator"));
    let li = rows
        .iter()
        .find(|r| r.key.account_id == "li-demo-person")
        .unwrap();
    assert!(
        li.credential
            .scopes()
            .iter()
            .any(|s| s == "w_member_social")
    );

    // Status from the store alone.
    let status = c.tokens().status("alice").await.unwrap();
    assert_eq!(status.len(), 9);
    let fb = status
        .iter()
        .find(|s| s.account.key.account_id == "1001")
        .unwrap();
    assert!(fb.connected && !fb.can_refresh);
    assert!(fb.missing_scopes.is_empty(), "{:?}", fb.missing_scopes);
    let ig = status
        .iter()
        .find(|s| s.account.key.platform == Platform::Instagram)
        .unwrap();
    assert_eq!(ig.missing_scopes, vec!["business_management"]);
    let tt = status
        .iter()
        .find(|s| s.account.key.platform == Platform::TikTok)
        .unwrap();
    assert!(tt.connected && tt.can_refresh && tt.missing_scopes.is_empty());
    // Live health of every account, concurrently.
    let health = c.tokens().health("alice").await.unwrap();
    assert_eq!(health.len(), 9);
    assert!(health.iter().all(|h| h.healthy), "{health:?}");
}

#[tokio::test]
async fn x_oauth1_three_legged() {
    let mock = auth_mock::start().await;
    let store = store();
    let c = mock.connector(store.clone());
    let req = c.begin_oauth1("alice", CB).await.unwrap();
    assert!(req.url.path().ends_with("/oauth/authorize"));
    let callback = mock.browse(&req.url).await;
    let accounts = c
        .complete_from_url("alice", Platform::X, &callback)
        .await
        .unwrap();
    assert_eq!(accounts[0].key.account_id, "2244994945");
    assert_eq!(
        accounts[0].profile.handle.as_deref(),
        Some("creatorsync_demo")
    );
    let row = store.get(&accounts[0].key).await.unwrap().unwrap();
    assert!(matches!(row.credential, Credential::OAuth1 { .. }));
    // A second use of the same callback is a replay.
    let again = c.complete_from_url("alice", Platform::X, &callback).await;
    assert!(matches!(
        again,
        Err(Error::InvalidState {
            problem: StateProblem::Replayed
        })
    ));
    // The OAuth 1.0a token works for a signed profile call.
    let p = c.tokens().profile(&accounts[0].key).await.unwrap();
    assert_eq!(p.handle.as_deref(), Some("creatorsync_demo"));
}

fn state_problem(r: Result<Vec<creatorsync::Account>, Error>) -> StateProblem {
    match r {
        Err(Error::InvalidState { problem }) => problem,
        other => panic!("expected InvalidState, got {other:?}"),
    }
}

#[tokio::test]
async fn state_attacks_are_refused_and_nothing_is_stored() {
    let mock = auth_mock::start().await;
    let store = store();
    let c = mock.connector(store.clone());

    // Tampered.
    let req = c.begin("alice", Platform::TikTok, CB).await.unwrap();
    let callback = mock.browse(&req.url).await;
    let code = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let mut bad = req.state.clone();
    bad.insert(5, 'A');
    assert_eq!(
        state_problem(c.complete("alice", Platform::TikTok, &code, &bad).await),
        StateProblem::Tampered
    );
    // Cross-user and cross-platform: refused without consuming the state.
    assert_eq!(
        state_problem(
            c.complete("mallory", Platform::TikTok, &code, &req.state)
                .await
        ),
        StateProblem::WrongUser
    );
    assert_eq!(
        state_problem(
            c.complete("alice", Platform::YouTube, &code, &req.state)
                .await
        ),
        StateProblem::WrongPlatform
    );
    // The genuine callback still works once...
    c.complete("alice", Platform::TikTok, &code, &req.state)
        .await
        .unwrap();
    // ...and only once.
    assert_eq!(
        state_problem(
            c.complete("alice", Platform::TikTok, &code, &req.state)
                .await
        ),
        StateProblem::Replayed
    );
    store
        .delete(&store.list("alice").await.unwrap()[0].key)
        .await
        .unwrap();

    // Expired: a connector whose states live 1 s.
    let short = creatorsync::auth::Connector::builder()
        .apps(creatorsync::auth::Apps::emulator_defaults())
        .store(store.clone())
        .endpoints(mock.endpoints())
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .state_ttl(std::time::Duration::from_secs(1))
        .build()
        .unwrap();
    let req = short.begin("alice", Platform::YouTube, CB).await.unwrap();
    let callback = mock.browse(&req.url).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        state_problem(
            short
                .complete_from_url("alice", Platform::YouTube, &callback)
                .await
        ),
        StateProblem::Expired
    );

    // A state signed by another app secret is tampered.
    let other = mock.connector(store.clone());
    let req = other.begin("alice", Platform::X, CB).await.unwrap();
    let foreign = creatorsync::auth::Connector::builder()
        .apps(creatorsync::auth::Apps::emulator_defaults())
        .store(store.clone())
        .endpoints(mock.endpoints())
        .state_secret(*b"another-secret-0123456789abcdef!!")
        .build()
        .unwrap();
    assert_eq!(
        state_problem(
            foreign
                .complete("alice", Platform::X, "c", &req.state)
                .await
        ),
        StateProblem::Tampered
    );

    assert!(
        store.list("alice").await.unwrap().is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn pkce_mismatch_is_rejected_by_the_server() {
    let mock = auth_mock::start().await;
    let store = store();
    let c = mock.connector(store.clone());
    let req = c.begin("alice", Platform::X, CB).await.unwrap();
    // An attacker swaps the challenge: the code is bound to another verifier.
    let mut url = req.url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "code_challenge" {
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let callback = mock.browse(&url).await;
    let r = c.complete_from_url("alice", Platform::X, &callback).await;
    assert!(
        matches!(r, Err(Error::AuthorizationDenied { ref error, .. }) if error == "invalid_grant"),
        "{r:?}"
    );
    assert!(store.list("alice").await.unwrap().is_empty());
    // The verifier never appears in the authorize URL.
    assert!(!req.url.as_str().contains("code_verifier"));
}

#[tokio::test]
async fn denied_consent() {
    let mock = auth_mock::start().await;
    let store = store();
    let c = mock.connector(store.clone());
    mock.state.deny.store(true, Ordering::SeqCst);
    for p in [Platform::TikTok, Platform::Facebook] {
        let req = c.begin("alice", p, CB).await.unwrap();
        let callback = mock.browse(&req.url).await;
        let r = c.complete_from_url("alice", p, &callback).await;
        assert!(
            matches!(r, Err(Error::AuthorizationDenied { ref error, .. }) if error == "access_denied"),
            "{r:?}"
        );
        // The state is spent.
        assert_eq!(
            state_problem(c.complete("alice", p, "code", &req.state).await),
            StateProblem::Replayed
        );
    }
    let req = c.begin_oauth1("alice", CB).await.unwrap();
    let callback = mock.browse(&req.url).await;
    let r = c.complete_from_url("alice", Platform::X, &callback).await;
    assert!(matches!(r, Err(Error::AuthorizationDenied { .. })), "{r:?}");
    assert!(store.list("alice").await.unwrap().is_empty());
}
