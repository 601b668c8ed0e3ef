//! The three init endpoints (direct video, inbox video, photos): scope,
//! privacy and title checks, FILE_UPLOAD sizes against the Media Transfer
//! Guide chunk rules, and the start of PULL_FROM_URL fetching.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use creatorsync_core::Platform;
use serde_json::json;

use super::super::{St, ok, tt_err};
use super::pull::pull;
use super::{Kind, PRIVACY_OPTIONS, Publish, num_id, parse_body};
use crate::{StreamHash, random_token};

const MIB: u64 = 1024 * 1024;
/// Smallest non-final chunk (MiB assumed; UNCONFIRMED MB vs MiB).
const MIN_CHUNK: u64 = 5 * MIB;
/// Largest chunk_size.
const MAX_CHUNK: u64 = 64 * MIB;
/// Largest final chunk (absorbs the remainder).
const MAX_LAST_CHUNK: u64 = 128 * MIB;
/// Largest video (4 GB; newer docs say 10 GB — UNCONFIRMED).
const MAX_VIDEO: u64 = 4 * 1024 * MIB;

/// Checks FILE_UPLOAD sizes against the Media Transfer Guide.
fn check_chunks(size: u64, chunk: u64, count: u64) -> Result<(), String> {
    if size == 0 || size > MAX_VIDEO {
        return Err(format!(
            "video_size must be between 1 and {MAX_VIDEO} bytes"
        ));
    }
    if size < MIN_CHUNK {
        if chunk != size || count != 1 {
            return Err("a video smaller than 5 MB must be uploaded as a single chunk with chunk_size equal to video_size".into());
        }
        return Ok(());
    }
    if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk) {
        return Err("chunk_size must be between 5 MB and 64 MB".into());
    }
    if count != size / chunk {
        return Err(format!(
            "total_chunk_count must be floor(video_size / chunk_size) = {}",
            size / chunk
        ));
    }
    if !(1..=1000).contains(&count) {
        return Err("total_chunk_count must be between 1 and 1000".into());
    }
    if size > MAX_CHUNK && count < 2 {
        return Err("a video larger than 64 MB must be uploaded in multiple chunks".into());
    }
    if size - (count - 1) * chunk > MAX_LAST_CHUNK {
        return Err("the final chunk may not exceed 128 MB".into());
    }
    Ok(())
}

/// Shared init logic for the three init endpoints.
async fn init(
    st: St,
    headers: HeaderMap,
    body: Bytes,
    kind: Kind,
    endpoint: &'static str,
) -> Response {
    let scope = match kind {
        Kind::Direct | Kind::PhotoDirect => "video.publish",
        Kind::Inbox | Kind::PhotoInbox => "video.upload",
    };
    let photo = endpoint == "content_init";
    // Photo posts accept either scope; the post_mode is only known after parsing.
    let info = match st.authorize(
        &headers,
        (!photo).then_some(scope),
        Some((endpoint, st.ctx.config.tiktok_rate_limits.init)),
    ) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut kind = kind;
    if photo {
        if v["media_type"].as_str() != Some("PHOTO") {
            return tt_err(400, "invalid_params", "media_type must be PHOTO");
        }
        kind = match v["post_mode"].as_str() {
            Some("DIRECT_POST") => Kind::PhotoDirect,
            Some("MEDIA_UPLOAD") => Kind::PhotoInbox,
            _ => {
                return tt_err(
                    400,
                    "invalid_params",
                    "post_mode must be DIRECT_POST or MEDIA_UPLOAD",
                );
            }
        };
        let scope = if kind == Kind::PhotoDirect {
            "video.publish"
        } else {
            "video.upload"
        };
        if !info
            .scopes
            .iter()
            .any(|s| s == scope || s == "video.publish" || s == "video.upload")
        {
            return tt_err(
                401,
                "scope_not_authorized",
                "The user did not authorize the scope required for completing this request.",
            );
        }
    }
    let post_info = v["post_info"].clone();
    if matches!(kind, Kind::Direct | Kind::PhotoDirect) {
        let privacy = post_info["privacy_level"].as_str().unwrap_or("");
        if !PRIVACY_OPTIONS.contains(&privacy) {
            return tt_err(
                400,
                "privacy_level_option_mismatch",
                "privacy_level is not one of the creator's privacy_level_options",
            );
        }
        if let Err(r) = st.direct_post(&info.subject) {
            return r;
        }
    } else if let Err(r) = super::inbox::check_pending(&st.ctx, &info.subject) {
        return r;
    }
    let title_len = post_info["title"]
        .as_str()
        .map_or(0, |t| t.encode_utf16().count());
    if (photo && title_len > 90) || title_len > 2200 {
        return tt_err(400, "invalid_params", "post_info.title is too long");
    }
    if photo
        && post_info["description"]
            .as_str()
            .is_some_and(|d| d.encode_utf16().count() > 4000)
    {
        return tt_err(400, "invalid_params", "post_info.description is too long");
    }
    let src = &v["source_info"];
    let source = src["source"].as_str().unwrap_or("");
    let tag = match kind {
        Kind::Direct => "v_pub",
        Kind::Inbox => "v_inbox",
        Kind::PhotoDirect | Kind::PhotoInbox => "p_pub",
    };
    let mut p = Publish {
        subject: info.subject,
        kind,
        post_info,
        file: None,
        received: 0,
        last_range: None,
        hash: StreamHash::default(),
        mime: None,
        downloaded: 0,
        pulling: false,
        ready_at: None,
        fail_reason: None,
        post_id: None,
        media: Vec::new(),
    };
    let mut data = json!({});
    let mut pulls: Vec<String> = Vec::new();
    match (source, photo) {
        ("FILE_UPLOAD", false) => {
            let n = |k: &str| src[k].as_u64();
            let (Some(size), Some(chunk), Some(count)) =
                (n("video_size"), n("chunk_size"), n("total_chunk_count"))
            else {
                return tt_err(
                    400,
                    "invalid_params",
                    "video_size, chunk_size and total_chunk_count are required for FILE_UPLOAD",
                );
            };
            if let Err(m) = check_chunks(size, chunk, count) {
                return tt_err(400, "invalid_params", &m);
            }
            let token = random_token("", 18);
            p.file = Some((size, chunk, count, token.clone()));
            let publish_id = format!("{tag}_file~v2-1.{}", num_id());
            data = json!({"publish_id": publish_id, "upload_url": format!(
                "{}/upload/video/?upload_id={}&upload_token={token}",
                st.ctx.base(Platform::TikTok),
                publish_id.replace('~', "%7E")
            )});
            st.lock().publishes.insert(publish_id, p);
            return ok(data);
        }
        ("PULL_FROM_URL", false) => {
            let Some(u) = src["video_url"].as_str().filter(|u| !u.is_empty()) else {
                return tt_err(
                    400,
                    "invalid_params",
                    "video_url is required for PULL_FROM_URL",
                );
            };
            pulls.push(u.to_owned());
        }
        ("PULL_FROM_URL", true) => {
            let imgs: Vec<String> = src["photo_images"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if imgs.is_empty() || imgs.len() > 35 {
                return tt_err(400, "invalid_params", "photo_images must hold 1 to 35 URLs");
            }
            let cover = src["photo_cover_index"].as_u64().unwrap_or(0);
            if cover >= imgs.len() as u64 {
                return tt_err(400, "invalid_params", "photo_cover_index is out of range");
            }
            pulls = imgs;
        }
        _ => return tt_err(400, "invalid_params", "source_info.source is invalid"),
    }
    let publish_id = format!("{tag}_url~v2-1.{}", num_id());
    p.pulling = true;
    st.lock().publishes.insert(publish_id.clone(), p);
    data["publish_id"] = json!(publish_id);
    tokio::spawn(pull(st.clone(), publish_id, pulls, photo));
    ok(data)
}

/// POST /v2/post/publish/video/init/
pub(crate) async fn video_init(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    init(st, headers, body, Kind::Direct, "video_init").await
}

/// POST /v2/post/publish/inbox/video/init/
pub(crate) async fn inbox_init(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    init(st, headers, body, Kind::Inbox, "inbox_init").await
}

/// POST /v2/post/publish/content/init/ (photos).
pub(crate) async fn content_init(
    State(st): State<St>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    init(st, headers, body, Kind::PhotoDirect, "content_init").await
}
