//! LinkedIn (versioned REST API): posts, with the id in `x-restli-id`, and
//! LinkedIn's error bodies.

use serde_json::json;

use super::Scenario;
use super::answer::{Answer, throttled, token_refused};

/// The URN of every mocked post.
pub(super) const POST_URN: &str = "urn:li:share:7000000000000000001";

pub(super) fn answers(scenario: Scenario) -> Option<Vec<Answer>> {
    Some(match scenario {
        Scenario::TextPost => vec![
            Answer::on("linkedin: create post", "POST", "/rest/posts")
                .status(201)
                .header("x-restli-id", POST_URN)
                .exactly_once(),
        ],
        Scenario::ImagePost | Scenario::VideoPost => return None,
        // No Retry-After: LinkedIn's limits are daily.
        Scenario::RateLimited => throttled(
            "^/rest/",
            429,
            Vec::new(),
            json!({"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
                   "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}),
        ),
        Scenario::TokenExpired => token_refused(
            "^/rest/",
            401,
            json!({"status": 401, "serviceErrorCode": 65601, "code": "EXPIRED_ACCESS_TOKEN",
                   "message": "The token used in the request has expired"}),
            Some("/oauth/v2/accessToken"),
        ),
    })
}
