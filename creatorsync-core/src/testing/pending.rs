//! [`PendingStore`] cases: taken once with its secrets, expired entries
//! never returned, one winner among concurrent takers.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Barrier;

use super::RACERS;
use crate::auth::{PendingConnect, PendingStore};
use crate::{Platform, Secret};

fn pending(user: &str, ttl_secs: i64) -> PendingConnect {
    PendingConnect {
        user_id: user.into(),
        platform: Platform::TikTok,
        redirect_uri: "http://127.0.0.1/cb".into(),
        pkce_verifier: Some(Secret::from("verifier-\u{1F511}")),
        request_token_secret: Some(Secret::from("rt-secret")),
        expires_at: Utc::now() + chrono::Duration::seconds(ttl_secs),
    }
}

/// An entry comes back whole exactly once; a missing nonce reads `None`.
pub async fn pending_taken_once(store: &dyn PendingStore) {
    assert!(
        store.take("pt-missing").await.expect("take").is_none(),
        "a missing nonce"
    );
    store
        .insert("pt-n1", pending("pt-user", 600))
        .await
        .expect("insert");
    let got = store
        .take("pt-n1")
        .await
        .expect("take")
        .expect("the entry is there");
    assert_eq!(got.user_id, "pt-user");
    assert_eq!(got.platform, Platform::TikTok);
    assert_eq!(got.redirect_uri, "http://127.0.0.1/cb");
    assert_eq!(
        got.pkce_verifier.as_ref().map(|s| s.expose().as_str()),
        Some("verifier-\u{1F511}")
    );
    assert_eq!(
        got.request_token_secret
            .as_ref()
            .map(|s| s.expose().as_str()),
        Some("rt-secret")
    );
    assert!(
        store.take("pt-n1").await.expect("take again").is_none(),
        "taken twice"
    );
}

/// An expired entry is never returned.
pub async fn pending_expired(store: &dyn PendingStore) {
    store
        .insert("pe-old", pending("pe-user", -1))
        .await
        .expect("insert expired");
    store
        .insert("pe-new", pending("pe-user", 600))
        .await
        .expect("insert");
    assert!(
        store.take("pe-old").await.expect("take").is_none(),
        "an expired entry was returned"
    );
    assert!(store.take("pe-new").await.expect("take").is_some());
}

/// Of [`RACERS`] concurrent takers of one entry exactly one gets it.
pub async fn pending_concurrent_take(store: Arc<dyn PendingStore>) {
    store
        .insert("pc-n", pending("pc-user", 600))
        .await
        .expect("insert");
    let barrier = Arc::new(Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store.take("pc-n").await.expect("take").is_some()
            })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        winners += usize::from(t.await.expect("task"));
    }
    assert_eq!(winners, 1, "concurrent takes: exactly one winner");
}
