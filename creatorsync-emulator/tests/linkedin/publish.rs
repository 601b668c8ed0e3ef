//! Images, videos (parts, ETags, faults, processing), posts, read back,
//! delete, listing by author, lost responses and the daily throttle.

use super::*;

#[tokio::test]
async fn images_posts_read_back_and_delete() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let bytes = vec![9u8; 70_000];
    let urn = upload_image(&emu, &http, &at, PERSON, bytes.clone()).await;
    // Not AVAILABLE yet (processing): the post is refused.
    let r = create(
        &http,
        &emu,
        &at,
        post(PERSON, "too early", Some(json!({"media": {"id": urn}}))),
    )
    .await;
    assert_eq!(r.status(), 400);
    emu.clock().advance(Duration::from_secs(1));
    let st: Value = rest(
        http.get(url(&emu, &format!("/rest/images/{}", enc(&urn)))),
        &at,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(st["status"], "AVAILABLE");
    // Owned by the person: posting it as an org is refused.
    let r = create(
        &http,
        &emu,
        &at,
        post(
            "urn:li:organization:10001",
            "x",
            Some(json!({"media": {"id": urn}})),
        ),
    )
    .await;
    assert_eq!(r.status(), 400);
    let r = create(
        &http,
        &emu,
        &at,
        post(
            PERSON,
            "hello \\#linkedin",
            Some(json!({"media": {"id": urn, "altText": "alt"}})),
        ),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.headers()["x-restli-id"].to_str().unwrap().to_owned();
    assert!(id.starts_with("urn:li:share:"), "{id}");
    assert!(r.bytes().await.unwrap().is_empty());
    let rec = emu.record().post(Platform::LinkedIn, &id).unwrap();
    assert_eq!(
        rec.url,
        format!("https://www.linkedin.com/feed/update/{id}/")
    );
    assert_eq!(rec.account_id, "li-demo-person");
    assert_eq!(rec.media[0].sha256, hex::encode(Sha256::digest(&bytes)));

    // Org post; an org the member does not administer; another person.
    let r = create(
        &http,
        &emu,
        &at,
        post("urn:li:organization:10001", "org news", None),
    )
    .await;
    assert_eq!(r.status(), 201);
    let org_id = r.headers()["x-restli-id"].to_str().unwrap().to_owned();
    assert_eq!(
        emu.record()
            .post(Platform::LinkedIn, &org_id)
            .unwrap()
            .account_id,
        "10001"
    );
    assert_eq!(
        create(
            &http,
            &emu,
            &at,
            post("urn:li:organization:99999", "nope", None)
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        create(
            &http,
            &emu,
            &at,
            post("urn:li:person:someone-else", "nope", None)
        )
        .await
        .status(),
        403
    );

    // Multi-image needs 2-20 images.
    let r = create(
        &http,
        &emu,
        &at,
        post(
            PERSON,
            "one",
            Some(json!({"multiImage": {"images": [{"id": urn}]}})),
        ),
    )
    .await;
    assert_eq!(r.status(), 400);
    let urn2 = upload_image(&emu, &http, &at, PERSON, vec![1u8; 100]).await;
    emu.clock().advance(Duration::from_secs(1));
    let r = create(
        &http,
        &emu,
        &at,
        post(
            PERSON,
            "two",
            Some(json!({"multiImage": {"images": [{"id": urn}, {"id": urn2}]}})),
        ),
    )
    .await;
    assert_eq!(r.status(), 201);
    let multi = r.headers()["x-restli-id"].to_str().unwrap().to_owned();
    assert!(multi.starts_with("urn:li:ugcPost:"));

    let g: Value = rest(
        http.get(url(&emu, &format!("/rest/posts/{}", enc(&id)))),
        &at,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(g["commentary"], "hello \\#linkedin");
    assert_eq!(g["author"], PERSON);
    assert_eq!(g["content"]["media"]["id"], urn.as_str());
    let list: Value = rest(
        http.get(url(
            &emu,
            &format!("/rest/posts?author={}&q=author&count=10", enc(PERSON)),
        )),
        &at,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let ids: Vec<&str> = list["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![multi.as_str(), id.as_str()]);
    let r = rest(
        http.delete(url(&emu, &format!("/rest/posts/{}", enc(&id)))),
        &at,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 204);
    let r = rest(
        http.get(url(&emu, &format!("/rest/posts/{}", enc(&id)))),
        &at,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    emu.shutdown().await;
}

#[tokio::test]
async fn video_parts_etags_faults_and_processing() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let org = "urn:li:organization:10002";
    let file: Vec<u8> = (0..9_000_000u32).map(|i| (i % 253) as u8).collect();
    let init = |size: usize| {
        rest(http.post(url(&emu, "/rest/videos?action=initializeUpload")), &at)
            .json(&json!({"initializeUploadRequest": {"owner": org, "fileSizeBytes": size, "uploadCaptions": false, "uploadThumbnail": false}}))
            .send()
    };
    let v: Value = init(file.len()).await.unwrap().json().await.unwrap();
    let video = v["value"]["video"].as_str().unwrap().to_owned();
    let ins = v["value"]["uploadInstructions"].as_array().unwrap().clone();
    assert_eq!(ins.len(), 3);
    assert_eq!(ins[0]["lastByte"], 4_194_303);
    assert_eq!(ins[1]["firstByte"], 4_194_304);
    assert_eq!(ins[2]["lastByte"], 8_999_999);
    let part = |i: usize| {
        let (f, l) = (
            ins[i]["firstByte"].as_u64().unwrap() as usize,
            ins[i]["lastByte"].as_u64().unwrap() as usize,
        );
        file[f..=l].to_vec()
    };
    let mut etags = Vec::new();
    for (i, instruction) in ins.iter().enumerate() {
        if i == 1 {
            // Reset mid-part: recorded incomplete, then re-sent whole.
            emu.faults().inject(
                Platform::LinkedIn,
                Fault::once(FaultKind::ResetAfterBytes { bytes: 1_000_000 })
                    .on_path("/dms-uploads/"),
            );
            assert!(
                http.put(instruction["uploadUrl"].as_str().unwrap())
                    .body(part(i))
                    .send()
                    .await
                    .is_err()
            );
        }
        let r = http
            .put(instruction["uploadUrl"].as_str().unwrap())
            .body(part(i))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        etags.push(r.headers()["etag"].to_str().unwrap().to_owned());
    }
    let chunks = emu.record().chunks_for(Platform::LinkedIn);
    assert_eq!(chunks.len(), 4);
    assert!(!chunks[1].complete && chunks[1].offset == 4_194_304 && chunks[1].len == 1_000_000);
    assert!(chunks[2].complete && chunks[2].offset == 4_194_304);
    let finalize = |ids: Vec<String>| {
        rest(http.post(url(&emu, "/rest/videos?action=finalizeUpload")), &at)
            .json(&json!({"finalizeUploadRequest": {"video": video, "uploadToken": "", "uploadedPartIds": ids}}))
            .send()
    };
    let mut wrong = etags.clone();
    wrong.swap(0, 1);
    assert_eq!(finalize(wrong).await.unwrap().status(), 400);
    assert_eq!(finalize(etags[..2].to_vec()).await.unwrap().status(), 400);
    let status = || async {
        let v: Value = rest(
            http.get(url(&emu, &format!("/rest/videos/{}", enc(&video)))),
            &at,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        v["status"].as_str().unwrap().to_owned()
    };
    assert_eq!(status().await, "WAITING_UPLOAD");
    assert_eq!(finalize(etags.clone()).await.unwrap().status(), 200);
    assert_eq!(status().await, "PROCESSING");
    emu.clock().advance(Duration::from_secs(1));
    assert_eq!(status().await, "AVAILABLE");
    let r = create(
        &http,
        &emu,
        &at,
        post(
            org,
            "video!",
            Some(json!({"media": {"id": video, "title": "t"}})),
        ),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.headers()["x-restli-id"].to_str().unwrap().to_owned();
    assert!(id.starts_with("urn:li:ugcPost:"));
    let rec = emu.record().post(Platform::LinkedIn, &id).unwrap();
    assert_eq!(rec.media[0].sha256, hex::encode(Sha256::digest(&file)));
    assert_eq!(rec.account_id, "10002");

    // Failed processing.
    let v: Value = init(1000).await.unwrap().json().await.unwrap();
    let video = v["value"]["video"].as_str().unwrap().to_owned();
    let r = http
        .put(
            v["value"]["uploadInstructions"][0]["uploadUrl"]
                .as_str()
                .unwrap(),
        )
        .body(vec![0u8; 1000])
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    emu.faults()
        .inject(Platform::LinkedIn, Fault::once(FaultKind::FailProcessing));
    let r = rest(http.post(url(&emu, "/rest/videos?action=finalizeUpload")), &at)
        .json(&json!({"finalizeUploadRequest": {"video": video, "uploadToken": "", "uploadedPartIds": [etag]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    emu.clock().advance(Duration::from_secs(1));
    let v: Value = rest(
        http.get(url(&emu, &format!("/rest/videos/{}", enc(&video)))),
        &at,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(v["status"], "PROCESSING_FAILED");
    emu.shutdown().await;
}

#[tokio::test]
async fn lost_response_and_daily_throttle() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    emu.faults().inject(
        Platform::LinkedIn,
        Fault::once(FaultKind::LoseResponse).on_path("/rest/posts"),
    );
    assert!(
        rest(http.post(url(&emu, "/rest/posts")), &at)
            .json(&post(PERSON, "lost", None))
            .send()
            .await
            .is_err()
    );
    let list: Value = rest(
        http.get(url(
            &emu,
            &format!("/rest/posts?author={}&q=author&count=5", enc(PERSON)),
        )),
        &at,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(list["paging"]["total"], 1);
    assert_eq!(list["elements"][0]["commentary"], "lost");
    for i in 1..150 {
        assert_eq!(
            create(&http, &emu, &at, post(PERSON, &format!("p{i}"), None))
                .await
                .status(),
            201
        );
    }
    let r = create(&http, &emu, &at, post(PERSON, "over", None)).await;
    assert_eq!(r.status(), 429);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], 429);
    assert!(v["message"].as_str().unwrap().contains("DAY limit"));
    emu.clock().advance(Duration::from_secs(86400));
    assert_eq!(
        create(&http, &emu, &at, post(PERSON, "tomorrow", None))
            .await
            .status(),
        201
    );
    emu.shutdown().await;
}
