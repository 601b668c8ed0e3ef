//! Connects test accounts on the emulator through its OAuth endpoints (raw
//! HTTP, independent of the SDK's connect flow).

use creatorsync::{AccountKey, Credential, Platform, Profile, Secret, StoredToken};
use creatorsync_emulator::RunningEmulator;
use serde_json::Value;

/// The user id of every test account.
pub const USER: &str = "user-1";
const REDIRECT: &str = "http://127.0.0.1:1/callback";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Follows an authorize URL and returns the `code` of the redirect.
async fn code_from(url: url::Url) -> String {
    let resp = http().get(url).send().await.unwrap();
    let loc = resp.headers()["location"].to_str().unwrap().to_owned();
    let loc = url::Url::parse(&loc).unwrap();
    loc.query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {loc}"))
}

fn oauth2(access: &str, refresh: Option<&str>) -> Credential {
    Credential::OAuth2 {
        access: Secret::new(access.to_owned()),
        refresh: refresh.map(|r| Secret::new(r.to_owned())),
        expires_at: None,
        refresh_expires_at: None,
        scopes: Vec::new(),
        user_token: None,
    }
}

fn token(platform: Platform, account_id: &str, cred: Credential, profile: Profile) -> StoredToken {
    StoredToken::new(
        AccountKey::new(USER, platform, account_id).unwrap(),
        cred,
        profile,
    )
}

/// Every account the emulator's login user has on `platform` (X: the user;
/// LinkedIn: the member, then each administered organization; Facebook:
/// each page with its page token), connected through real OAuth.
pub async fn accounts(emu: &RunningEmulator, platform: Platform) -> Vec<StoredToken> {
    let e = emu.endpoints().get(platform).clone();
    let app = emu.app(platform);
    let c = http();
    match platform {
        Platform::X => {
            let mut url = e.auth.join("/i/oauth2/authorize").unwrap();
            url.query_pairs_mut()
                .append_pair("response_type", "code")
                .append_pair("client_id", &app.client_id)
                .append_pair("redirect_uri", REDIRECT)
                .append_pair(
                    "scope",
                    "tweet.read tweet.write users.read offline.access media.write",
                )
                .append_pair("state", "s")
                .append_pair(
                    "code_challenge",
                    "verifier-verifier-verifier-verifier-verifier",
                )
                .append_pair("code_challenge_method", "plain");
            let code = code_from(url).await;
            let t: Value = c
                .post(e.token.join("/2/oauth2/token").unwrap())
                .basic_auth(&app.client_id, Some(&app.client_secret))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    (
                        "code_verifier",
                        "verifier-verifier-verifier-verifier-verifier",
                    ),
                    ("client_id", &app.client_id),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let access = t["access_token"].as_str().expect("x token");
            let me: Value = c
                .get(e.api.join("/2/users/me").unwrap())
                .bearer_auth(access)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = me["data"]["id"].as_str().unwrap();
            let profile = Profile {
                platform_user_id: id.to_owned(),
                handle: me["data"]["username"].as_str().map(str::to_owned),
                display_name: me["data"]["name"].as_str().map(str::to_owned),
                kind: Some("user".into()),
            };
            vec![token(
                platform,
                id,
                oauth2(access, t["refresh_token"].as_str()),
                profile,
            )]
        }
        Platform::LinkedIn => {
            let mut url = e.auth.join("/oauth/v2/authorization").unwrap();
            url.query_pairs_mut()
                .append_pair("response_type", "code")
                .append_pair("client_id", &app.client_id)
                .append_pair("redirect_uri", REDIRECT)
                .append_pair(
                    "scope",
                    "openid profile w_member_social w_organization_social rw_organization_admin",
                )
                .append_pair("state", "s");
            let code = code_from(url).await;
            let t: Value = c
                .post(e.token.join("/oauth/v2/accessToken").unwrap())
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("client_id", &app.client_id),
                    ("client_secret", &app.client_secret),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let access = t["access_token"].as_str().expect("linkedin token");
            let me: Value = c
                .get(e.api.join("/v2/userinfo").unwrap())
                .bearer_auth(access)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let person = me["sub"].as_str().unwrap().to_owned();
            let cred = oauth2(access, t["refresh_token"].as_str());
            let mut member = token(
                platform,
                &person,
                cred.clone(),
                Profile {
                    platform_user_id: person.clone(),
                    kind: Some("person".into()),
                    ..Profile::default()
                },
            );
            member
                .metadata
                .insert("author_urn".into(), format!("urn:li:person:{person}"));
            let acls: Value = c
                .get(
                    e.api
                        .join("/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED")
                        .unwrap(),
                )
                .bearer_auth(access)
                .header("LinkedIn-Version", "202607")
                .header("X-Restli-Protocol-Version", "2.0.0")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut out = vec![member];
            for el in acls["elements"].as_array().into_iter().flatten() {
                let urn = el["organization"].as_str().unwrap();
                let id = urn.rsplit(':').next().unwrap();
                let mut org = token(
                    platform,
                    id,
                    cred.clone(),
                    Profile {
                        platform_user_id: id.to_owned(),
                        kind: Some("organization".into()),
                        ..Profile::default()
                    },
                );
                org.metadata.insert("author_urn".into(), urn.to_owned());
                out.push(org);
            }
            out
        }
        Platform::Facebook => {
            let mut url = e.auth.join("/v21.0/dialog/oauth").unwrap();
            url.query_pairs_mut()
                .append_pair("client_id", &app.client_id)
                .append_pair("redirect_uri", REDIRECT)
                .append_pair(
                    "scope",
                    "pages_show_list,pages_read_engagement,pages_manage_posts,publish_video",
                )
                .append_pair("state", "s")
                .append_pair("response_type", "code");
            let code = code_from(url).await;
            let mut url = e.token.join("/v21.0/oauth/access_token").unwrap();
            url.query_pairs_mut()
                .append_pair("client_id", &app.client_id)
                .append_pair("client_secret", &app.client_secret)
                .append_pair("redirect_uri", REDIRECT)
                .append_pair("code", &code);
            let t: Value = c.get(url).send().await.unwrap().json().await.unwrap();
            let user_token = t["access_token"].as_str().expect("meta token").to_owned();
            let proof = |tok: &str| meta_proof(&app.client_secret, tok);
            let mut url = e
                .api
                .join("/v21.0/me/accounts?fields=id,name,access_token,tasks,instagram_business_account&limit=100")
                .unwrap();
            url.query_pairs_mut()
                .append_pair("access_token", &user_token)
                .append_pair("appsecret_proof", &proof(&user_token));
            let pages: Value = c.get(url).send().await.unwrap().json().await.unwrap();
            pages["data"]
                .as_array()
                .unwrap_or_else(|| panic!("no pages: {pages}"))
                .iter()
                .map(|p| {
                    let id = p["id"].as_str().unwrap();
                    let mut cred = oauth2(p["access_token"].as_str().unwrap(), None);
                    // The SDK's discovery keeps the user token beside the Page
                    // token (the Resumable Upload API needs it).
                    if let Credential::OAuth2 { user_token: u, .. } = &mut cred {
                        *u = Some(Secret::new(user_token.clone()));
                    }
                    token(
                        platform,
                        id,
                        cred,
                        Profile {
                            platform_user_id: id.to_owned(),
                            display_name: p["name"].as_str().map(str::to_owned),
                            kind: Some("page".into()),
                            ..Profile::default()
                        },
                    )
                })
                .collect()
        }
        other => panic!("no test connect for {other}"),
    }
}

/// The first (default) account of `platform`.
pub async fn connect(emu: &RunningEmulator, platform: Platform) -> StoredToken {
    accounts(emu, platform).await.remove(0)
}

/// Meta's appsecret_proof, computed independently of the SDK.
pub fn meta_proof(secret: &str, token: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}
