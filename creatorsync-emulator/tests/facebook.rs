//! Facebook Pages against platforms.md §3 with raw HTTP: Facebook Login,
//! appsecret_proof, page tokens, feed/photo/video publishing, read back,
//! delete, error bodies and upload faults.

mod common_meta;

use std::time::Duration;

use common_meta::*;
use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use serde_json::{Value, json};

#[tokio::test]
async fn login_tokens_proof_expiry_and_revoke() {
    let mut cfg = EmulatorConfig::default();
    cfg.retired_graph_versions.insert("v2.0".into());
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();

    // Code is single-use and bound to the redirect_uri.
    let c = code(&emu, &http).await;
    let ex = |c: String, redirect: &'static str| {
        let http = http.clone();
        let url = format!("{}/oauth/access_token", fb(&emu));
        async move {
            let r = http
                .get(url)
                .query(&[
                    ("client_id", "cs-test-facebook"),
                    ("client_secret", SECRET),
                    ("redirect_uri", redirect),
                    ("code", c.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, v) = ex(c.clone(), "http://127.0.0.1:9/other").await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(100)));
    let c = code(&emu, &http).await;
    let (s, v) = ex(c.clone(), REDIRECT).await;
    assert_eq!(s, 200);
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 7200);
    assert!(v.get("refresh_token").is_none());
    let short = v["access_token"].as_str().unwrap().to_owned();
    let (s, v) = ex(c, REDIRECT).await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(100)));

    // Denied consent.
    emu.logins().set(Platform::Facebook, None, true);
    let r = http
        .get(format!("{}/dialog/oauth", fb(&emu)))
        .query(&[
            ("client_id", "cs-test-facebook"),
            ("redirect_uri", REDIRECT),
            ("state", "z"),
        ])
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        loc.contains("error=access_denied") && loc.contains("state=z"),
        "{loc}"
    );
    emu.logins().set(Platform::Facebook, None, false);

    // appsecret_proof is checked on every call.
    let r = http
        .get(format!("{}/me", fb(&emu)))
        .query(&[("access_token", short.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], 100);
    assert_eq!(v["error"]["type"], "GraphMethodException");
    assert_eq!(
        v["error"]["message"],
        "Invalid appsecret_proof provided in the API argument"
    );
    let (s, v) = get(
        &http,
        &format!("{}/me", fb(&emu)),
        &short,
        &[("fields", "id,name")],
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v, json!({"id": "fb-demo-user", "name": "Demo Creator"}));
    // Header token works too.
    let r = http
        .get(format!("{}/me", fb(&emu)))
        .header("authorization", format!("OAuth {short}"))
        .query(&[("appsecret_proof", proof(&short))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Retired version.
    let (s, v) = get(
        &http,
        &format!("{}v2.0/me", emu.endpoints().get(Platform::Facebook).api),
        &short,
        &[],
    )
    .await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(2635)));

    // Page tokens from the short-lived token expire with it.
    let (_, v) = get(&http, &format!("{}/me/accounts", fb(&emu)), &short, &[]).await;
    let short_page = v["data"][0]["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        v["data"][0]["instagram_business_account"]["id"],
        "17841400000000001"
    );
    assert!(v["data"][1].get("instagram_business_account").is_none());
    let (long, page, _) = login(&emu, &http).await;
    let (_, perms) = get(&http, &format!("{}/me/permissions", fb(&emu)), &long, &[]).await;
    assert!(
        perms["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["permission"] == "pages_manage_posts" && p["status"] == "granted")
    );
    let (_, dbg) = get(
        &http,
        &format!("{}/debug_token", fb(&emu)),
        &long,
        &[("input_token", page.as_str())],
    )
    .await;
    assert_eq!(dbg["data"]["type"], "PAGE");
    assert_eq!(dbg["data"]["expires_at"], 0);

    emu.clock().advance(Duration::from_secs(3 * 3600));
    let (s, v) = get(&http, &format!("{}/me", fb(&emu)), &short_page, &[]).await;
    assert_eq!(
        (
            s,
            v["error"]["code"].clone(),
            v["error"]["error_subcode"].clone()
        ),
        (400, json!(190), json!(463))
    );
    // 61 days later the long-lived user token is dead, its page token is not.
    emu.clock().advance(Duration::from_secs(61 * 86400));
    let (s, _) = get(&http, &format!("{}/me", fb(&emu)), &long, &[]).await;
    assert_eq!(s, 400);
    let (s, v) = get(&http, &format!("{}/me", fb(&emu)), &page, &[]).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["id"], "1001");

    // Revoke: user and page tokens die.
    let (long2, page2, _) = login(&emu, &http).await;
    let r = http
        .delete(format!("{}/fb-demo-user/permissions", fb(&emu)))
        .query(&[
            ("access_token", long2.as_str()),
            ("appsecret_proof", proof(&long2).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"success": true}));
    let (s, v) = get(&http, &format!("{}/me", fb(&emu)), &page2, &[]).await;
    assert_eq!(
        (
            s,
            v["error"]["code"].clone(),
            v["error"]["error_subcode"].clone()
        ),
        (400, json!(190), json!(460))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn feed_photos_permalink_duplicate_delete() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let (user, page, page2) = login(&emu, &http).await;
    let feed = format!("{}/1001/feed", fb(&emu));

    // Wrong tokens.
    let (s, v) = post(&http, &feed, &user, &[("message", "hi")]).await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(200)));
    let (s, v) = post(&http, &feed, &page2, &[("message", "hi")]).await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(200)));

    let (s, v) = post(
        &http,
        &feed,
        &page,
        &[("message", "hello world"), ("link", "https://example.com")],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("1001_"));
    let (s, v) = post(&http, &feed, &page, &[("message", "hello world")]).await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(506)));

    let (_, v) = get(
        &http,
        &format!("{}/{id}", fb(&emu)),
        &page,
        &[("fields", "permalink_url")],
    )
    .await;
    let short = id.split_once('_').unwrap().1;
    assert_eq!(
        v["permalink_url"],
        format!("https://www.facebook.com/1001/posts/{short}")
    );

    // Multi-photo: unpublished photos (multipart source and fetched url) + attached_media.
    let img = jpeg(5000, 1);
    let base = media_server(vec![("/a.jpg", "image/jpeg", jpeg(3000, 2))]).await;
    let form = reqwest::multipart::Form::new()
        .text("access_token", page.clone())
        .text("appsecret_proof", proof(&page))
        .text("published", "false")
        .part(
            "source",
            reqwest::multipart::Part::bytes(img.clone())
                .file_name("a.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
    let v: Value = http
        .post(format!("{}/1001/photos", fb(&emu)))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p1 = v["id"].as_str().unwrap().to_owned();
    assert!(v.get("post_id").is_none());
    let (_, v) = post(
        &http,
        &format!("{}/1001/photos", fb(&emu)),
        &page,
        &[("url", &format!("{base}/a.jpg")), ("published", "false")],
    )
    .await;
    let p2 = v["id"].as_str().unwrap().to_owned();
    let r = http
        .post(format!("{}/1001/feed", fb(&emu)))
        .json(
            &json!({"access_token": page, "appsecret_proof": proof(&page), "message": "two photos",
            "attached_media": [{"media_fbid": p1}, {"media_fbid": p2}], "published": true}),
        )
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let multi = v["id"].as_str().unwrap().to_owned();
    let rec = emu.record().post(Platform::Facebook, &multi).unwrap();
    assert_eq!(rec.media.len(), 2);
    assert_eq!(rec.media[0].sha256, sha(&img));
    assert_eq!(rec.media[1].sha256, sha(&jpeg(3000, 2)));
    // Single published photo answers id + post_id.
    let (_, v) = post(
        &http,
        &format!("{}/1001/photos", fb(&emu)),
        &page,
        &[("url", &format!("{base}/a.jpg")), ("message", "cap")],
    )
    .await;
    assert!(v["post_id"].as_str().unwrap().starts_with("1001_"));
    // Non-loopback photo URL is refused.
    let (s, _) = post(
        &http,
        &format!("{}/1001/photos", fb(&emu)),
        &page,
        &[("url", "https://example.com/x.jpg")],
    )
    .await;
    assert_eq!(s, 400);

    // Feed listing, newest first.
    let (_, v) = get(
        &http,
        &feed,
        &page,
        &[("fields", "id,message,created_time"), ("limit", "2")],
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert_eq!(v["data"][1]["id"], multi);

    // Lost response after create: the post exists exactly once and the
    // feed listing lets a client reconcile.
    emu.faults().inject(
        Platform::Facebook,
        Fault::once(FaultKind::LoseResponse)
            .on_path("/1001/feed")
            .on_method("POST"),
    );
    let p = proof(&page);
    let lost = http
        .post(&feed)
        .form(&[
            ("access_token", page.as_str()),
            ("appsecret_proof", p.as_str()),
            ("message", "lost reply"),
        ])
        .send()
        .await;
    assert!(lost.is_err());
    let live: Vec<_> = emu
        .record()
        .posts_for(Platform::Facebook)
        .into_iter()
        .filter(|x| x.text == "lost reply")
        .collect();
    assert_eq!(live.len(), 1);
    let (_, v) = get(
        &http,
        &feed,
        &page,
        &[("fields", "id,message"), ("limit", "1")],
    )
    .await;
    assert_eq!(v["data"][0]["message"], "lost reply");
    assert_eq!(v["data"][0]["id"], json!(live[0].post_id));

    // Delete.
    let r = http
        .delete(format!("{}/{id}", fb(&emu)))
        .query(&[
            ("access_token", page.as_str()),
            ("appsecret_proof", proof(&page).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"success": true}));
    assert!(emu.record().post(Platform::Facebook, &id).unwrap().deleted);
    let (s, v) = get(&http, &format!("{}/{id}", fb(&emu)), &page, &[]).await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(100)));
    emu.shutdown().await;
}

async fn transfer(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    session: &str,
    start: u64,
    bytes: Vec<u8>,
) -> reqwest::Result<(u16, Value)> {
    let form = reqwest::multipart::Form::new()
        .text("access_token", token.to_owned())
        .text("appsecret_proof", proof(token))
        .text("upload_phase", "transfer")
        .text("upload_session_id", session.to_owned())
        .text("start_offset", start.to_string())
        .part(
            "video_file_chunk",
            reqwest::multipart::Part::bytes(bytes).file_name("chunk"),
        );
    let r = http.post(url).multipart(form).send().await?;
    Ok((r.status().as_u16(), r.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn resumable_video_chunks_status_and_faults() {
    let cfg = EmulatorConfig {
        processing_delay: Duration::from_secs(10),
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();
    let (_, page, _) = login(&emu, &http).await;
    let url = format!("{}/1001/videos", fb(&emu));
    let file: Vec<u8> = (0..(9u32 << 20)).map(|i| (i % 251) as u8).collect();
    let (s, v) = post(
        &http,
        &url,
        &page,
        &[
            ("upload_phase", "start"),
            ("file_size", &file.len().to_string()),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["start_offset"], "0");
    assert_eq!(v["end_offset"], (4u64 << 20).to_string());
    let session = v["upload_session_id"].as_str().unwrap().to_owned();
    let video = v["video_id"].as_str().unwrap().to_owned();

    // Wrong offset.
    let (s, v) = transfer(&http, &url, &page, &session, 5, file[..10].to_vec())
        .await
        .unwrap();
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(6000)));
    // Chunk 1.
    let (_, v) = transfer(&http, &url, &page, &session, 0, file[..4 << 20].to_vec())
        .await
        .unwrap();
    assert_eq!(
        v,
        json!({"start_offset": (4u64 << 20).to_string(), "end_offset": (8u64 << 20).to_string()})
    );
    // Connection cut mid-chunk 2: recorded incomplete, offset unchanged.
    emu.faults().inject(
        Platform::Facebook,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 1 << 20 }).on_path("/videos"),
    );
    assert!(
        transfer(
            &http,
            &url,
            &page,
            &session,
            4 << 20,
            file[4 << 20..8 << 20].to_vec()
        )
        .await
        .is_err()
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (_, v) = transfer(
        &http,
        &url,
        &page,
        &session,
        4 << 20,
        file[4 << 20..8 << 20].to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(v["start_offset"], (8u64 << 20).to_string());
    let (_, v) = transfer(
        &http,
        &url,
        &page,
        &session,
        8 << 20,
        file[8 << 20..].to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(
        v,
        json!({"start_offset": file.len().to_string(), "end_offset": file.len().to_string()})
    );
    let chunks: Vec<(u64, bool)> = emu
        .record()
        .chunks(&session)
        .iter()
        .map(|c| (c.offset, c.complete))
        .collect();
    assert!(chunks.contains(&(4 << 20, false)), "{chunks:?}");
    assert_eq!(chunks.iter().filter(|c| c.1).count(), 3);

    let (_, v) = post(
        &http,
        &url,
        &page,
        &[
            ("upload_phase", "finish"),
            ("upload_session_id", &session),
            ("title", "T"),
            ("description", "my video"),
        ],
    )
    .await;
    assert_eq!(v, json!({"success": true}));
    let (_, v) = get(
        &http,
        &format!("{}/{video}", fb(&emu)),
        &page,
        &[("fields", "status")],
    )
    .await;
    assert_eq!(v["status"]["video_status"], "upload_complete");
    emu.clock().advance(Duration::from_secs(6));
    let (_, v) = get(
        &http,
        &format!("{}/{video}", fb(&emu)),
        &page,
        &[("fields", "status")],
    )
    .await;
    assert_eq!(v["status"]["video_status"], "processing");
    emu.clock().advance(Duration::from_secs(6));
    let (_, v) = get(
        &http,
        &format!("{}/{video}", fb(&emu)),
        &page,
        &[("fields", "status,permalink_url")],
    )
    .await;
    assert_eq!(v["status"]["video_status"], "ready");
    assert_eq!(
        v["permalink_url"],
        format!("https://www.facebook.com/1001/videos/{video}/")
    );
    let posts = emu.record().posts_for(Platform::Facebook);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].media[0].sha256, sha(&file));
    assert_eq!(posts[0].text, "my video");

    // Simple upload with a processing failure.
    emu.faults()
        .inject(Platform::Facebook, Fault::once(FaultKind::FailProcessing));
    let base = media_server(vec![("/v.mp4", "video/mp4", vec![7u8; 1000])]).await;
    let (_, v) = post(
        &http,
        &url,
        &page,
        &[("file_url", &format!("{base}/v.mp4")), ("description", "x")],
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let (_, v) = get(
        &http,
        &format!("{}/{id}", fb(&emu)),
        &page,
        &[("fields", "status")],
    )
    .await;
    assert_eq!(v["status"]["video_status"], "error");
    emu.shutdown().await;
}

#[tokio::test]
async fn page_throttle_answers_code_32_with_buc_header() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let (_, page, page2) = login(&emu, &http).await;
    let feed = format!("{}/1002/feed", fb(&emu));
    let p2 = proof(&page2);
    // 4800 calls per rolling hour per page (PAGE_CALLS_PER_HOUR); empty posts are cheap 400s.
    for _ in 0..4800 {
        let r = http
            .post(&feed)
            .form(&[
                ("access_token", page2.as_str()),
                ("appsecret_proof", p2.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
    let r = http
        .post(&feed)
        .form(&[
            ("access_token", page2.as_str()),
            ("appsecret_proof", p2.as_str()),
            ("message", "x"),
        ])
        .send()
        .await
        .unwrap();
    let usage = r.headers()["x-business-use-case-usage"]
        .to_str()
        .unwrap()
        .to_owned();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], 32);
    let usage: Value = serde_json::from_str(&usage).unwrap();
    assert_eq!(usage["1002"][0]["type"], "pages");
    // Other pages are not affected; an hour later the page is free again.
    let (s, _) = post(
        &http,
        &format!("{}/1001/feed", fb(&emu)),
        &page,
        &[("message", "fine")],
    )
    .await;
    assert_eq!(s, 200);
    emu.clock().advance(Duration::from_secs(3601));
    let (s, v) = post(&http, &feed, &page2, &[("message", "free again")]).await;
    assert_eq!(s, 200, "{v}");
    emu.shutdown().await;
}
