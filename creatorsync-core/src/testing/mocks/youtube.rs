//! YouTube (Data API v3): the resumable `videos.insert` session, the
//! processing poll, and Google's error bodies.

use serde_json::json;

use super::Scenario;
use super::answer::{Answer, throttled, token_refused};

/// The id of every mocked video.
pub(super) const VIDEO_ID: &str = "mockVideo01";
const UPLOAD: &str = "/upload/youtube/v3/videos";
const UPLOAD_ID: &str = "mock-session-1";

pub(super) fn answers(scenario: Scenario) -> Option<Vec<Answer>> {
    let api = "^/(upload/)?youtube/v3/";
    Some(match scenario {
        Scenario::TextPost | Scenario::ImagePost => return None,
        Scenario::VideoPost => {
            let video = |upload: &str, processing: &str| {
                json!({"kind": "youtube#video", "id": VIDEO_ID,
                       "status": {"uploadStatus": upload, "privacyStatus": "private"},
                       "processingDetails": {"processingStatus": processing}})
            };
            let poll = || {
                Answer::on("youtube: videos.list", "GET", "/youtube/v3/videos")
                    .query("id", VIDEO_ID)
            };
            vec![
                Answer::on("youtube: open upload session", "POST", UPLOAD)
                    .query("uploadType", "resumable")
                    .header(
                        "location",
                        format!("{UPLOAD}?uploadType=resumable&upload_id={UPLOAD_ID}"),
                    )
                    .status(200)
                    .exactly_once(),
                Answer::on("youtube: upload bytes", "PUT", UPLOAD)
                    .query("upload_id", UPLOAD_ID)
                    .json(200, video("uploaded", "processing"))
                    .at_least_once(),
                poll()
                    .json(200, json!({"items": [video("uploaded", "processing")]}))
                    .first_only(),
                poll().json(200, json!({"items": [video("processed", "succeeded")]})),
            ]
        }
        Scenario::RateLimited => throttled(
            api,
            429,
            vec![("retry-after", "900".into())],
            json!({"error": {"code": 429, "message": "Too many requests.",
                   "errors": [{"message": "Too many requests.", "domain": "youtube.video", "reason": "rateLimitExceeded"}]}}),
        ),
        Scenario::TokenExpired => token_refused(
            api,
            401,
            json!({"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                   "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError"}],
                   "status": "UNAUTHENTICATED"}}),
            Some("/token"),
        ),
    })
}
