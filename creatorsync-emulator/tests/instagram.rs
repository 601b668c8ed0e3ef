//! Instagram (API with Facebook Login) against platforms.md §4 with raw
//! HTTP: containers fetched by the emulator, status machine, publish,
//! carousel, resumable rupload, quota, expiry and error bodies.

mod common_meta;

use std::time::Duration;

use common_meta::*;
use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use serde_json::{Value, json};

const IG: &str = "17841400000000001";

async fn status(
    emu: &creatorsync_emulator::RunningEmulator,
    http: &reqwest::Client,
    token: &str,
    id: &str,
) -> Value {
    get(
        http,
        &format!("{}/{id}", ig(emu)),
        token,
        &[("fields", "status_code,status")],
    )
    .await
    .1
}

#[tokio::test]
async fn image_reel_carousel_publish_and_errors() {
    let cfg = EmulatorConfig {
        processing_delay: Duration::from_secs(30),
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();
    let (_, page, page2) = login(&emu, &http).await;
    let img = jpeg(4000, 9);
    let base = media_server(vec![
        ("/a.jpg", "image/jpeg", img.clone()),
        ("/b.jpg", "image/jpeg", jpeg(2000, 3)),
        (
            "/p.png",
            "image/png",
            vec![0x89, b'P', b'N', b'G', 0, 0, 0, 0],
        ),
        ("/v.mp4", "video/mp4", vec![5u8; 20_000]),
    ])
    .await;
    let media = format!("{}/{IG}/media", ig(&emu));
    let publish = format!("{}/{IG}/media_publish", ig(&emu));

    // The other page's token has no access to this IG account.
    let (s, v) = post(
        &http,
        &media,
        &page2,
        &[("image_url", &format!("{base}/a.jpg"))],
    )
    .await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(200)));

    // Image: fetched by the emulator, FINISHED at once, published.
    let (s, v) = post(
        &http,
        &media,
        &page,
        &[
            ("image_url", &format!("{base}/a.jpg")),
            ("caption", "hello ig"),
            ("alt_text", "alt"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let c = v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        status(&emu, &http, &page, &c).await["status_code"],
        "FINISHED"
    );
    let (s, v) = post(&http, &publish, &page, &[("creation_id", &c)]).await;
    assert_eq!(s, 200, "{v}");
    let mid = v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        status(&emu, &http, &page, &c).await["status_code"],
        "PUBLISHED"
    );
    let (_, v) = get(
        &http,
        &format!("{}/{mid}", ig(&emu)),
        &page,
        &[("fields", "permalink,shortcode,media_type,timestamp")],
    )
    .await;
    assert_eq!(v["media_type"], "IMAGE");
    assert_eq!(
        v["permalink"],
        format!(
            "https://www.instagram.com/p/{}/",
            v["shortcode"].as_str().unwrap()
        )
    );
    let rec = emu.record().post(Platform::Instagram, &mid).unwrap();
    assert_eq!(
        (rec.account_id.as_str(), rec.text.as_str()),
        (IG, "hello ig")
    );
    assert_eq!(rec.media[0].sha256, sha(&img));
    // Publishing the same container twice is refused.
    let (s, _) = post(&http, &publish, &page, &[("creation_id", &c)]).await;
    assert_eq!(s, 400);

    // Bad media: PNG, non-loopback host, unreachable host.
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[("image_url", &format!("{base}/p.png"))],
    )
    .await;
    let st = status(&emu, &http, &page, v["id"].as_str().unwrap()).await;
    assert_eq!(st["status_code"], "ERROR");
    assert!(st["status"].as_str().unwrap().contains("2207005"));
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[("image_url", "https://cdn.example.com/a.jpg")],
    )
    .await;
    let st = status(&emu, &http, &page, v["id"].as_str().unwrap()).await;
    assert!(st["status"].as_str().unwrap().contains("2207052"), "{st}");
    let hostport = base.trim_start_matches("http://").to_owned();
    emu.faults().set_host_unreachable(hostport.clone(), true);
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[("image_url", &format!("{base}/a.jpg"))],
    )
    .await;
    let st = status(&emu, &http, &page, v["id"].as_str().unwrap()).await;
    assert_eq!(st["status_code"], "ERROR");
    assert!(
        st["status"]
            .as_str()
            .unwrap()
            .contains("Media download has failed")
    );
    emu.faults().set_host_unreachable(hostport, false);

    // Reel: IN_PROGRESS until the processing delay; publishing early is 9007/2207027.
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[
            ("media_type", "REELS"),
            ("video_url", &format!("{base}/v.mp4")),
            ("caption", "reel"),
            ("share_to_feed", "true"),
        ],
    )
    .await;
    let reel = v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        status(&emu, &http, &page, &reel).await["status_code"],
        "IN_PROGRESS"
    );
    let (s, v) = post(&http, &publish, &page, &[("creation_id", &reel)]).await;
    assert_eq!(
        (
            s,
            v["error"]["code"].clone(),
            v["error"]["error_subcode"].clone()
        ),
        (400, json!(9007), json!(2_207_027))
    );
    emu.clock().advance(Duration::from_secs(31));
    assert_eq!(
        status(&emu, &http, &page, &reel).await["status_code"],
        "FINISHED"
    );
    let (_, v) = post(&http, &publish, &page, &[("creation_id", &reel)]).await;
    let rid = v["id"].as_str().unwrap().to_owned();
    let (_, v) = get(
        &http,
        &format!("{}/{rid}", ig(&emu)),
        &page,
        &[("fields", "permalink")],
    )
    .await;
    assert!(v["permalink"].as_str().unwrap().contains("/reel/"));

    // FailProcessing -> ERROR.
    emu.faults()
        .inject(Platform::Instagram, Fault::once(FaultKind::FailProcessing));
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[
            ("media_type", "REELS"),
            ("video_url", &format!("{base}/v.mp4")),
        ],
    )
    .await;
    assert_eq!(
        status(&emu, &http, &page, v["id"].as_str().unwrap()).await["status_code"],
        "ERROR"
    );

    // Carousel of an image and a video item.
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[
            ("image_url", &format!("{base}/b.jpg")),
            ("is_carousel_item", "true"),
        ],
    )
    .await;
    let k1 = v["id"].as_str().unwrap().to_owned();
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[
            ("media_type", "VIDEO"),
            ("video_url", &format!("{base}/v.mp4")),
            ("is_carousel_item", "true"),
        ],
    )
    .await;
    let k2 = v["id"].as_str().unwrap().to_owned();
    let (s, v) = post(
        &http,
        &media,
        &page,
        &[("media_type", "CAROUSEL"), ("children", &k1)],
    )
    .await;
    assert_eq!(
        (s, v["error"]["error_subcode"].clone()),
        (400, json!(2_207_028))
    );
    let children = format!("{k1},{k2}");
    let (s, _) = post(
        &http,
        &media,
        &page,
        &[("media_type", "CAROUSEL"), ("children", &children)],
    )
    .await;
    assert_eq!(s, 400, "video child not FINISHED yet");
    emu.clock().advance(Duration::from_secs(31));
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[
            ("media_type", "CAROUSEL"),
            ("children", &children),
            ("caption", "album"),
        ],
    )
    .await;
    let car = v["id"].as_str().unwrap().to_owned();
    let (_, v) = post(&http, &publish, &page, &[("creation_id", &car)]).await;
    let cid = v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        emu.record()
            .post(Platform::Instagram, &cid)
            .unwrap()
            .media
            .len(),
        2
    );

    // Recent media, newest first; quota usage; no delete.
    let (_, v) = get(
        &http,
        &media,
        &page,
        &[("fields", "id,caption,timestamp,permalink"), ("limit", "2")],
    )
    .await;
    assert_eq!(v["data"][0]["id"], cid);
    assert_eq!(v["data"][0]["caption"], "album");
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    let (_, v) = get(
        &http,
        &format!("{}/{IG}/content_publishing_limit", ig(&emu)),
        &page,
        &[("fields", "quota_usage,config")],
    )
    .await;
    assert_eq!(
        v,
        json!({"data": [{"quota_usage": 3, "config": {"quota_total": 100, "quota_duration": 86400}}]})
    );
    let r = http
        .delete(format!("{}/{cid}", ig(&emu)))
        .query(&[
            ("access_token", page.as_str()),
            ("appsecret_proof", proof(&page).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Containers expire after 24 h unpublished.
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[("image_url", &format!("{base}/a.jpg"))],
    )
    .await;
    let late = v["id"].as_str().unwrap().to_owned();
    emu.clock().advance(Duration::from_secs(25 * 3600));
    assert_eq!(
        status(&emu, &http, &page, &late).await["status_code"],
        "EXPIRED"
    );
    let (s, _) = post(&http, &publish, &page, &[("creation_id", &late)]).await;
    assert_eq!(s, 400);
    emu.shutdown().await;
}

#[tokio::test]
async fn resumable_rupload_and_publish_limit() {
    let cfg = EmulatorConfig {
        instagram_publish_limit: 1,
        processing_delay: Duration::from_secs(5),
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();
    let (user, page, _) = login(&emu, &http).await;
    let media = format!("{}/{IG}/media", ig(&emu));
    let file: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    // A user token of the page's manager may create containers too.
    let (s, v) = post(
        &http,
        &media,
        &user,
        &[
            ("media_type", "REELS"),
            ("upload_type", "resumable"),
            ("caption", "resumable reel"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let uri = v["uri"].as_str().unwrap().to_owned();
    assert_eq!(
        uri,
        format!(
            "{}ig-api-upload/v21.0/{id}",
            emu.endpoints().get(Platform::Instagram).api
        )
    );

    let send = |offset: usize, end: usize| {
        http.post(&uri)
            .header("authorization", format!("OAuth {page}"))
            .header("offset", offset.to_string())
            .header("file_size", file.len().to_string())
            .body(file[offset..end].to_vec())
            .send()
    };
    let r = send(0, 1_000_000).await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["success"], true);
    // Cut mid-body: nothing advances.
    emu.faults().inject(
        Platform::Instagram,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 100_000 }).on_path("ig-api-upload"),
    );
    assert!(send(1_000_000, 3_000_000).await.is_err());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = http
        .get(&uri)
        .header("authorization", format!("OAuth {page}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["offset"], 1_000_000);
    // Wrong offset refused; the right one completes.
    assert_eq!(send(5, 3_000_000).await.unwrap().status(), 400);
    let r = send(1_000_000, 3_000_000).await.unwrap();
    assert_eq!(r.status(), 200);
    let chunks: Vec<(u64, bool)> = emu
        .record()
        .chunks(&id)
        .iter()
        .map(|c| (c.offset, c.complete))
        .collect();
    assert_eq!(chunks.iter().filter(|c| c.1).count(), 2, "{chunks:?}");
    assert!(chunks.iter().any(|c| !c.1));
    let (_, st) = get(
        &http,
        &format!("{}/{id}", ig(&emu)),
        &page,
        &[("fields", "status_code,video_status")],
    )
    .await;
    assert_eq!(st["status_code"], "IN_PROGRESS");
    assert_eq!(
        st["video_status"]["uploading_phase"]["bytes_transferred"],
        3_000_000
    );
    emu.clock().advance(Duration::from_secs(6));
    let publish = format!("{}/{IG}/media_publish", ig(&emu));
    let (s, v) = post(&http, &publish, &page, &[("creation_id", &id)]).await;
    assert_eq!(s, 200, "{v}");
    let rec = emu
        .record()
        .post(Platform::Instagram, v["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(rec.media[0].sha256, sha(&file));
    assert_eq!(rec.media[0].len, 3_000_000);

    // Limit 1 per 24 h: the next publish is refused with 2207042.
    let base = media_server(vec![("/a.jpg", "image/jpeg", jpeg(100, 1))]).await;
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[("image_url", &format!("{base}/a.jpg"))],
    )
    .await;
    let c = v["id"].as_str().unwrap().to_owned();
    let (s, v) = post(&http, &publish, &page, &[("creation_id", &c)]).await;
    assert_eq!(
        (s, v["error"]["error_subcode"].clone()),
        (400, json!(2_207_042))
    );
    // A day later the window has rolled on.
    emu.clock().advance(Duration::from_secs(86_401));
    let (_, v) = post(
        &http,
        &media,
        &page,
        &[("image_url", &format!("{base}/a.jpg"))],
    )
    .await;
    let c = v["id"].as_str().unwrap().to_owned();
    let (s, _) = post(&http, &publish, &page, &[("creation_id", &c)]).await;
    assert_eq!(s, 200);
    // Identity read of the IG account.
    let (_, v) = get(
        &http,
        &format!("{}/{IG}", ig(&emu)),
        &page,
        &[("fields", "id,username,name")],
    )
    .await;
    assert_eq!(
        v,
        json!({"id": IG, "username": "demo.creator", "name": "Demo Page"})
    );
    emu.shutdown().await;
}
