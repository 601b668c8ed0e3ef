//! Every mocked scenario of `testing::mocks` against the SDK's real
//! clients: the answers parse, posts are created once (the servers'
//! `expect(1)` is checked when they drop), errors arrive typed.

mod common;

use std::sync::Arc;
use std::time::Duration;

use creatorsync::auth::Apps;
use creatorsync::testing::mocks::{self, Scenario, wiremock::MockServer};
use creatorsync::testing::{key, sample_oauth2};
use creatorsync::upload::{PollConfig, UploadConfig};
use creatorsync::{
    CreatorSync, Error, HttpConfig, Media, MemoryTokenStore, Platform, Post, PublishReport,
    RetryConfig, TikTokPrivacy, TokenStore,
};

async fn publish(platform: Platform, scenario: Scenario, post: &Post) -> PublishReport {
    let server = MockServer::start().await;
    mocks::mount(&server, platform, scenario).await.unwrap();
    let store = Arc::new(MemoryTokenStore::new());
    let account = sample_oauth2(key("alice", platform, "1001"), "mock-access-token");
    store.put(&account, None).await.unwrap();
    let sdk = CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(mocks::endpoint_set(&server).unwrap())
        .store(store)
        .state_secret(*b"a-test-state-secret-of-32-bytes!")
        .http(HttpConfig {
            retry: RetryConfig {
                initial_backoff: Duration::from_millis(5),
                max_backoff: Duration::from_millis(20),
                ..RetryConfig::default()
            },
            ..HttpConfig::default()
        })
        .upload(UploadConfig {
            chunk_size: 64 * 1024,
            ..UploadConfig::default()
        })
        .poll(PollConfig {
            initial: Duration::from_millis(10),
            max_interval: Duration::from_millis(50),
            deadline: Duration::from_secs(20),
        })
        .build()
        .await
        .unwrap();
    sdk.publish("alice", post)
        .targets([platform])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{platform} {scenario:?}: {e:?}"))
}

fn with_tiktok_privacy(mut post: Post) -> Post {
    post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
    post
}

/// The post of `scenario`; the error scenarios use the first post the
/// platform has a scenario for.
async fn posts(platform: Platform, scenario: Scenario) -> Post {
    let scenario = match scenario {
        Scenario::RateLimited | Scenario::TokenExpired => ALL[..3]
            .iter()
            .copied()
            .find(|s| s.applies_to(platform))
            .unwrap(),
        other => other,
    };
    let media: Option<Media> = match scenario {
        Scenario::ImagePost => {
            Some(common::image_at(2048, "https://cdn.example.invalid/a.jpg".parse().unwrap()).await)
        }
        Scenario::VideoPost => Some(common::video(200 * 1024).await),
        _ => None,
    };
    let mut post = Post::text("Hello from the mocks");
    post.options.youtube.title = Some("Mocked".into());
    if let Some(m) = media {
        post = post.with_media(m);
    }
    with_tiktok_privacy(post)
}

const ALL: [Scenario; 5] = [
    Scenario::TextPost,
    Scenario::ImagePost,
    Scenario::VideoPost,
    Scenario::RateLimited,
    Scenario::TokenExpired,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_of_every_platform() {
    for platform in Platform::ALL {
        for scenario in ALL {
            if !scenario.applies_to(platform) {
                continue;
            }
            let post = posts(platform, scenario).await;
            let report = publish(platform, scenario, &post).await;
            let what = format!("{platform} {scenario:?}: {report:?}");
            match scenario {
                Scenario::TextPost | Scenario::ImagePost | Scenario::VideoPost => {
                    let (_, published) = report.published().next().expect(&what);
                    assert_eq!(published.post_id, mocks::post_id(platform), "{what}");
                }
                Scenario::RateLimited => {
                    let (_, e) = report.failed().next().expect(&what);
                    match e {
                        // A short window: the platform's wait is kept.
                        Error::RateLimited { .. } => assert!(
                            e.retry_after().is_some_and(|w| w > Duration::from_secs(60)),
                            "{what}"
                        ),
                        // A daily limit: it resets at the platform's midnight.
                        Error::QuotaExhausted { .. } => {
                            assert!(e.retry_after().is_some(), "{what}")
                        }
                        _ => panic!("{what}"),
                    }
                }
                Scenario::TokenExpired => {
                    let (_, e) = report.failed().next().expect(&what);
                    assert!(matches!(e, Error::ReauthRequired { .. }), "{what}");
                }
                _ => unreachable!(),
            }
        }
    }
}

#[tokio::test]
async fn scenarios_a_platform_has_no_post_for_are_refused() {
    let server = MockServer::start().await;
    let e = mocks::mount(&server, Platform::YouTube, Scenario::TextPost)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { field, .. } if field == "scenario"),
        "{e:?}"
    );
}

#[tokio::test]
#[should_panic(expected = "Verifications failed")]
async fn a_post_that_never_reached_the_server_fails_the_test() {
    let server = MockServer::start().await;
    mocks::mount(&server, Platform::X, Scenario::TextPost)
        .await
        .unwrap();
    drop(server);
}
