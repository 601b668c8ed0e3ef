//! Media upload (v2 and v1.1), processing states, posts, faults, rate limits.

use super::*;

async fn init(
    emu: &RunningEmulator,
    http: &Client,
    at: &str,
    total: usize,
    category: &str,
    mime: &str,
) -> String {
    let r = http
        .post(url(emu, "/2/media/upload/initialize"))
        .bearer_auth(at)
        .json(&json!({"media_type": mime, "total_bytes": total, "media_category": category}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["data"]["expires_after_secs"].is_u64());
    v["data"]["id"].as_str().unwrap().to_owned()
}

async fn append(
    emu: &RunningEmulator,
    http: &Client,
    at: &str,
    id: &str,
    index: u32,
    bytes: Vec<u8>,
) -> Result<reqwest::Response, reqwest::Error> {
    let form = reqwest::multipart::Form::new()
        .text("segment_index", index.to_string())
        .part("media", reqwest::multipart::Part::bytes(bytes));
    http.post(url(emu, &format!("/2/media/upload/{id}/append")))
        .bearer_auth(at)
        .multipart(form)
        .send()
        .await
}

async fn status(emu: &RunningEmulator, http: &Client, at: &str, id: &str) -> Value {
    http.get(url(emu, "/2/media/upload"))
        .query(&[("command", "STATUS"), ("media_id", id)])
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// An emulator, an HTTP client and an OAuth 2.0 user access token.
async fn setup(cfg: EmulatorConfig) -> (RunningEmulator, Client, String) {
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    (emu, http, at)
}

/// POSTs to `path` with the bearer token and, when given, a JSON body.
async fn bearer_post(
    emu: &RunningEmulator,
    http: &Client,
    at: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let req = http.post(url(emu, path)).bearer_auth(at);
    let req = match body {
        Some(body) => req.json(&body),
        None => req,
    };
    req.send().await.unwrap()
}

/// POSTs a tweet (`body` is its JSON).
async fn tweet(emu: &RunningEmulator, http: &Client, at: &str, body: Value) -> reqwest::Response {
    bearer_post(emu, http, at, "/2/tweets", Some(body)).await
}

/// POSTs a tweet with `text` and the one media `id`.
async fn tweet_media(
    emu: &RunningEmulator,
    http: &Client,
    at: &str,
    text: &str,
    id: &str,
) -> reqwest::Response {
    let body = json!({"text": text, "media": {"media_ids": [id]}});
    tweet(emu, http, at, body).await
}

/// Finalizes upload `id`.
async fn finalize(emu: &RunningEmulator, http: &Client, at: &str, id: &str) -> reqwest::Response {
    bearer_post(
        emu,
        http,
        at,
        &format!("/2/media/upload/{id}/finalize"),
        None,
    )
    .await
}

/// GETs `path` with the bearer token; the JSON answer.
async fn get_json(emu: &RunningEmulator, http: &Client, at: &str, path: &str) -> Value {
    http.get(url(emu, path))
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A v1.1 form POST to `u`, signed for `user` (form bodies are signed).
async fn signed_form(
    http: &Client,
    user: &Signer,
    u: &str,
    form: &[(&str, &str)],
    ts: i64,
    nonce: &str,
) -> reqwest::Response {
    let h = user.header("POST", u, form, &[], ts, nonce);
    http.post(u)
        .header("authorization", h)
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn chunked_video_processing_and_post_lifecycle() {
    let (emu, http, at) = setup(EmulatorConfig::default()).await;
    let file: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
    let id = init(&emu, &http, &at, file.len(), "tweet_video", "video/mp4").await;
    for (i, chunk) in file.chunks(1_000_000).enumerate() {
        let r = append(&emu, &http, &at, &id, i as u32, chunk.to_vec())
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let chunks = emu.record().chunks(&id);
    assert_eq!(
        chunks.iter().map(|c| c.offset).collect::<Vec<_>>(),
        vec![0, 1_000_000, 2_000_000]
    );
    let r: Value = finalize(&emu, &http, &at, &id).await.json().await.unwrap();
    assert_eq!(r["data"]["processing_info"]["state"], "pending");
    assert_eq!(r["data"]["size"], file.len());
    // Not usable before processing succeeds.
    let r = tweet_media(&emu, &http, &at, "early", &id).await;
    assert_eq!(r.status(), 400);
    emu.clock().advance(Duration::from_secs(2));
    assert_eq!(
        status(&emu, &http, &at, &id).await["data"]["processing_info"]["state"],
        "succeeded"
    );

    let r = tweet_media(&emu, &http, &at, "hello video", &id).await;
    assert_eq!(r.status(), 201);
    assert!(r.headers().contains_key("x-rate-limit-reset"));
    assert_eq!(r.headers()["x-rate-limit-limit"], "100");
    let v: Value = r.json().await.unwrap();
    let tid = v["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(v["data"]["edit_history_tweet_ids"], json!([tid]));
    let post = emu.record().post(Platform::X, &tid).unwrap();
    assert_eq!(
        post.url,
        format!("https://x.com/creatorsync_demo/status/{tid}")
    );
    assert_eq!(post.media[0].sha256, hex::encode(Sha256::digest(&file)));
    assert_eq!(post.media[0].len, file.len() as u64);

    // Duplicate text within 24 h.
    let r = tweet(&emu, &http, &at, json!({"text": "hello video"})).await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["detail"],
        "You are not allowed to create a Tweet with duplicate content."
    );
    // Reply.
    let r = tweet(
        &emu,
        &http,
        &at,
        json!({"text": "a reply", "reply": {"in_reply_to_tweet_id": tid}}),
    )
    .await;
    assert_eq!(r.status(), 201);

    let g: Value = get_json(&emu, &http, &at, &format!("/2/tweets/{tid}")).await;
    assert_eq!(g["data"]["author_id"], "2244994945");
    assert_eq!(g["data"]["text"], "hello video");
    let tl: Value = get_json(&emu, &http, &at, "/2/users/2244994945/tweets?max_results=5").await;
    assert_eq!(tl["data"][0]["text"], "a reply");
    assert_eq!(tl["data"][1]["id"], tid.as_str());
    let d: Value = http
        .delete(url(&emu, &format!("/2/tweets/{tid}")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d, json!({"data": {"deleted": true}}));
    let g: Value = get_json(&emu, &http, &at, &format!("/2/tweets/{tid}")).await;
    assert_eq!(g["errors"][0]["title"], "Not Found Error");

    // Images need no processing.
    let img = init(&emu, &http, &at, 10, "tweet_image", "image/png").await;
    append(&emu, &http, &at, &img, 0, vec![7u8; 10])
        .await
        .unwrap();
    let r: Value = finalize(&emu, &http, &at, &img).await.json().await.unwrap();
    assert!(r["data"].get("processing_info").is_none());
    let alt = json!({"id": img, "metadata": {"alt_text": {"text": "a cat"}}});
    let r = bearer_post(&emu, &http, &at, "/2/media/metadata", Some(alt)).await;
    assert_eq!(r.status(), 200);
    let r = tweet_media(&emu, &http, &at, "img", &img).await;
    assert_eq!(r.status(), 201);
    emu.shutdown().await;
}

#[tokio::test]
async fn chunk_rules_faults_and_failed_processing() {
    let cfg = EmulatorConfig {
        x_max_append_bytes: 2_000_000,
        ..EmulatorConfig::default()
    };
    let (emu, http, at) = setup(cfg).await;
    let id = init(&emu, &http, &at, 3_000_000, "tweet_video", "video/mp4").await;
    // Over the configured limit.
    let r = append(&emu, &http, &at, &id, 0, vec![1u8; 2_000_001])
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // segment_index out of range.
    let r = append(&emu, &http, &at, &id, 1000, vec![1u8; 10])
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = append(&emu, &http, &at, &id, 0, vec![1u8; 1_500_000])
        .await
        .unwrap();
    assert!(r.status().is_success());
    // Finalize with missing bytes.
    let r = finalize(&emu, &http, &at, &id).await;
    assert_eq!(r.status(), 400);
    // Connection reset mid-chunk: recorded incomplete, offset unchanged.
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 300_000 }).on_path("/append"),
    );
    assert!(
        append(&emu, &http, &at, &id, 1, vec![2u8; 1_500_000])
            .await
            .is_err()
    );
    let r = append(&emu, &http, &at, &id, 1, vec![2u8; 1_500_000])
        .await
        .unwrap();
    assert!(r.status().is_success());
    let chunks = emu.record().chunks(&id);
    let last_two: Vec<_> = chunks.iter().rev().take(2).collect();
    assert!(
        last_two[0].complete && last_two[0].offset == 1_500_000 && last_two[0].len == 1_500_000
    );
    assert!(
        !last_two[1].complete && last_two[1].offset == 1_500_000 && last_two[1].len < 1_500_000
    );
    emu.faults()
        .inject(Platform::X, Fault::once(FaultKind::FailProcessing));
    let r: Value = finalize(&emu, &http, &at, &id).await.json().await.unwrap();
    assert_eq!(r["data"]["processing_info"]["state"], "pending");
    emu.clock().advance(Duration::from_secs(2));
    let s = status(&emu, &http, &at, &id).await;
    assert_eq!(s["data"]["processing_info"]["state"], "failed");
    assert_eq!(
        s["data"]["processing_info"]["error"]["name"],
        "InvalidMedia"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn lost_create_response_and_rate_limit() {
    let (emu, http, at) = setup(EmulatorConfig::default()).await;
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::LoseResponse).on_path("/2/tweets"),
    );
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "lost"}))
        .send()
        .await;
    assert!(r.is_err());
    // The SDK reconciles through the timeline: the post exists exactly once.
    let tl: Value = get_json(&emu, &http, &at, "/2/users/2244994945/tweets?max_results=5").await;
    assert_eq!(tl["meta"]["result_count"], 1);
    assert_eq!(tl["data"][0]["text"], "lost");
    for i in 1..100 {
        let r = tweet(&emu, &http, &at, json!({"text": format!("n{i}")})).await;
        assert_eq!(r.status(), 201, "post {i}");
    }
    let r = tweet(&emu, &http, &at, json!({"text": "too many"})).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429})
    );
    emu.clock().advance(Duration::from_secs(901));
    let r = tweet(&emu, &http, &at, json!({"text": "next window"})).await;
    assert_eq!(r.status(), 201);
    emu.shutdown().await;
}

#[tokio::test]
async fn legacy_v1_upload_with_oauth1() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let user = oauth1_user(&emu, &http).await;
    let now = emu.clock().unix();
    let u = url(&emu, "/1.1/media/upload.json");
    let file: Vec<u8> = (0..1_200_000u32).map(|i| (i % 241) as u8).collect();
    let total = file.len().to_string();
    let init = [
        ("command", "INIT"),
        ("total_bytes", total.as_str()),
        ("media_type", "video/mp4"),
        ("media_category", "tweet_video"),
    ];
    // Form bodies are signed.
    let r = signed_form(&http, &user, &u, &init, now, "v1").await;
    assert_eq!(r.status(), 202);
    let v: Value = r.json().await.unwrap();
    let id = v["media_id_string"].as_str().unwrap().to_owned();
    assert_eq!(v["media_id"].as_u64().unwrap().to_string(), id);
    for (i, chunk) in file.chunks(600_000).enumerate() {
        // Multipart bodies are not signed.
        let form = reqwest::multipart::Form::new()
            .text("command", "APPEND")
            .text("media_id", id.clone())
            .text("segment_index", i.to_string())
            .part("media", reqwest::multipart::Part::bytes(chunk.to_vec()));
        let h = user.header("POST", &u, &[], &[], now, &format!("a{i}"));
        let r = http
            .post(&u)
            .header("authorization", h)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
    let fin = [("command", "FINALIZE"), ("media_id", id.as_str())];
    let v: Value = signed_form(&http, &user, &u, &fin, now, "v2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["size"], 1_200_000);
    assert_eq!(v["processing_info"]["state"], "pending");
    emu.clock().advance(Duration::from_secs(1));
    let su = format!("{u}?command=STATUS&media_id={id}");
    let h = user.header("GET", &su, &[], &[], emu.clock().unix(), "v3");
    let v: Value = http
        .get(&su)
        .header("authorization", h)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["processing_info"]["state"], "succeeded");
    let tu = url(&emu, "/2/tweets");
    let h = user.header("POST", &tu, &[], &[], emu.clock().unix(), "v4");
    let r = http
        .post(&tu)
        .header("authorization", h)
        .json(&json!({"text": "legacy", "media": {"media_ids": [id]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let tid = r.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = emu.record().post(Platform::X, &tid).unwrap();
    assert_eq!(post.media[0].sha256, hex::encode(Sha256::digest(&file)));
    // A bad command answers the v1.1 upload error shape.
    let bad = [("command", "NOPE")];
    let v: Value = signed_form(&http, &user, &u, &bad, emu.clock().unix(), "v5")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["request"], "/1.1/media/upload.json");
    emu.shutdown().await;
}
