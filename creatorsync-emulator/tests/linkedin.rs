//! The LinkedIn emulator against shared/platforms.md §2, driven with raw HTTP.

use std::collections::HashMap;
use std::time::Duration;

use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:9/li-cb";
const PERSON: &str = "urn:li:person:li-demo-person";

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn url(emu: &RunningEmulator, path: &str) -> String {
    format!(
        "{}{}",
        emu.endpoints().linkedin.api.as_str().trim_end_matches('/'),
        path
    )
}

fn enc(urn: &str) -> String {
    url::form_urlencoded::byte_serialize(urn.as_bytes()).collect()
}

/// A /rest/* request with the required headers.
fn rest(b: RequestBuilder, token: &str) -> RequestBuilder {
    b.bearer_auth(token)
        .header("LinkedIn-Version", "202510")
        .header("X-Restli-Protocol-Version", "2.0.0")
}

async fn grant(emu: &RunningEmulator, http: &Client) -> Value {
    let r = http
        .get(url(emu, "/oauth/v2/authorization"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "cs-test-linkedin"),
            ("redirect_uri", REDIRECT),
            ("state", "li-st"),
            (
                "scope",
                "openid profile w_member_social w_organization_social",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "li-st");
    let r = http
        .post(url(emu, "/oauth/v2/accessToken"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", REDIRECT),
            ("client_id", "cs-test-linkedin"),
            ("client_secret", "cs-test-linkedin-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn token(emu: &RunningEmulator, http: &Client) -> String {
    grant(emu, http).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn oauth_refresh_keeps_the_refresh_token_counting_down() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let g = grant(&emu, &http).await;
    assert_eq!(
        g["scope"],
        "openid,profile,w_member_social,w_organization_social"
    );
    assert_eq!(g["expires_in"], 5_184_000);
    assert_eq!(g["refresh_token_expires_in"], 31_536_000);
    let rt = g["refresh_token"].as_str().unwrap();
    let at = g["access_token"].as_str().unwrap();
    let me: Value = http
        .get(url(&emu, "/v2/userinfo"))
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["sub"], "li-demo-person");

    emu.clock().advance(Duration::from_secs(59 * 86400));
    let refresh = |rt: String| {
        http.post(url(&emu, "/oauth/v2/accessToken"))
            .form(&[
                ("grant_type", "refresh_token".to_owned()),
                ("refresh_token", rt),
                ("client_id", "cs-test-linkedin".to_owned()),
                ("client_secret", "cs-test-linkedin-secret".to_owned()),
            ])
            .send()
    };
    let r: Value = refresh(rt.to_owned()).await.unwrap().json().await.unwrap();
    assert_eq!(r["refresh_token"], rt);
    let left = r["refresh_token_expires_in"].as_u64().unwrap();
    assert!((306 * 86400 - 5..=306 * 86400).contains(&left), "{left}");
    let at2 = r["access_token"].as_str().unwrap().to_owned();
    assert_eq!(emu.tokens().refresh_count(Platform::LinkedIn), 1);

    // Introspect, revoke, introspect.
    let intro = |t: String| {
        http.post(url(&emu, "/oauth/v2/introspectToken"))
            .form(&[
                ("client_id", "cs-test-linkedin".to_owned()),
                ("client_secret", "cs-test-linkedin-secret".to_owned()),
                ("token", t),
            ])
            .send()
    };
    let i: Value = intro(at2.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(i["active"], true);
    assert_eq!(
        i["scope"],
        "openid,profile,w_member_social,w_organization_social"
    );
    let r = http
        .post(url(&emu, "/oauth/v2/revoke"))
        .form(&[
            ("client_id", "cs-test-linkedin"),
            ("client_secret", "cs-test-linkedin-secret"),
            ("token", &at2),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let i: Value = intro(at2.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(i["active"], false);
    let r = http
        .get(url(&emu, "/v2/userinfo"))
        .bearer_auth(&at2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["serviceErrorCode"], 65601);

    // The original access token expires at day 60.
    emu.clock().advance(Duration::from_secs(2 * 86400));
    let r = http
        .get(url(&emu, "/v2/userinfo"))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "EXPIRED_ACCESS_TOKEN"
    );
    // The refresh token dies a year after the grant, whatever the refreshes.
    emu.clock().advance(Duration::from_secs(305 * 86400));
    let r = refresh(rt.to_owned()).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    // Wrong secret.
    let r = http
        .post(url(&emu, "/oauth/v2/accessToken"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "cs-test-linkedin"),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    emu.shutdown().await;
}

#[tokio::test]
async fn versions_identity_and_organizations() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let r = http
        .get(url(
            &emu,
            "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
        ))
        .bearer_auth(&at)
        .header("X-Restli-Protocol-Version", "2.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .get(url(&emu, "/rest/organizationAcls?q=roleAssignee"))
        .bearer_auth(&at)
        .header("LinkedIn-Version", "202001")
        .header("X-Restli-Protocol-Version", "2.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 426);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status": 426, "code": "NONEXISTENT_VERSION", "message": "Requested version 202001 is not active"})
    );
    let acls: Value = rest(
        http.get(url(
            &emu,
            "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
        )),
        &at,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(acls["elements"].as_array().unwrap().len(), 2);
    assert_eq!(
        acls["elements"][0]["organization"],
        "urn:li:organization:10001"
    );
    assert_eq!(acls["paging"]["total"], 2);
    let org: Value = rest(http.get(url(&emu, "/rest/organizations/10001")), &at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        org,
        json!({"id": 10001, "localizedName": "Acme Studio", "vanityName": "acme-studio"})
    );
    let r = rest(http.get(url(&emu, "/rest/organizations/424242")), &at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    emu.shutdown().await;
}

async fn upload_image(
    emu: &RunningEmulator,
    http: &Client,
    at: &str,
    owner: &str,
    bytes: Vec<u8>,
) -> String {
    let r: Value = rest(
        http.post(url(emu, "/rest/images?action=initializeUpload")),
        at,
    )
    .json(&json!({"initializeUploadRequest": {"owner": owner}}))
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let urn = r["value"]["image"].as_str().unwrap().to_owned();
    let st: Value = rest(
        http.get(url(emu, &format!("/rest/images/{}", enc(&urn)))),
        at,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(st["status"], "WAITING_UPLOAD");
    let put = http
        .put(r["value"]["uploadUrl"].as_str().unwrap())
        .bearer_auth(at)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201);
    urn
}

async fn create(http: &Client, emu: &RunningEmulator, at: &str, body: Value) -> reqwest::Response {
    rest(http.post(url(emu, "/rest/posts")), at)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn post(author: &str, text: &str, content: Option<Value>) -> Value {
    let mut v = json!({"author": author, "commentary": text, "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": false});
    if let Some(c) = content {
        v["content"] = c;
    }
    v
}

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
