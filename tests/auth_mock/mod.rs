//! A stateful mock of the six platforms' OAuth and profile endpoints
//! (platforms.md + contract.md shapes) on one `wiremock` server. All paths
//! of all platforms are distinct, so one base URL serves every platform.
//!
//! The grants (codes, PKCE challenges, live access and refresh tokens)
//! are server state, kept by the responders; what a test asserts about the
//! requests themselves goes through wiremock matchers and `expect(n)`:
//! [`Mock::expect_refreshes`], [`Mock::failing_refreshes`],
//! [`Mock::expect_revocations`], checked when the server drops at the end
//! of the test. A catch-all answers any other request `404` naming it,
//! and fails the test when the server drops.
#![allow(dead_code, unreachable_pub, clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use creatorsync::auth::{Apps, Connector};
use creatorsync::testing::mocks::wiremock::matchers::{
    any, body_string_contains, method, path, path_regex,
};
use creatorsync::testing::mocks::wiremock::{
    Mock as Route, MockServer, Request, Respond, ResponseTemplate,
};
use creatorsync::{
    EndpointSet, Endpoints, HttpClient, HttpConfig, Platform, RetryConfig, TokenStore,
};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};

type Params = HashMap<String, String>;

#[derive(Debug)]
pub struct Code {
    pub platform: String,
    pub challenge: Option<String>,
    pub redirect: String,
}

/// The platforms' state, and the knobs that shape their answers.
#[derive(Debug, Default)]
pub struct MockState {
    seq: AtomicUsize,
    pub codes: Mutex<HashMap<String, Code>>,
    /// access token -> platform
    pub access: Mutex<HashMap<String, String>>,
    /// refresh token -> platform
    pub refresh: Mutex<HashMap<String, String>>,
    /// Leave refresh_token out of refresh answers.
    pub omit_refresh_token: AtomicBool,
    /// Token answers (exchange and refresh, every platform) carry
    /// `"refresh_token": ""` (after the server acted: a rotation still
    /// spends the old one).
    pub blank_refresh_token: AtomicBool,
    /// Token answers carry `"access_token": ""`.
    pub blank_access_token: AtomicBool,
    /// Authorize answers error=access_denied.
    pub deny: AtomicBool,
    /// A successful refresh answers this long (ms) after the server acted
    /// (the old refresh token already spent when rotating).
    pub refresh_answer_delay_ms: AtomicUsize,
    /// Every secret-looking value handed out or received (for leak tests).
    pub secrets: Mutex<Vec<String>>,
    /// X OAuth 1.0a request tokens -> (secret, callback)
    pub request_tokens: Mutex<HashMap<String, (String, String)>>,
    pub verifiers: Mutex<HashMap<String, String>>,
}

impl MockState {
    fn next(&self, prefix: &str) -> String {
        let n = self.seq.fetch_add(1, Ordering::SeqCst);
        let v = format!("{prefix}{n:04}{}", "s3cr3t");
        self.secrets.lock().unwrap().push(v.clone());
        v
    }
    fn note(&self, v: &str) {
        self.secrets.lock().unwrap().push(v.to_owned());
    }
    fn valid(&self, token: &str) -> bool {
        self.access.lock().unwrap().contains_key(token)
    }
    /// Forgets a token the platform revoked.
    fn revoke(&self, token: &str) {
        self.access.lock().unwrap().remove(token);
        self.refresh.lock().unwrap().remove(token);
    }
}

pub struct Mock {
    pub state: Arc<MockState>,
    pub base: String,
    pub server: MockServer,
}

type Handler = fn(&MockState, &Request) -> ResponseTemplate;

/// A responder running `handler` on the shared state.
struct Stateful(Arc<MockState>, Handler);

impl Respond for Stateful {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        (self.1)(&self.0, request)
    }
}

fn json_answer(status: u16, v: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(v)
}

fn err(status: u16, error: &str) -> ResponseTemplate {
    json_answer(
        status,
        json!({"error": error, "error_description": format!("mock: {error}")}),
    )
}

fn redirect(to: &str) -> ResponseTemplate {
    ResponseTemplate::new(303).insert_header("location", to)
}

fn query(r: &Request) -> Params {
    r.url.query_pairs().into_owned().collect()
}

fn form(r: &Request) -> Params {
    url::form_urlencoded::parse(&r.body).into_owned().collect()
}

fn header<'a>(r: &'a Request, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A token answer, blanked as the test asked.
fn token_answer(s: &MockState, mut v: serde_json::Value) -> ResponseTemplate {
    if s.blank_refresh_token.load(Ordering::SeqCst) {
        v["refresh_token"] = json!("");
    }
    if s.blank_access_token.load(Ordering::SeqCst) {
        v["access_token"] = json!("");
    }
    json_answer(200, v)
}

fn bearer(r: &Request) -> String {
    header(r, "authorization")
        .strip_prefix("Bearer ")
        .unwrap_or_default()
        .to_owned()
}

fn app_ok(platform: &str, id: &str, secret: &str) -> bool {
    let base = if platform == "instagram" {
        "facebook"
    } else {
        platform
    };
    id == format!("cs-test-{base}") && secret == format!("cs-test-{base}-secret")
}

fn authorize(s: &MockState, platform: &str, r: &Request) -> ResponseTemplate {
    let q = query(r);
    let id = q
        .get("client_id")
        .or(q.get("client_key"))
        .cloned()
        .unwrap_or_default();
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    let state = q.get("state").cloned().unwrap_or_default();
    if !id.starts_with("cs-test-") {
        return err(400, "invalid_client");
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    if s.deny.load(Ordering::SeqCst) {
        return redirect(&format!(
            "{redirect_uri}{sep}error=access_denied&error_description=The+user+denied&state={state}"
        ));
    }
    let code = s.next("code-");
    s.codes.lock().unwrap().insert(
        code.clone(),
        Code {
            platform: platform.to_owned(),
            challenge: q.get("code_challenge").cloned(),
            redirect: redirect_uri.clone(),
        },
    );
    redirect(&format!("{redirect_uri}{sep}code={code}&state={state}"))
}

fn s256(v: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()))
}

/// Checks a code (and PKCE) for `platform`.
fn take_code(s: &MockState, platform: &str, p: &Params) -> Result<(), ResponseTemplate> {
    let code = p.get("code").cloned().unwrap_or_default();
    let Some(c) = s.codes.lock().unwrap().remove(&code) else {
        return Err(err(400, "invalid_grant"));
    };
    if !(c.platform == platform || (platform == "facebook")) {
        return Err(err(400, "invalid_grant"));
    }
    if p.get("redirect_uri").is_some_and(|r| *r != c.redirect) {
        return Err(err(400, "invalid_grant"));
    }
    if let Some(ch) = c.challenge {
        let Some(v) = p.get("code_verifier") else {
            return Err(err(400, "invalid_request"));
        };
        s.note(v);
        if s256(v) != ch {
            return Err(err(400, "invalid_grant"));
        }
    }
    Ok(())
}

/// Issues an access token (and a refresh token when `with_refresh`).
fn issue(s: &MockState, platform: &str, with_refresh: bool) -> (String, Option<String>) {
    let at = s.next(&format!("at-{platform}-"));
    s.access
        .lock()
        .unwrap()
        .insert(at.clone(), platform.to_owned());
    let rt = with_refresh.then(|| {
        let rt = s.next(&format!("rt-{platform}-"));
        s.refresh
            .lock()
            .unwrap()
            .insert(rt.clone(), platform.to_owned());
        rt
    });
    (at, rt)
}

/// The common refresh logic; `rotate` kills the old refresh token.
fn do_refresh(
    s: &MockState,
    platform: &str,
    p: &Params,
    rotate: bool,
) -> Result<(String, Option<String>), ResponseTemplate> {
    let rt = p.get("refresh_token").cloned().unwrap_or_default();
    let known = s.refresh.lock().unwrap().get(&rt).cloned();
    if known.as_deref() != Some(platform) {
        return Err(err(400, "invalid_grant"));
    }
    if rotate {
        s.refresh.lock().unwrap().remove(&rt);
    }
    let omit = s.omit_refresh_token.load(Ordering::SeqCst);
    Ok(issue(s, platform, rotate && !omit))
}

/// A successful refresh or exchange answer, as late as the test asked.
fn granted(s: &MockState, v: serde_json::Value, refreshed: bool) -> ResponseTemplate {
    let answer = token_answer(s, v);
    let delay = s.refresh_answer_delay_ms.load(Ordering::SeqCst);
    if refreshed && delay > 0 {
        answer.set_delay(Duration::from_millis(delay as u64))
    } else {
        answer
    }
}

fn x_token(s: &MockState, r: &Request) -> ResponseTemplate {
    let basic = header(r, "authorization")
        .strip_prefix("Basic ")
        .and_then(|b| STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if basic != "cs-test-x:cs-test-x-secret" {
        return err(401, "invalid_client");
    }
    let p = form(r);
    let refreshing = p.get("grant_type").map(String::as_str) == Some("refresh_token");
    let result = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => take_code(s, "x", &p).map(|()| issue(s, "x", true)),
        Some("refresh_token") => do_refresh(s, "x", &p, true),
        _ => Err(err(400, "unsupported_grant_type")),
    };
    match result {
        Ok((at, rt)) => {
            let mut v = json!({"token_type":"bearer","expires_in":7200,"access_token":at,
                "scope":"tweet.read tweet.write users.read offline.access media.write"});
            if let Some(rt) = rt {
                v["refresh_token"] = json!(rt);
            }
            granted(s, v, refreshing)
        }
        Err(e) => e,
    }
}

fn google_token(s: &MockState, r: &Request) -> ResponseTemplate {
    let p = form(r);
    if !app_ok(
        "youtube",
        p.get("client_id").map_or("", |v| v),
        p.get("client_secret").map_or("", |v| v),
    ) {
        return err(401, "invalid_client");
    }
    let refreshing = p.get("grant_type").map(String::as_str) == Some("refresh_token");
    let result = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            take_code(s, "youtube", &p).map(|()| issue(s, "youtube", true))
        }
        // Google never rotates: the answer has no refresh_token.
        Some("refresh_token") => do_refresh(s, "youtube", &p, false).map(|(a, _)| (a, None)),
        _ => Err(err(400, "unsupported_grant_type")),
    };
    match result {
        Ok((at, rt)) => {
            let mut v = json!({"access_token":at,"expires_in":3599,"token_type":"Bearer",
                "scope":"https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.force-ssl https://www.googleapis.com/auth/youtube.readonly"});
            if let Some(rt) = rt {
                v["refresh_token"] = json!(rt);
            }
            granted(s, v, refreshing)
        }
        Err(e) => e,
    }
}

fn linkedin_token(s: &MockState, r: &Request) -> ResponseTemplate {
    let p = form(r);
    if !app_ok(
        "linkedin",
        p.get("client_id").map_or("", |v| v),
        p.get("client_secret").map_or("", |v| v),
    ) {
        return err(401, "invalid_client");
    }
    let refreshing = p.get("grant_type").map(String::as_str) == Some("refresh_token");
    let result = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            take_code(s, "linkedin", &p).map(|()| issue(s, "linkedin", true))
        }
        Some("refresh_token") => {
            do_refresh(s, "linkedin", &p, false).map(|(a, _)| (a, p.get("refresh_token").cloned()))
        }
        _ => Err(err(400, "unsupported_grant_type")),
    };
    match result {
        // No token_type, comma-separated scopes (LinkedIn's shape).
        Ok((at, rt)) => granted(
            s,
            json!({"access_token":at,"expires_in":5184000,"refresh_token":rt,
            "refresh_token_expires_in":31536000,
            "scope":"openid,profile,w_member_social,w_organization_social,r_organization_social,rw_organization_admin"}),
            refreshing,
        ),
        Err(e) => e,
    }
}

fn tiktok_token(s: &MockState, r: &Request) -> ResponseTemplate {
    let p = form(r);
    if !app_ok(
        "tiktok",
        p.get("client_key").map_or("", |v| v),
        p.get("client_secret").map_or("", |v| v),
    ) {
        return err(401, "invalid_client");
    }
    let refreshing = p.get("grant_type").map(String::as_str) == Some("refresh_token");
    let result = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => take_code(s, "tiktok", &p).map(|()| issue(s, "tiktok", true)),
        Some("refresh_token") => do_refresh(s, "tiktok", &p, true),
        _ => Err(err(400, "unsupported_grant_type")),
    };
    match result {
        Ok((at, rt)) => {
            let mut v = json!({"open_id":"tt-demo-open-id","scope":"user.info.basic,video.publish,video.upload,video.list",
                "access_token":at,"expires_in":86400,"refresh_expires_in":31536000,"token_type":"Bearer"});
            if let Some(rt) = rt {
                v["refresh_token"] = json!(rt);
            }
            granted(s, v, refreshing)
        }
        Err(e) => e,
    }
}

/// The token endpoint of every refreshing platform, by path.
const TOKEN_PATHS: [(&str, Handler); 4] = [
    ("/2/oauth2/token", x_token),
    ("/token", google_token),
    ("/oauth/v2/accessToken", linkedin_token),
    ("/v2/oauth/token/", tiktok_token),
];

/// Dispatches a token request to its platform's endpoint.
fn token(s: &MockState, r: &Request) -> ResponseTemplate {
    match TOKEN_PATHS.iter().find(|(p, _)| *p == r.url.path()) {
        Some((_, handler)) => handler(s, r),
        None => unexpected(s, r),
    }
}

fn revoke(s: &MockState, r: &Request) -> ResponseTemplate {
    let mut all = query(r);
    all.extend(form(r));
    if let Some(t) = all.get("token") {
        s.revoke(t);
    }
    json_answer(200, json!({"revoked": true}))
}

fn x_me(s: &MockState, r: &Request) -> ResponseTemplate {
    let auth = header(r, "authorization");
    let ok = if auth.starts_with("OAuth ") {
        auth.contains("oauth_token=\"xat-")
    } else {
        s.valid(&bearer(r))
    };
    if !ok {
        return json_answer(
            401,
            json!({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}),
        );
    }
    json_answer(
        200,
        json!({"data":{"id":"2244994945","name":"CreatorSync Demo","username":"creatorsync_demo"}}),
    )
}

fn li_401() -> ResponseTemplate {
    json_answer(
        401,
        json!({"status":401,"serviceErrorCode":65600,"code":"INVALID_ACCESS_TOKEN","message":"Invalid access token"}),
    )
}

fn li_userinfo(s: &MockState, r: &Request) -> ResponseTemplate {
    if !s.valid(&bearer(r)) {
        return li_401();
    }
    json_answer(
        200,
        json!({"sub":"li-demo-person","name":"Demo Person","given_name":"Demo","family_name":"Person"}),
    )
}

fn li_acls(s: &MockState, r: &Request) -> ResponseTemplate {
    if !s.valid(&bearer(r)) {
        return li_401();
    }
    if header(r, "linkedin-version").is_empty() {
        return ResponseTemplate::new(400).set_body_string("missing LinkedIn-Version");
    }
    json_answer(
        200,
        json!({"elements":[
        {"organization":"urn:li:organization:10001","role":"ADMINISTRATOR","state":"APPROVED","roleAssignee":"urn:li:person:li-demo-person"},
        {"organization":"urn:li:organization:10002","role":"ADMINISTRATOR","state":"APPROVED","roleAssignee":"urn:li:person:li-demo-person"}],
        "paging":{"start":0,"count":10,"total":2}}),
    )
}

fn li_org(s: &MockState, r: &Request) -> ResponseTemplate {
    if !s.valid(&bearer(r)) {
        return li_401();
    }
    let id = r.url.path().rsplit('/').next().unwrap_or_default();
    let (name, vanity) = if id == "10001" {
        ("Acme Studio", "acme-studio")
    } else {
        ("Side Project", "side-project")
    };
    json_answer(
        200,
        json!({"id": id.parse::<u64>().unwrap_or(0), "localizedName": name, "vanityName": vanity}),
    )
}

fn yt_channels(s: &MockState, r: &Request) -> ResponseTemplate {
    if !s.valid(&bearer(r)) {
        return json_answer(
            401,
            json!({"error":{"code":401,"message":"Request had invalid authentication credentials.","errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError"}],"status":"UNAUTHENTICATED"}}),
        );
    }
    json_answer(
        200,
        json!({"items":[{"id":"UCdemo0000000000000000001","snippet":{"title":"CreatorSync Demo","customUrl":"@creatorsync-demo"}}]}),
    )
}

fn tt_user(s: &MockState, r: &Request) -> ResponseTemplate {
    if !s.valid(&bearer(r)) {
        return json_answer(
            401,
            json!({"data":{},"error":{"code":"access_token_invalid","message":"The access token is invalid or not found in the request.","log_id":"1"}}),
        );
    }
    json_answer(
        200,
        json!({"data":{"user":{"open_id":"tt-demo-open-id","union_id":"u","display_name":"Demo","username":"creatorsync.demo","avatar_url":"https://x/a.png"}},"error":{"code":"ok","message":"","log_id":"1"}}),
    )
}

// ---- Meta (Graph) ----

fn graph_err(code: u64, msg: &str) -> ResponseTemplate {
    json_answer(
        400,
        json!({"error":{"message":msg,"type":"OAuthException","code":code,"fbtrace_id":"x"}}),
    )
}

fn graph_auth(s: &MockState, q: &Params) -> Result<String, ResponseTemplate> {
    let token = q.get("access_token").cloned().unwrap_or_default();
    if !s.valid(&token) {
        return Err(graph_err(190, "Invalid OAuth access token."));
    }
    let mut m = Hmac::<Sha256>::new_from_slice(b"cs-test-facebook-secret").unwrap();
    m.update(token.as_bytes());
    if q.get("appsecret_proof") != Some(&hex::encode(m.finalize().into_bytes())) {
        return Err(graph_err(
            100,
            "Invalid appsecret_proof provided in the API argument",
        ));
    }
    Ok(token)
}

fn fb_token(s: &MockState, r: &Request) -> ResponseTemplate {
    let q = query(r);
    if !app_ok(
        "facebook",
        q.get("client_id").map_or("", |v| v),
        q.get("client_secret").map_or("", |v| v),
    ) {
        return graph_err(101, "Error validating application.");
    }
    if q.get("grant_type").map(String::as_str) == Some("fb_exchange_token") {
        let short = q.get("fb_exchange_token").cloned().unwrap_or_default();
        if !s.valid(&short) {
            return graph_err(190, "Invalid OAuth access token.");
        }
        let (at, _) = issue(s, "facebook", false);
        return token_answer(
            s,
            json!({"access_token":at,"token_type":"bearer","expires_in":5184000}),
        );
    }
    if let Err(e) = take_code(s, "facebook", &q) {
        return e;
    }
    let (at, _) = issue(s, "facebook", false);
    token_answer(
        s,
        json!({"access_token":at,"token_type":"bearer","expires_in":5183944}),
    )
}

/// `/{version}/{segments…}` of a Graph request.
fn graph_segments(r: &Request) -> Vec<String> {
    r.url
        .path_segments()
        .into_iter()
        .flatten()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

fn graph_node(s: &MockState, r: &Request) -> ResponseTemplate {
    if let Err(e) = graph_auth(s, &query(r)) {
        return e;
    }
    let node = graph_segments(r).concat();
    match node.as_str() {
        "me" => json_answer(200, json!({"id":"fb-demo-user","name":"FB Demo"})),
        "1001" | "1002" => json_answer(200, json!({"id":node,"name":"Demo Page"})),
        "17841400000000001" => json_answer(
            200,
            json!({"id":node,"username":"demo.creator","name":"Demo Creator"}),
        ),
        _ => graph_err(100, "Unsupported get request."),
    }
}

fn graph_edge(s: &MockState, r: &Request) -> ResponseTemplate {
    if let Err(e) = graph_auth(s, &query(r)) {
        return e;
    }
    let segments = graph_segments(r);
    match (segments[0].as_str(), segments[1].as_str()) {
        ("me", "accounts") => {
            let (p1, _) = issue(s, "facebook", false);
            let (p2, _) = issue(s, "facebook", false);
            json_answer(
                200,
                json!({"data":[
                {"id":"1001","name":"Demo Page","access_token":p1,"category":"Media","tasks":["CREATE_CONTENT","MANAGE"],"instagram_business_account":{"id":"17841400000000001"}},
                {"id":"1002","name":"Second Page","access_token":p2,"category":"Media","tasks":["CREATE_CONTENT"]}],
                "paging":{"cursors":{"before":"b","after":"a"}}}),
            )
        }
        ("me", "permissions") => json_answer(
            200,
            json!({"data":[
            {"permission":"pages_show_list","status":"granted"},{"permission":"pages_read_engagement","status":"granted"},
            {"permission":"pages_manage_posts","status":"granted"},{"permission":"publish_video","status":"granted"},
            {"permission":"instagram_basic","status":"granted"},{"permission":"instagram_content_publish","status":"granted"},{"permission":"instagram_manage_comments","status":"granted"},
            {"permission":"business_management","status":"declined"}]}),
        ),
        _ => graph_err(100, "Unsupported get request."),
    }
}

fn graph_delete_perms(s: &MockState, r: &Request) -> ResponseTemplate {
    match graph_auth(s, &query(r)) {
        Ok(_) => json_answer(200, json!({"success":true})),
        Err(e) => e,
    }
}

// ---- X OAuth 1.0a ----

fn oauth_header(r: &Request) -> Params {
    header(r, "authorization")
        .trim_start_matches("OAuth ")
        .split(", ")
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            let v = v.trim_matches('"');
            Some((k.to_owned(), percent_decode(v)))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn x_request_token(s: &MockState, r: &Request) -> ResponseTemplate {
    let p = oauth_header(r);
    if p.get("oauth_consumer_key").map(String::as_str) != Some("cs-test-x-consumer")
        || !p.contains_key("oauth_signature")
    {
        return json_answer(
            401,
            json!({"errors":[{"code":32,"message":"Could not authenticate you."}]}),
        );
    }
    let cb = p.get("oauth_callback").cloned().unwrap_or_default();
    let t = s.next("rqt-");
    let sec = s.next("rqs-");
    s.request_tokens
        .lock()
        .unwrap()
        .insert(t.clone(), (sec.clone(), cb));
    ResponseTemplate::new(200).set_body_string(format!(
        "oauth_token={t}&oauth_token_secret={sec}&oauth_callback_confirmed=true"
    ))
}

fn x_oauth1_authorize(s: &MockState, r: &Request) -> ResponseTemplate {
    let t = query(r).get("oauth_token").cloned().unwrap_or_default();
    let Some((_, cb)) = s.request_tokens.lock().unwrap().get(&t).cloned() else {
        return ResponseTemplate::new(400).set_body_string("unknown token");
    };
    if s.deny.load(Ordering::SeqCst) {
        return redirect(&format!("{cb}?denied={t}"));
    }
    let v = s.next("ver-");
    s.verifiers.lock().unwrap().insert(t.clone(), v.clone());
    redirect(&format!("{cb}?oauth_token={t}&oauth_verifier={v}"))
}

fn x_access_token(s: &MockState, r: &Request) -> ResponseTemplate {
    let p = oauth_header(r);
    let t = p.get("oauth_token").cloned().unwrap_or_default();
    let v = p.get("oauth_verifier").cloned().unwrap_or_default();
    if s.verifiers.lock().unwrap().remove(&t) != Some(v) {
        return json_answer(
            401,
            json!({"errors":[{"code":89,"message":"Invalid or expired token."}]}),
        );
    }
    let at = s.next("xat-");
    let sec = s.next("xas-");
    ResponseTemplate::new(200).set_body_string(format!(
        "oauth_token={at}&oauth_token_secret={sec}&user_id=2244994945&screen_name=creatorsync_demo"
    ))
}

fn unexpected(_: &MockState, r: &Request) -> ResponseTemplate {
    ResponseTemplate::new(404)
        .set_body_string(format!("mock: unexpected request {} {}", r.method, r.url))
}

/// `^/v{major}.{minor}/{rest}$`: a Graph path of any version.
fn graph(rest: &str) -> String {
    format!(r"^/v[0-9]+\.[0-9]+/{rest}$")
}

pub async fn start() -> Mock {
    let state = Arc::new(MockState::default());
    let server = MockServer::start().await;
    let exact: &[(&str, &str, Handler)] = &[
        ("GET", "/i/oauth2/authorize", |s, r| authorize(s, "x", r)),
        ("GET", "/o/oauth2/v2/auth", |s, r| {
            authorize(s, "youtube", r)
        }),
        ("GET", "/oauth/v2/authorization", |s, r| {
            authorize(s, "linkedin", r)
        }),
        ("GET", "/v2/auth/authorize/", |s, r| {
            authorize(s, "tiktok", r)
        }),
        ("POST", "/2/oauth2/token", token),
        ("POST", "/token", token),
        ("POST", "/oauth/v2/accessToken", token),
        ("POST", "/v2/oauth/token/", token),
        ("POST", "/2/oauth2/revoke", revoke),
        ("POST", "/revoke", revoke),
        ("POST", "/oauth/v2/revoke", revoke),
        ("POST", "/v2/oauth/revoke/", revoke),
        ("GET", "/2/users/me", x_me),
        ("GET", "/v2/userinfo", li_userinfo),
        ("GET", "/rest/organizationAcls", li_acls),
        ("GET", "/youtube/v3/channels", yt_channels),
        ("GET", "/v2/user/info/", tt_user),
        ("POST", "/oauth/request_token", x_request_token),
        ("GET", "/oauth/authorize", x_oauth1_authorize),
        ("POST", "/oauth/access_token", x_access_token),
    ];
    for (m, p, handler) in exact {
        Route::given(method(*m))
            .and(path(*p))
            .respond_with(Stateful(state.clone(), *handler))
            .named(format!("{m} {p}"))
            .mount(&server)
            .await;
    }
    let patterns: &[(&str, String, Handler)] = &[
        ("GET", r"^/rest/organizations/[0-9]+$".into(), li_org),
        ("GET", graph("dialog/oauth"), |s, r| {
            authorize(s, "facebook", r)
        }),
        ("GET", graph("oauth/access_token"), fb_token),
        ("GET", graph("[^/]+"), graph_node),
        ("GET", graph("[^/]+/[^/]+"), graph_edge),
        ("DELETE", graph("[^/]+/[^/]+"), graph_delete_perms),
    ];
    for (m, p, handler) in patterns {
        Route::given(method(*m))
            .and(path_regex(p.as_str()))
            .respond_with(Stateful(state.clone(), *handler))
            .named(format!("{m} {p}"))
            .mount(&server)
            .await;
    }
    Route::given(any())
        .respond_with(Stateful(state.clone(), unexpected))
        .with_priority(u8::MAX)
        .named("unexpected request")
        .expect(0)
        .mount(&server)
        .await;
    Mock {
        state,
        base: server.uri(),
        server,
    }
}

/// Matches a refresh at any platform's token endpoint.
fn refreshes() -> creatorsync::testing::mocks::wiremock::MockBuilder {
    Route::given(method("POST")).and(body_string_contains("grant_type=refresh_token"))
}

impl Mock {
    pub fn endpoints(&self) -> EndpointSet {
        let e = Endpoints::all(&self.base).unwrap();
        let mut set = EndpointSet::production();
        for p in Platform::ALL {
            set.set(p, e.clone());
        }
        set
    }

    // The expectations below are plain mounts, checked when the server
    // drops at the end of the test: wiremock 0.6.5 finds a scoped mock's
    // guard by its position in a list it re-sorts by priority, so a guard
    // over a higher-priority mock mounted late deactivates and verifies
    // another mock.

    /// From now on there are exactly `n` refreshes, answered as usual.
    pub async fn expect_refreshes(&self, n: u64) {
        refreshes()
            .respond_with(Stateful(self.state.clone(), token))
            .with_priority(2)
            .named(format!("exactly {n} refreshes from here on"))
            .expect(n)
            .mount(&self.server)
            .await;
    }

    /// The next `n` refreshes answer 503 without the server acting, and
    /// all `n` arrive (then the platform recovers).
    pub async fn failing_refreshes(&self, n: u64) {
        refreshes()
            .respond_with(err(503, "temporarily_unavailable"))
            .with_priority(1)
            .up_to_n_times(n)
            .named(format!("{n} refreshes failing with 503"))
            .expect(n)
            .mount(&self.server)
            .await;
    }

    /// The next refresh answers `invalid_grant` after `delay` (the grant
    /// died while the request was in flight), and it arrives.
    pub async fn refresh_refused_after(&self, delay: Duration) {
        refreshes()
            .respond_with(err(400, "invalid_grant").set_delay(delay))
            .with_priority(1)
            .up_to_n_times(1)
            .named("a refresh refused late")
            .expect(1)
            .mount(&self.server)
            .await;
    }

    /// From now on `token` (in a body) is revoked exactly `n` times,
    /// answered as usual.
    pub async fn expect_revocations(&self, token: &str, n: u64) {
        Route::given(method("POST"))
            .and(path_regex("revoke/?$"))
            .and(body_string_contains(token))
            .respond_with(Stateful(self.state.clone(), revoke))
            .with_priority(2)
            .named(format!("{n} revocations of one token from here on"))
            .expect(n)
            .mount(&self.server)
            .await;
    }

    /// From now on nothing is revoked.
    pub async fn expect_no_revocation(&self) {
        Route::given(any())
            .and(path_regex("(revoke/?|permissions)$"))
            .respond_with(Stateful(self.state.clone(), unexpected))
            .with_priority(1)
            .named("no revocation from here on")
            .expect(0)
            .mount(&self.server)
            .await;
    }

    pub fn http() -> HttpClient {
        HttpClient::new(HttpConfig {
            retry: RetryConfig {
                max_retries: 3,
                initial_backoff: std::time::Duration::from_millis(5),
                max_backoff: std::time::Duration::from_millis(20),
                ..RetryConfig::default()
            },
            ..HttpConfig::default()
        })
        .unwrap()
    }

    pub fn connector(&self, store: Arc<dyn TokenStore>) -> Connector {
        Connector::builder()
            .apps(Apps::emulator_defaults())
            .store(store)
            .endpoints(self.endpoints())
            .http(Self::http())
            .state_secret(*b"test-state-secret-0123456789abcdef")
            .build()
            .unwrap()
    }

    /// Plays the browser: GETs the authorize URL, returns the redirect.
    pub async fn browse(&self, url: &url::Url) -> String {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let resp = client.get(url.clone()).send().await.unwrap();
        assert_eq!(
            resp.status().as_u16(),
            303,
            "authorize answered {}",
            resp.status()
        );
        resp.headers()["location"].to_str().unwrap().to_owned()
    }
}
