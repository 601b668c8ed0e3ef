//! OAuth (refresh counting down from the grant, introspect, revoke, expiry),
//! versioned /rest/* checks, identity and organizations.

use super::*;

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
    // A member-only token cannot post as an organization.
    let member = grant_with(&emu, &http, "openid profile w_member_social").await;
    let member = member["access_token"].as_str().unwrap();
    let r = rest(http.post(url(&emu, "/rest/posts")), member)
        .json(&json!({"author": "urn:li:organization:10001", "commentary": "x", "visibility": "PUBLIC", "lifecycleState": "PUBLISHED"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "ACCESS_DENIED");
    let r = rest(http.get(url(&emu, "/rest/organizations/424242")), &at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    emu.shutdown().await;
}
