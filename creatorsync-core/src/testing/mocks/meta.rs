//! Facebook Pages and Instagram (Meta's Graph API, version in the path):
//! feed posts and photos, Instagram containers, and the Graph error body
//! the two share.

use serde_json::{Value, json};

use super::Scenario;
use super::answer::{Answer, throttled, token_refused};

/// The id of every mocked Facebook post (`{page}_{post}`).
pub(super) const FACEBOOK_POST_ID: &str = "1001_2001";
/// The id of every mocked Instagram media.
pub(super) const INSTAGRAM_MEDIA_ID: &str = "17900000000000002";
const CONTAINER_ID: &str = "17900000000000001";

/// Every Graph path: `/v{major}.{minor}/...`.
const GRAPH: &str = r"^/v[0-9]+\.[0-9]+/";

/// `{GRAPH}{rest}$`: one Graph path of any version.
fn graph(rest: &str) -> String {
    format!(r"{GRAPH}{rest}$")
}

fn error(code: u64, subcode: Option<u64>, message: &str) -> Value {
    let mut e =
        json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Amock"});
    if let Some(sub) = subcode {
        e["error_subcode"] = json!(sub);
    }
    json!({ "error": e })
}

/// The scenarios the two Graph platforms answer alike.
fn shared(scenario: Scenario) -> Option<Vec<Answer>> {
    match scenario {
        // Meta throttles with 400 + code 32 (page) and says when access
        // comes back in X-Business-Use-Case-Usage.
        Scenario::RateLimited => Some(throttled(
            GRAPH,
            400,
            vec![(
                "x-business-use-case-usage",
                json!({"1001": [{"type": "pages", "call_count": 100, "total_cputime": 100,
                                 "total_time": 100, "estimated_time_to_regain_access": 30}]})
                .to_string(),
            )],
            error(32, None, "(#32) Page request limit reached"),
        )),
        // Graph tokens are not refreshed: 190 means reconnect.
        Scenario::TokenExpired => Some(token_refused(
            GRAPH,
            400,
            error(
                190,
                Some(463),
                "Error validating access token: Session has expired.",
            ),
            None,
        )),
        _ => None,
    }
}

pub(super) fn facebook(scenario: Scenario) -> Option<Vec<Answer>> {
    let permalink = || {
        Answer::on_regex("facebook: permalink", "GET", &graph("[0-9]+_[0-9]+"))
            .query("fields", "permalink_url")
            .json(
                200,
                json!({"id": FACEBOOK_POST_ID, "permalink_url": "https://www.facebook.com/1001/posts/2001"}),
            )
    };
    Some(match scenario {
        Scenario::TextPost => vec![
            Answer::on_regex("facebook: create feed post", "POST", &graph("[^/]+/feed"))
                .json(200, json!({"id": FACEBOOK_POST_ID}))
                .exactly_once(),
            permalink(),
        ],
        Scenario::ImagePost => vec![
            Answer::on_regex("facebook: create photo", "POST", &graph("[^/]+/photos"))
                .json(200, json!({"id": "3001", "post_id": FACEBOOK_POST_ID}))
                .exactly_once(),
            permalink(),
        ],
        Scenario::VideoPost => return None,
        other => return shared(other),
    })
}

pub(super) fn instagram(scenario: Scenario) -> Option<Vec<Answer>> {
    let node = |name: &str, id: &str, fields: &str| {
        Answer::on_regex(name, "GET", &graph(id)).query("fields", fields)
    };
    Some(match scenario {
        Scenario::ImagePost => vec![
            Answer::on_regex(
                "instagram: publishing limit",
                "GET",
                &graph("[0-9]+/content_publishing_limit"),
            )
            .json(
                200,
                json!({"data": [{"quota_usage": 1, "config": {"quota_total": 100, "quota_duration": 86_400}}]}),
            ),
            Answer::on_regex("instagram: create container", "POST", &graph("[0-9]+/media"))
                .json(200, json!({"id": CONTAINER_ID}))
                .exactly_once(),
            node("instagram: container status", CONTAINER_ID, "status_code,status")
                .json(200, json!({"id": CONTAINER_ID, "status_code": "IN_PROGRESS", "status": "In Progress"}))
                .first_only(),
            node("instagram: container status", CONTAINER_ID, "status_code,status")
                .json(200, json!({"id": CONTAINER_ID, "status_code": "FINISHED", "status": "Finished"})),
            Answer::on_regex("instagram: media_publish", "POST", &graph("[0-9]+/media_publish"))
                .json(200, json!({"id": INSTAGRAM_MEDIA_ID}))
                .exactly_once(),
            node("instagram: permalink", INSTAGRAM_MEDIA_ID, "permalink").json(
                200,
                json!({"id": INSTAGRAM_MEDIA_ID, "permalink": "https://www.instagram.com/p/Cmock00001/"}),
            ),
        ],
        Scenario::TextPost | Scenario::VideoPost => return None,
        other => return shared(other),
    })
}
