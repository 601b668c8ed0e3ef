//! OAuth 2.0 (PKCE, rotation, revoke, expiry) and OAuth 1.0a (three-legged
//! flow, signature, timestamp, nonce and token checks).

use super::*;

#[tokio::test]
async fn oauth2_pkce_rotation_revoke_and_expiry() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let scope = "tweet.read tweet.write users.read offline.access media.write";
    // Wrong verifier, then the code is spent.
    let code = authorize(&emu, &http, scope).await;
    assert_eq!(
        exchange(&emu, &http, &code, "wrong-verifier")
            .await
            .status(),
        400
    );
    assert_eq!(exchange(&emu, &http, &code, VERIFIER).await.status(), 400);
    // Missing code_challenge is refused.
    let r = http
        .get(url(&emu, "/i/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "cs-test-x"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let code = authorize(&emu, &http, scope).await;
    let t: Value = exchange(&emu, &http, &code, VERIFIER)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 7200);
    assert_eq!(t["scope"], scope);
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let me: Value = http
        .get(url(&emu, "/2/users/me"))
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["id"], "2244994945");
    assert_eq!(me["data"]["username"], "creatorsync_demo");

    // Confidential client refresh (HTTP Basic) rotates; the old token is dead.
    let basic = format!("Basic {}", STANDARD.encode("cs-test-x:cs-test-x-secret"));
    let r = http
        .post(url(&emu, "/2/oauth2/token"))
        .header("authorization", &basic)
        .form(&[("grant_type", "refresh_token"), ("refresh_token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t2: Value = r.json().await.unwrap();
    let rt2 = t2["refresh_token"].as_str().unwrap();
    assert_ne!(rt2, rt);
    let r = http
        .post(url(&emu, "/2/oauth2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "cs-test-x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        e,
        json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."})
    );
    assert_eq!(emu.tokens().refresh_count(Platform::X), 1);
    // Wrong secret.
    let r = http
        .post(url(&emu, "/2/oauth2/token"))
        .header(
            "authorization",
            format!("Basic {}", STANDARD.encode("cs-test-x:nope")),
        )
        .form(&[("grant_type", "refresh_token"), ("refresh_token", rt2)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // No offline.access: no refresh token.
    let code = authorize(&emu, &http, "tweet.read users.read").await;
    let t3: Value = exchange(&emu, &http, &code, VERIFIER)
        .await
        .json()
        .await
        .unwrap();
    assert!(t3.get("refresh_token").is_none());
    // Without tweet.write, posting is forbidden.
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(t3["access_token"].as_str().unwrap())
        .json(&json!({"text": "no scope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Revoke, then the token is refused with the RFC 7807 401.
    let at2 = t2["access_token"].as_str().unwrap();
    let r: Value = http
        .post(url(&emu, "/2/oauth2/revoke"))
        .form(&[
            ("token", at2),
            ("token_type_hint", "access_token"),
            ("client_id", "cs-test-x"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r, json!({"revoked": true}));
    let r = http
        .get(url(&emu, "/2/users/me"))
        .bearer_auth(at2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["title"], "Unauthorized");

    // Expiry after two hours on the emulator clock.
    let at3 = t3["access_token"].as_str().unwrap();
    let r = http
        .get(url(&emu, "/2/users/me"))
        .bearer_auth(at3)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-rate-limit-remaining"));
    emu.clock().advance(Duration::from_secs(7201));
    let r = http
        .get(url(&emu, "/2/users/me"))
        .bearer_auth(at3)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Denied consent.
    emu.logins().set(Platform::X, None, true);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let r = http
        .get(url(&emu, "/i/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "cs-test-x"),
            ("redirect_uri", REDIRECT),
            ("state", "s9"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        loc.contains("error=access_denied") && loc.contains("state=s9"),
        "{loc}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn oauth1_three_legged_and_signature_checks() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let now = emu.clock().unix();
    let consumer = Signer {
        token: String::new(),
        token_secret: String::new(),
    };
    let u = url(&emu, "/oauth/request_token");
    let h = consumer.header("POST", &u, &[], &[("oauth_callback", REDIRECT)], now, "n1");
    let r = http
        .post(&u)
        .header("authorization", h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rt = form_map(&r.text().await.unwrap());
    assert_eq!(rt["oauth_callback_confirmed"], "true");

    let r = http
        .get(url(&emu, "/oauth/authorize"))
        .query(&[("oauth_token", &rt["oauth_token"])])
        .send()
        .await
        .unwrap();
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["oauth_token"], rt["oauth_token"]);

    let req = Signer {
        token: rt["oauth_token"].clone(),
        token_secret: rt["oauth_token_secret"].clone(),
    };
    let u = url(&emu, "/oauth/access_token");
    let h = req.header(
        "POST",
        &u,
        &[],
        &[("oauth_verifier", &q["oauth_verifier"])],
        now,
        "n2",
    );
    let r = http
        .post(&u)
        .header("authorization", h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let acc = form_map(&r.text().await.unwrap());
    assert_eq!(acc["user_id"], "2244994945");
    assert_eq!(acc["screen_name"], "creatorsync_demo");
    let user = Signer {
        token: acc["oauth_token"].clone(),
        token_secret: acc["oauth_token_secret"].clone(),
    };

    // A signed call with a query string.
    let u = url(&emu, "/2/users/me?user.fields=id");
    let h = user.header("GET", &u, &[], &[], now, "n3");
    let r = http
        .get(&u)
        .header("authorization", &h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Replayed nonce.
    let r = http
        .get(&u)
        .header("authorization", &h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"errors": [{"code": 32, "message": "Could not authenticate you."}]})
    );
    // Wrong signature (query changed after signing).
    let r = http
        .get(format!("{u}x"))
        .header("authorization", user.header("GET", &u, &[], &[], now, "n4"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Stale timestamp.
    let r = http
        .get(&u)
        .header(
            "authorization",
            user.header("GET", &u, &[], &[], now - 1000, "n5"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["code"], 135);
    // Unknown token.
    let ghost = Signer {
        token: "123-nope".into(),
        token_secret: "s".into(),
    };
    let r = http
        .get(&u)
        .header(
            "authorization",
            ghost.header("GET", &u, &[], &[], now, "n6"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["code"], 89);
    // JSON bodies are not signed: POST /2/tweets with OAuth 1.0a.
    let u = url(&emu, "/2/tweets");
    let r = http
        .post(&u)
        .header(
            "authorization",
            user.header("POST", &u, &[], &[], now, "n7"),
        )
        .json(&json!({"text": "signed hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // Form bodies are signed: the request token endpoint with a form param.
    let u = url(&emu, "/oauth/request_token");
    let h = consumer.header(
        "POST",
        &u,
        &[("x_auth_access_type", "write")],
        &[("oauth_callback", "oob")],
        now,
        "n8",
    );
    let r = http
        .post(&u)
        .header("authorization", &h)
        .form(&[("x_auth_access_type", "write")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = consumer.header(
        "POST",
        &u,
        &[("x_auth_access_type", "write")],
        &[("oauth_callback", "oob")],
        now,
        "n9",
    );
    let r = http
        .post(&u)
        .header("authorization", &h)
        .form(&[("x_auth_access_type", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    emu.shutdown().await;
}
