//! TikTok (Content Posting API v2, Direct Post): creator info, the
//! `FILE_UPLOAD` video with its chunk `PUT`s, the status poll, and TikTok's
//! `{"data","error"}` envelope.

use serde_json::{Value, json};

use super::Scenario;
use super::answer::{Answer, throttled, token_refused};

/// The id of every mocked post.
pub(super) const POST_ID: &str = "7300000000000000001";
const PUBLISH_ID: &str = "v_pub_file~v2-1.7300000000000000000";
const UPLOAD: &str = "/mock-upload/tiktok/video";

/// TikTok's envelope: `data` and an `error` whose code is `ok`.
fn ok(data: Value) -> Value {
    json!({"data": data, "error": {"code": "ok", "message": "", "log_id": "mock"}})
}

fn failed(code: &str, message: &str) -> Value {
    json!({"data": {}, "error": {"code": code, "message": message, "log_id": "mock"}})
}

pub(super) fn answers(scenario: Scenario, base: &str) -> Option<Vec<Answer>> {
    let api = "^/v2/(post|video)/";
    Some(match scenario {
        Scenario::TextPost | Scenario::ImagePost => return None,
        Scenario::VideoPost => {
            let status = |status: &str, post_ids: Value| {
                Answer::on(
                    "tiktok: status fetch",
                    "POST",
                    "/v2/post/publish/status/fetch/",
                )
                .json(
                    200,
                    ok(json!({"status": status, "publicaly_available_post_id": post_ids})),
                )
            };
            vec![
                Answer::on(
                    "tiktok: creator info",
                    "POST",
                    "/v2/post/publish/creator_info/query/",
                )
                .json(
                    200,
                    ok(json!({
                        "creator_avatar_url": "https://p16.tiktokcdn.com/mock.jpeg",
                        "creator_username": "creatorsync.demo",
                        "creator_nickname": "CreatorSync Demo",
                        "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
                        "comment_disabled": false,
                        "duet_disabled": false,
                        "stitch_disabled": false,
                        "max_video_post_duration_sec": 600
                    })),
                ),
                Answer::on("tiktok: video init", "POST", "/v2/post/publish/video/init/")
                    .json(
                        200,
                        ok(json!({"publish_id": PUBLISH_ID, "upload_url": format!("{base}{UPLOAD}")})),
                    )
                    .exactly_once(),
                Answer::on("tiktok: upload chunk", "PUT", UPLOAD)
                    .status(201)
                    .at_least_once(),
                status("PROCESSING_UPLOAD", json!([])).first_only(),
                status("PUBLISH_COMPLETE", json!([POST_ID])),
            ]
        }
        Scenario::RateLimited => throttled(
            api,
            429,
            vec![("retry-after", "900".into())],
            failed(
                "rate_limit_exceeded",
                "API rate limit exceeded, please retry later.",
            ),
        ),
        Scenario::TokenExpired => token_refused(
            api,
            401,
            failed(
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            ),
            Some("/v2/oauth/token/"),
        ),
    })
}
