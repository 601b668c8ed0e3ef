//! The six platforms' answers on a [`wiremock::MockServer`], so code that
//! calls the SDK can be tested without the emulator or the network.
//!
//! [`mount`] puts one [`Scenario`] of one platform on a server and returns
//! the [`Endpoints`] to point the SDK at (for [`crate::CreatorSyncBuilder`],
//! [`endpoint_set`] sets them for every platform). The answers have the
//! shapes, status codes and headers the platforms document and the SDK's
//! clients parse. The calls that create a post are mounted with
//! `expect(1)`, and the error scenarios expect at least one call: when the
//! server is dropped, wiremock panics if a post was created twice or not
//! at all. A catch-all answers every other request `404` naming it, and
//! expects none.
//!
//! | scenario | X | LinkedIn | Facebook | Instagram | YouTube | TikTok |
//! |---|---|---|---|---|---|---|
//! | [`Scenario::TextPost`] | ✓ | ✓ | ✓ | – | – | – |
//! | [`Scenario::ImagePost`] | ✓ | – | ✓ | ✓ (public URL) | – | – |
//! | [`Scenario::VideoPost`] | ✓ chunked + processing | – | – | – | ✓ resumable + processing | ✓ chunks + status |
//! | [`Scenario::RateLimited`] | 429 `x-rate-limit-*` | 429 daily | 400 #32 + `x-business-use-case-usage` | same as Facebook | 429 `rateLimitExceeded` | 429 `rate_limit_exceeded` |
//! | [`Scenario::TokenExpired`] | 401 | 401 | 400 #190 | 400 #190 | 401 | 401 `access_token_invalid` |
//!
//! In the token scenario a refresh (platforms that refresh) is refused with
//! `invalid_grant`, so the publish reports [`crate::Error::ReauthRequired`].
//!
//! ```no_run
//! # async fn run() -> creatorsync_core::Result<()> {
//! use creatorsync_core::Platform;
//! use creatorsync_core::testing::mocks::{self, Scenario, wiremock::MockServer};
//!
//! let server = MockServer::start().await;
//! let endpoints = mocks::mount(&server, Platform::X, Scenario::TextPost).await?;
//! // … build the SDK on `endpoints` (or `mocks::endpoint_set(&server)?`),
//! // publish, and assert on the report; the server checks the rest when
//! // it is dropped.
//! # let _ = endpoints; Ok(()) }
//! ```

mod answer;
mod linkedin;
mod meta;
mod tiktok;
mod x;
mod youtube;

pub use wiremock;

use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{EndpointSet, Endpoints, Error, Platform, Result};

/// What the mocked platform does with the next post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scenario {
    /// A text post is created.
    TextPost,
    /// A post with one image is created.
    ImagePost,
    /// A video goes through the platform's chunked or resumable upload and
    /// its processing, then the post is created.
    VideoPost,
    /// Every API call is throttled, as the platform signals it.
    RateLimited,
    /// Every API call refuses the access token as expired.
    TokenExpired,
}

/// Mounts `scenario` of `platform` on `server` and returns the endpoints
/// pointing at it. A scenario the platform has no such post for (text on
/// YouTube, say) is an [`Error::InvalidInput`].
///
/// Mount one platform per server: Facebook and Instagram share the Graph
/// API's paths.
pub async fn mount(
    server: &MockServer,
    platform: Platform,
    scenario: Scenario,
) -> Result<Endpoints> {
    let answers = answers(platform, scenario, &server.uri()).ok_or_else(|| {
        Error::invalid_input("scenario", format!("{platform} has no mocked {scenario:?}"))
    })?;
    for answer in answers {
        answer.mock().mount(server).await;
    }
    Mock::given(wiremock::matchers::any())
        .respond_with(Unexpected)
        .with_priority(u8::MAX)
        .named("unexpected request (no mocked answer)")
        .expect(0)
        .mount(server)
        .await;
    endpoints(server)
}

/// The answers of `scenario` on `platform`, on a server at `base`.
fn answers(platform: Platform, scenario: Scenario, base: &str) -> Option<Vec<answer::Answer>> {
    match platform {
        Platform::X => x::answers(scenario),
        Platform::LinkedIn => linkedin::answers(scenario),
        Platform::Facebook => meta::facebook(scenario),
        Platform::Instagram => meta::instagram(scenario),
        Platform::YouTube => youtube::answers(scenario),
        Platform::TikTok => tiktok::answers(scenario, base),
    }
}

impl Scenario {
    /// Whether `platform` has this scenario (see the table above).
    pub fn applies_to(self, platform: Platform) -> bool {
        answers(platform, self, "http://127.0.0.1").is_some()
    }
}

/// Every host of a platform (auth, token, API, upload) on `server`.
pub fn endpoints(server: &MockServer) -> Result<Endpoints> {
    Endpoints::all(&server.uri())
}

/// Every platform on `server`, for [`crate::CreatorSyncBuilder::endpoints`].
pub fn endpoint_set(server: &MockServer) -> Result<EndpointSet> {
    let endpoints = endpoints(server)?;
    let mut set = EndpointSet::production();
    for platform in Platform::ALL {
        set.set(platform, endpoints.clone());
    }
    Ok(set)
}

/// The id the mocked platform gives the post it creates.
pub fn post_id(platform: Platform) -> &'static str {
    match platform {
        Platform::X => x::POST_ID,
        Platform::LinkedIn => linkedin::POST_URN,
        Platform::Facebook => meta::FACEBOOK_POST_ID,
        Platform::Instagram => meta::INSTAGRAM_MEDIA_ID,
        Platform::YouTube => youtube::VIDEO_ID,
        Platform::TikTok => tiktok::POST_ID,
    }
}

/// The catch-all's answer: a 404 naming the request nobody mocked.
#[derive(Debug, Clone, Copy)]
struct Unexpected;

impl Respond for Unexpected {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        ResponseTemplate::new(404).set_body_string(format!(
            "creatorsync mock: unexpected request {} {}",
            request.method, request.url
        ))
    }
}
