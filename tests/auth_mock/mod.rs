//! A small stateful mock of the six platforms' OAuth and profile endpoints
//! (platforms.md + contract.md shapes), on one loopback port. All paths of
//! all platforms are distinct, so one base URL serves every platform.
#![allow(dead_code, unreachable_pub, clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use creatorsync::auth::{Apps, Connector};
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

/// Everything the mock remembers and every knob a test turns.
#[derive(Debug, Default)]
pub struct MockState {
    seq: AtomicUsize,
    pub codes: Mutex<HashMap<String, Code>>,
    /// access token -> platform
    pub access: Mutex<HashMap<String, String>>,
    /// refresh token -> platform
    pub refresh: Mutex<HashMap<String, String>>,
    pub refresh_calls: AtomicUsize,
    /// Answer this many refreshes with 503 first.
    pub refresh_5xx: AtomicUsize,
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
    /// Refresh takes this long (ms), to widen races.
    pub refresh_delay_ms: AtomicUsize,
    /// A successful refresh answers this long (ms) after the server acted
    /// (the old refresh token already spent when rotating).
    pub refresh_answer_delay_ms: AtomicUsize,
    pub revoked: Mutex<Vec<String>>,
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
}

pub struct Mock {
    pub state: Arc<MockState>,
    pub base: String,
}

fn err(status: u16, error: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        Json(json!({"error": error, "error_description": format!("mock: {error}")})),
    )
        .into_response()
}

/// A token answer, blanked as the test asked.
fn token_answer(s: &MockState, mut v: serde_json::Value) -> Response {
    if s.blank_refresh_token.load(Ordering::SeqCst) {
        v["refresh_token"] = json!("");
    }
    if s.blank_access_token.load(Ordering::SeqCst) {
        v["access_token"] = json!("");
    }
    Json(v).into_response()
}

fn bearer(h: &HeaderMap) -> String {
    h.get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
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

async fn authorize(
    State(s): State<Arc<MockState>>,
    Path(platform): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    let id = q
        .get("client_id")
        .or(q.get("client_key"))
        .cloned()
        .unwrap_or_default();
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    let state = q.get("state").cloned().unwrap_or_default();
    let plat = if platform == "facebook" && id == "cs-test-facebook" {
        "facebook".to_owned()
    } else {
        platform
    };
    if !id.starts_with("cs-test-") {
        return err(400, "invalid_client");
    }
    let sep = if redirect.contains('?') { '&' } else { '?' };
    if s.deny.load(Ordering::SeqCst) {
        return Redirect::to(&format!(
            "{redirect}{sep}error=access_denied&error_description=The+user+denied&state={state}"
        ))
        .into_response();
    }
    let code = s.next("code-");
    s.codes.lock().unwrap().insert(
        code.clone(),
        Code {
            platform: plat,
            challenge: q.get("code_challenge").cloned(),
            redirect: redirect.clone(),
        },
    );
    Redirect::to(&format!("{redirect}{sep}code={code}&state={state}")).into_response()
}

async fn auth_x(s: State<Arc<MockState>>, q: Query<Params>) -> Response {
    authorize(s, Path("x".to_owned()), q).await
}
async fn auth_yt(s: State<Arc<MockState>>, q: Query<Params>) -> Response {
    authorize(s, Path("youtube".to_owned()), q).await
}
async fn auth_li(s: State<Arc<MockState>>, q: Query<Params>) -> Response {
    authorize(s, Path("linkedin".to_owned()), q).await
}
async fn auth_tt(s: State<Arc<MockState>>, q: Query<Params>) -> Response {
    authorize(s, Path("tiktok".to_owned()), q).await
}
async fn auth_fb(s: State<Arc<MockState>>, _v: Path<String>, q: Query<Params>) -> Response {
    authorize(s, Path("facebook".to_owned()), q).await
}

fn s256(v: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()))
}

/// Checks a code (and PKCE) for `platform`.
fn take_code(s: &MockState, platform: &str, p: &Params) -> Result<(), Response> {
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
async fn do_refresh(
    s: &MockState,
    platform: &str,
    p: &Params,
    rotate: bool,
) -> Result<(String, Option<String>), Response> {
    s.refresh_calls.fetch_add(1, Ordering::SeqCst);
    let delay = s.refresh_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay as u64)).await;
    }
    if s.refresh_5xx
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return Err(err(503, "temporarily_unavailable"));
    }
    let rt = p.get("refresh_token").cloned().unwrap_or_default();
    let known = s.refresh.lock().unwrap().get(&rt).cloned();
    if known.as_deref() != Some(platform) {
        return Err(err(400, "invalid_grant"));
    }
    if rotate {
        s.refresh.lock().unwrap().remove(&rt);
    }
    let omit = s.omit_refresh_token.load(Ordering::SeqCst);
    let (at, new_rt) = issue(s, platform, rotate && !omit);
    let delay = s.refresh_answer_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay as u64)).await;
    }
    Ok((at, new_rt))
}

async fn x_token(State(s): State<Arc<MockState>>, h: HeaderMap, Form(p): Form<Params>) -> Response {
    let basic = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if basic != "cs-test-x:cs-test-x-secret" {
        return err(401, "invalid_client");
    }
    let r = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => take_code(&s, "x", &p).map(|()| issue(&s, "x", true)),
        Some("refresh_token") => do_refresh(&s, "x", &p, true).await,
        _ => Err(err(400, "unsupported_grant_type")),
    };
    match r {
        Ok((at, rt)) => {
            let mut v = json!({"token_type":"bearer","expires_in":7200,"access_token":at,
                "scope":"tweet.read tweet.write users.read offline.access media.write"});
            if let Some(rt) = rt {
                v["refresh_token"] = json!(rt);
            }
            token_answer(&s, v)
        }
        Err(e) => e,
    }
}

async fn google_token(State(s): State<Arc<MockState>>, Form(p): Form<Params>) -> Response {
    if !app_ok(
        "youtube",
        p.get("client_id").map_or("", |v| v),
        p.get("client_secret").map_or("", |v| v),
    ) {
        return err(401, "invalid_client");
    }
    let r = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            take_code(&s, "youtube", &p).map(|()| issue(&s, "youtube", true))
        }
        // Google never rotates: the answer has no refresh_token.
        Some("refresh_token") => do_refresh(&s, "youtube", &p, false)
            .await
            .map(|(a, _)| (a, None)),
        _ => Err(err(400, "unsupported_grant_type")),
    };
    match r {
        Ok((at, rt)) => {
            let mut v = json!({"access_token":at,"expires_in":3599,"token_type":"Bearer",
                "scope":"https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly"});
            if let Some(rt) = rt {
                v["refresh_token"] = json!(rt);
            }
            token_answer(&s, v)
        }
        Err(e) => e,
    }
}

async fn linkedin_token(State(s): State<Arc<MockState>>, Form(p): Form<Params>) -> Response {
    if !app_ok(
        "linkedin",
        p.get("client_id").map_or("", |v| v),
        p.get("client_secret").map_or("", |v| v),
    ) {
        return err(401, "invalid_client");
    }
    let r = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            take_code(&s, "linkedin", &p).map(|()| issue(&s, "linkedin", true))
        }
        Some("refresh_token") => do_refresh(&s, "linkedin", &p, false)
            .await
            .map(|(a, _)| (a, p.get("refresh_token").cloned())),
        _ => Err(err(400, "unsupported_grant_type")),
    };
    match r {
        // No token_type, comma-separated scopes (LinkedIn's shape).
        Ok((at, rt)) => token_answer(
            &s,
            json!({"access_token":at,"expires_in":5184000,"refresh_token":rt,
            "refresh_token_expires_in":31536000,
            "scope":"openid,profile,w_member_social,w_organization_social,r_organization_social,rw_organization_admin"}),
        ),
        Err(e) => e,
    }
}

async fn tiktok_token(State(s): State<Arc<MockState>>, Form(p): Form<Params>) -> Response {
    if !app_ok(
        "tiktok",
        p.get("client_key").map_or("", |v| v),
        p.get("client_secret").map_or("", |v| v),
    ) {
        return err(401, "invalid_client");
    }
    let r = match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            take_code(&s, "tiktok", &p).map(|()| issue(&s, "tiktok", true))
        }
        Some("refresh_token") => do_refresh(&s, "tiktok", &p, true).await,
        _ => Err(err(400, "unsupported_grant_type")),
    };
    match r {
        Ok((at, rt)) => {
            let mut v = json!({"open_id":"tt-demo-open-id","scope":"user.info.basic,video.publish,video.upload,video.list",
                "access_token":at,"expires_in":86400,"refresh_expires_in":31536000,"token_type":"Bearer"});
            if let Some(rt) = rt {
                v["refresh_token"] = json!(rt);
            }
            token_answer(&s, v)
        }
        Err(e) => e,
    }
}

async fn revoke(State(s): State<Arc<MockState>>, RawQuery(q): RawQuery, body: String) -> Response {
    let all: Params =
        url::form_urlencoded::parse(format!("{}&{body}", q.unwrap_or_default()).as_bytes())
            .into_owned()
            .collect();
    if let Some(t) = all.get("token") {
        s.revoked.lock().unwrap().push(t.clone());
        s.access.lock().unwrap().remove(t);
        s.refresh.lock().unwrap().remove(t);
    }
    Json(json!({"revoked": true})).into_response()
}

async fn x_me(State(s): State<Arc<MockState>>, h: HeaderMap) -> Response {
    let auth = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let ok = if auth.starts_with("OAuth ") {
        auth.contains("oauth_token=\"xat-")
    } else {
        s.valid(&bearer(&h))
    };
    if !ok {
        return (StatusCode::UNAUTHORIZED, Json(json!({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}))).into_response();
    }
    Json(
        json!({"data":{"id":"2244994945","name":"CreatorSync Demo","username":"creatorsync_demo"}}),
    )
    .into_response()
}

fn li_401() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"status":401,"serviceErrorCode":65600,"code":"INVALID_ACCESS_TOKEN","message":"Invalid access token"}))).into_response()
}

async fn li_userinfo(State(s): State<Arc<MockState>>, h: HeaderMap) -> Response {
    if !s.valid(&bearer(&h)) {
        return li_401();
    }
    Json(json!({"sub":"li-demo-person","name":"Demo Person","given_name":"Demo","family_name":"Person"})).into_response()
}

async fn li_acls(State(s): State<Arc<MockState>>, h: HeaderMap) -> Response {
    if !s.valid(&bearer(&h)) {
        return li_401();
    }
    if h.get("linkedin-version").is_none() {
        return (StatusCode::BAD_REQUEST, "missing LinkedIn-Version").into_response();
    }
    Json(json!({"elements":[
        {"organization":"urn:li:organization:10001","role":"ADMINISTRATOR","state":"APPROVED","roleAssignee":"urn:li:person:li-demo-person"},
        {"organization":"urn:li:organization:10002","role":"ADMINISTRATOR","state":"APPROVED","roleAssignee":"urn:li:person:li-demo-person"}],
        "paging":{"start":0,"count":10,"total":2}})).into_response()
}

async fn li_org(State(s): State<Arc<MockState>>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if !s.valid(&bearer(&h)) {
        return li_401();
    }
    let (name, vanity) = if id == "10001" {
        ("Acme Studio", "acme-studio")
    } else {
        ("Side Project", "side-project")
    };
    Json(json!({"id": id.parse::<u64>().unwrap_or(0), "localizedName": name, "vanityName": vanity}))
        .into_response()
}

async fn yt_channels(State(s): State<Arc<MockState>>, h: HeaderMap) -> Response {
    if !s.valid(&bearer(&h)) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error":{"code":401,"message":"Request had invalid authentication credentials.","errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError"}],"status":"UNAUTHENTICATED"}}))).into_response();
    }
    Json(json!({"items":[{"id":"UCdemo0000000000000000001","snippet":{"title":"CreatorSync Demo","customUrl":"@creatorsync-demo"}}]})).into_response()
}

async fn tt_user(State(s): State<Arc<MockState>>, h: HeaderMap) -> Response {
    if !s.valid(&bearer(&h)) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"data":{},"error":{"code":"access_token_invalid","message":"The access token is invalid or not found in the request.","log_id":"1"}}))).into_response();
    }
    Json(json!({"data":{"user":{"open_id":"tt-demo-open-id","union_id":"u","display_name":"Demo","username":"creatorsync.demo","avatar_url":"https://x/a.png"}},"error":{"code":"ok","message":"","log_id":"1"}})).into_response()
}

// ---- Meta (Graph) ----

fn graph_err(code: u64, msg: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error":{"message":msg,"type":"OAuthException","code":code,"fbtrace_id":"x"}})),
    )
        .into_response()
}

fn graph_auth(s: &MockState, q: &Params) -> Result<String, Response> {
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

async fn fb_token(State(s): State<Arc<MockState>>, Query(q): Query<Params>) -> Response {
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
        let (at, _) = issue(&s, "facebook", false);
        return token_answer(
            &s,
            json!({"access_token":at,"token_type":"bearer","expires_in":5184000}),
        );
    }
    if let Err(e) = take_code(&s, "facebook", &q) {
        return e;
    }
    let (at, _) = issue(&s, "facebook", false);
    token_answer(
        &s,
        json!({"access_token":at,"token_type":"bearer","expires_in":5183944}),
    )
}

async fn graph_node(
    State(s): State<Arc<MockState>>,
    Path((_v, node)): Path<(String, String)>,
    Query(q): Query<Params>,
) -> Response {
    if let Err(e) = graph_auth(&s, &q) {
        return e;
    }
    match node.as_str() {
        "me" => Json(json!({"id":"fb-demo-user","name":"FB Demo"})).into_response(),
        "1001" | "1002" => Json(json!({"id":node,"name":"Demo Page"})).into_response(),
        "17841400000000001" => {
            Json(json!({"id":node,"username":"demo.creator","name":"Demo Creator"})).into_response()
        }
        _ => graph_err(100, "Unsupported get request."),
    }
}

async fn graph_edge(
    State(s): State<Arc<MockState>>,
    Path((_v, node, edge)): Path<(String, String, String)>,
    Query(q): Query<Params>,
) -> Response {
    if let Err(e) = graph_auth(&s, &q) {
        return e;
    }
    match (node.as_str(), edge.as_str()) {
        ("me", "accounts") => {
            let (p1, _) = issue(&s, "facebook", false);
            let (p2, _) = issue(&s, "facebook", false);
            Json(json!({"data":[
                {"id":"1001","name":"Demo Page","access_token":p1,"category":"Media","tasks":["CREATE_CONTENT","MANAGE"],"instagram_business_account":{"id":"17841400000000001"}},
                {"id":"1002","name":"Second Page","access_token":p2,"category":"Media","tasks":["CREATE_CONTENT"]}],
                "paging":{"cursors":{"before":"b","after":"a"}}})).into_response()
        }
        ("me", "permissions") => Json(json!({"data":[
            {"permission":"pages_show_list","status":"granted"},{"permission":"pages_read_engagement","status":"granted"},
            {"permission":"pages_manage_posts","status":"granted"},{"permission":"publish_video","status":"granted"},
            {"permission":"instagram_basic","status":"granted"},{"permission":"instagram_content_publish","status":"granted"},
            {"permission":"business_management","status":"declined"}]})).into_response(),
        _ => graph_err(100, "Unsupported get request."),
    }
}

async fn graph_delete_perms(State(s): State<Arc<MockState>>, Query(q): Query<Params>) -> Response {
    match graph_auth(&s, &q) {
        Ok(t) => {
            s.revoked.lock().unwrap().push(t);
            Json(json!({"success":true})).into_response()
        }
        Err(e) => e,
    }
}

// ---- X OAuth 1.0a ----

fn oauth_header(h: &HeaderMap) -> Params {
    let v = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    v.trim_start_matches("OAuth ")
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

async fn x_request_token(State(s): State<Arc<MockState>>, h: HeaderMap) -> Response {
    let p = oauth_header(&h);
    if p.get("oauth_consumer_key").map(String::as_str) != Some("cs-test-x-consumer")
        || !p.contains_key("oauth_signature")
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"errors":[{"code":32,"message":"Could not authenticate you."}]})),
        )
            .into_response();
    }
    let cb = p.get("oauth_callback").cloned().unwrap_or_default();
    let t = s.next("rqt-");
    let sec = s.next("rqs-");
    s.request_tokens
        .lock()
        .unwrap()
        .insert(t.clone(), (sec.clone(), cb));
    format!("oauth_token={t}&oauth_token_secret={sec}&oauth_callback_confirmed=true")
        .into_response()
}

async fn x_oauth1_authorize(State(s): State<Arc<MockState>>, Query(q): Query<Params>) -> Response {
    let t = q.get("oauth_token").cloned().unwrap_or_default();
    let Some((_, cb)) = s.request_tokens.lock().unwrap().get(&t).cloned() else {
        return (StatusCode::BAD_REQUEST, "unknown token").into_response();
    };
    if s.deny.load(Ordering::SeqCst) {
        return Redirect::to(&format!("{cb}?denied={t}")).into_response();
    }
    let v = s.next("ver-");
    s.verifiers.lock().unwrap().insert(t.clone(), v.clone());
    Redirect::to(&format!("{cb}?oauth_token={t}&oauth_verifier={v}")).into_response()
}

async fn x_access_token(State(s): State<Arc<MockState>>, h: HeaderMap) -> Response {
    let p = oauth_header(&h);
    let t = p.get("oauth_token").cloned().unwrap_or_default();
    let v = p.get("oauth_verifier").cloned().unwrap_or_default();
    if s.verifiers.lock().unwrap().remove(&t) != Some(v) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"errors":[{"code":89,"message":"Invalid or expired token."}]})),
        )
            .into_response();
    }
    let at = s.next("xat-");
    let sec = s.next("xas-");
    format!(
        "oauth_token={at}&oauth_token_secret={sec}&user_id=2244994945&screen_name=creatorsync_demo"
    )
    .into_response()
}

async fn fallback(uri: axum::http::Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("mock: unexpected request {uri}"),
    )
        .into_response()
}

pub async fn start() -> Mock {
    let state = Arc::new(MockState::default());
    let app = Router::new()
        .route("/i/oauth2/authorize", get(auth_x))
        .route("/o/oauth2/v2/auth", get(auth_yt))
        .route("/oauth/v2/authorization", get(auth_li))
        .route("/v2/auth/authorize/", get(auth_tt))
        .route("/{v}/dialog/oauth", get(auth_fb))
        .route("/2/oauth2/token", post(x_token))
        .route("/2/oauth2/revoke", post(revoke))
        .route("/token", post(google_token))
        .route("/revoke", post(revoke))
        .route("/oauth/v2/accessToken", post(linkedin_token))
        .route("/oauth/v2/revoke", post(revoke))
        .route("/v2/oauth/token/", post(tiktok_token))
        .route("/v2/oauth/revoke/", post(revoke))
        .route("/2/users/me", get(x_me))
        .route("/v2/userinfo", get(li_userinfo))
        .route("/rest/organizationAcls", get(li_acls))
        .route("/rest/organizations/{id}", get(li_org))
        .route("/youtube/v3/channels", get(yt_channels))
        .route("/v2/user/info/", get(tt_user))
        .route("/{v}/oauth/access_token", get(fb_token))
        .route("/{v}/{node}", get(graph_node))
        .route(
            "/{v}/{node}/{edge}",
            get(graph_edge).delete(graph_delete_perms),
        )
        .route("/oauth/request_token", post(x_request_token))
        .route("/oauth/authorize", get(x_oauth1_authorize))
        .route("/oauth/access_token", post(x_access_token))
        .fallback(any(fallback))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Mock {
        state,
        base: format!("http://{addr}"),
    }
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
