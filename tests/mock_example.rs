//! How to test your own code that publishes through CreatorSync, without
//! the emulator or the network: mount a platform's answers on a
//! `wiremock` server (feature `testing`), point the SDK at it, store a
//! token so no OAuth is needed, publish, assert. Copy this file.

use std::sync::Arc;
use std::time::Duration;

use creatorsync::auth::Apps;
use creatorsync::testing::mocks::{self, Scenario, wiremock::MockServer};
use creatorsync::testing::{key, sample_oauth2};
use creatorsync::{
    CreatorSync, Error, HttpConfig, MemoryTokenStore, Platform, Post, RetryConfig, TokenStore,
};

/// The SDK on the mock server, with `alice`'s X account already stored.
async fn sdk_for_alice(server: &MockServer) -> CreatorSync {
    let store = Arc::new(MemoryTokenStore::new());
    let account = sample_oauth2(key("alice", Platform::X, "2244994945"), "mock-access-token");
    store.put(&account, None).await.unwrap();
    CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(mocks::endpoint_set(server).unwrap())
        .store(store)
        .state_secret(*b"a-test-state-secret-of-32-bytes!")
        .http(HttpConfig {
            retry: RetryConfig {
                initial_backoff: Duration::from_millis(5),
                ..RetryConfig::default()
            },
            ..HttpConfig::default()
        })
        .build()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_text_post_is_published_once() {
    let server = MockServer::start().await;
    mocks::mount(&server, Platform::X, Scenario::TextPost)
        .await
        .unwrap();
    let sdk = sdk_for_alice(&server).await;

    let report = sdk
        .publish("alice", &Post::text("Hello from a test"))
        .targets([Platform::X])
        .send()
        .await
        .unwrap();

    assert!(report.all_ok(), "{report:?}");
    let (_, published) = report.published().next().unwrap();
    assert_eq!(published.post_id, mocks::post_id(Platform::X));
    assert_eq!(
        published.url,
        format!("https://x.com/creator/status/{}", published.post_id)
    );
    // Dropping the server checks that the tweet was created exactly once.
}

#[tokio::test]
async fn a_rate_limit_is_reported_not_retried_for_fifteen_minutes() {
    let server = MockServer::start().await;
    mocks::mount(&server, Platform::X, Scenario::RateLimited)
        .await
        .unwrap();
    let sdk = sdk_for_alice(&server).await;

    let report = sdk
        .publish("alice", &Post::text("Hello from a test"))
        .targets([Platform::X])
        .send()
        .await
        .unwrap();

    let (_, error) = report.failed().next().expect("the post failed");
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert!(error.is_retryable());
    let wait = error.retry_after().expect("X says when the window resets");
    assert!(wait > Duration::from_secs(800), "{wait:?}");
}
