//! X (API v2): tweets, the chunked media upload with processing, and X's
//! error bodies and `x-rate-limit-*` headers.

use serde_json::json;

use super::Scenario;
use super::answer::{Answer, throttled, token_refused, unix_in};

/// The tweet id of every mocked post.
pub(super) const POST_ID: &str = "1866000000000000001";
const MEDIA_ID: &str = "1866000000000000100";

pub(super) fn answers(scenario: Scenario) -> Option<Vec<Answer>> {
    let tweet = || {
        Answer::on("x: create tweet", "POST", "/2/tweets")
            .json(201, json!({"data": {"id": POST_ID, "text": "mocked"}}))
            .exactly_once()
    };
    Some(match scenario {
        Scenario::TextPost => vec![tweet()],
        Scenario::ImagePost => [upload(false), vec![tweet()]].concat(),
        Scenario::VideoPost => [upload(true), vec![tweet()]].concat(),
        Scenario::RateLimited => throttled(
            "^/2/",
            429,
            vec![
                ("x-rate-limit-limit", "100".into()),
                ("x-rate-limit-remaining", "0".into()),
                ("x-rate-limit-reset", unix_in(900)),
            ],
            json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
        ),
        Scenario::TokenExpired => token_refused(
            "^/2/",
            401,
            json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
            Some("/2/oauth2/token"),
        ),
    })
}

/// INIT → APPEND (any number of segments) → FINALIZE, and for a video one
/// STATUS answer `in_progress` before `succeeded`.
fn upload(processing: bool) -> Vec<Answer> {
    let media = |info: Option<serde_json::Value>| {
        let mut data = json!({"id": MEDIA_ID, "media_key": format!("7_{MEDIA_ID}"), "expires_after_secs": 86_400});
        if let Some(info) = info {
            data["processing_info"] = info;
        }
        json!({ "data": data })
    };
    let mut answers = vec![
        Answer::on("x: media initialize", "POST", "/2/media/upload/initialize")
            .json(200, media(None))
            .exactly_once(),
        Answer::on(
            "x: media append",
            "POST",
            &format!("/2/media/upload/{MEDIA_ID}/append"),
        )
        .status(204)
        .at_least_once(),
        Answer::on("x: media metadata", "POST", "/2/media/metadata")
            .json(200, json!({"data": {"associated_metadata": true}})),
    ];
    let finalize = Answer::on(
        "x: media finalize",
        "POST",
        &format!("/2/media/upload/{MEDIA_ID}/finalize"),
    );
    if processing {
        let status = |state: &str| {
            Answer::on("x: media status", "GET", "/2/media/upload")
                .query("command", "STATUS")
                .query("media_id", MEDIA_ID)
                .json(
                    200,
                    media(Some(
                        json!({"state": state, "check_after_secs": 1, "progress_percent": 50}),
                    )),
                )
        };
        answers.extend([
            finalize
                .json(
                    200,
                    media(Some(json!({"state": "pending", "check_after_secs": 1}))),
                )
                .exactly_once(),
            status("in_progress").first_only(),
            status("succeeded"),
        ]);
    } else {
        answers.push(finalize.json(200, media(None)).exactly_once());
    }
    answers
}
