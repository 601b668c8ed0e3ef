//! The webhook sink against a loopback receiver: signed bodies, event ids,
//! bounded retries, the SSRF guard, no secret in errors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Utc;
use creatorsync::events::{
    EVENT_ID_HEADER, Event, EventKind, EventSink, SIGNATURE_HEADER, WebhookSink, verify_signature,
};
use creatorsync::{Error, RetryConfig, Secret};

const SECRET: &str = "whsec-loopback-test-0123456789";
const TOLERANCE: Duration = Duration::from_secs(300);

#[derive(Clone, Default)]
struct Receiver {
    /// Status codes to answer, in order; 200 once they run out.
    script: Arc<Mutex<Vec<u16>>>,
    /// (headers, body) of every delivery.
    seen: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.seen.lock().unwrap().push((headers, body));
    let mut script = r.script.lock().unwrap();
    let code = if script.is_empty() {
        200
    } else {
        script.remove(0)
    };
    StatusCode::from_u16(code).unwrap()
}

async fn receiver(script: &[u16]) -> (String, Receiver) {
    let r = Receiver {
        script: Arc::new(Mutex::new(script.to_vec())),
        ..Receiver::default()
    };
    let app = Router::new()
        .route("/hooks", post(receive))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hooks"), r)
}

fn sink(url: &str) -> WebhookSink {
    WebhookSink::builder(url, SECRET)
        .allow_loopback(true)
        .retry(RetryConfig {
            max_retries: 2,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..RetryConfig::default()
        })
        .build()
        .unwrap()
}

fn event() -> Event {
    Event {
        id: "evt_0001".into(),
        kind: EventKind::PostPublished,
        created_at: Utc::now(),
        data: serde_json::json!({"id": "sch_1", "state": "published"}),
    }
}

#[tokio::test]
async fn the_receiver_verifies_the_signature_and_refuses_a_tampered_or_old_one() {
    let (url, r) = receiver(&[]).await;
    sink(&url).deliver(&event()).await.unwrap();
    let seen = r.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (headers, body) = &seen[0];
    assert_eq!(headers[EVENT_ID_HEADER], "evt_0001");
    assert_eq!(headers["content-type"], "application/json");
    let json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(json["type"], "post.published");
    assert_eq!(json["id"], "evt_0001");
    let signature = headers[SIGNATURE_HEADER].to_str().unwrap();
    let secret: Secret<String> = SECRET.into();
    verify_signature(&secret, signature, body, Utc::now(), TOLERANCE).unwrap();

    let tampered = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("published", "failed");
    assert!(
        verify_signature(
            &secret,
            signature,
            tampered.as_bytes(),
            Utc::now(),
            TOLERANCE
        )
        .is_err()
    );
    let later = Utc::now() + chrono::Duration::minutes(10);
    let err = verify_signature(&secret, signature, body, later, TOLERANCE).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    assert!(verify_signature(&"wrong".into(), signature, body, Utc::now(), TOLERANCE).is_err());
}

#[tokio::test]
async fn a_500_then_200_is_retried_once_with_the_same_event_id() {
    let (url, r) = receiver(&[500]).await;
    sink(&url).deliver(&event()).await.unwrap();
    let seen = r.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one retry after the 500");
    assert_eq!(seen[0].0[EVENT_ID_HEADER], seen[1].0[EVENT_ID_HEADER]);
    assert_eq!(seen[0].1, seen[1].1, "the same body");
}

#[tokio::test]
async fn retries_are_bounded_and_a_4xx_is_not_retried_and_no_secret_leaks() {
    let (url, r) = receiver(&[503, 503, 503, 503, 503]).await;
    let s = sink(&url);
    let err = s.deliver(&event()).await.unwrap_err();
    assert_eq!(
        r.seen.lock().unwrap().len(),
        3,
        "first attempt + max_retries"
    );
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    assert!(err.is_retryable(), "the caller delivers again later");
    for shown in [err.to_string(), format!("{err:?}"), format!("{s:?}")] {
        assert!(!shown.contains(SECRET), "{shown}");
    }

    let (url, r) = receiver(&[410]).await;
    let err = sink(&url).deliver(&event()).await.unwrap_err();
    assert_eq!(r.seen.lock().unwrap().len(), 1);
    assert!(err.to_string().contains("HTTP 410"), "{err}");
}

#[tokio::test]
async fn a_loopback_url_is_refused_unless_allowed() {
    let (url, r) = receiver(&[]).await;
    let guarded = WebhookSink::builder(&url, SECRET).build().unwrap();
    let err = guarded.deliver(&event()).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "webhook_url"),
        "{err}"
    );
    assert!(r.seen.lock().unwrap().is_empty(), "nothing was sent");
}
