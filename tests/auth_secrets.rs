//! No token, secret, code or verifier ever reaches the logs (TRACE level),
//! errors or Debug output across a full connect, refresh and failure.

mod auth_mock;

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use creatorsync::{Credential, MemoryTokenStore, Platform, TokenStore};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const CB: &str = "http://127.0.0.1:9/callback";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_logged() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let c = mock.connector(store.clone());
    let mut debug_dump = String::new();
    let mut states = Vec::new();

    // Connect TikTok (PKCE) and X via OAuth 1.0a.
    let req = c.begin("alice", Platform::TikTok, CB).await.unwrap();
    states.push(req.state.clone());
    let cb = mock.browse(&req.url).await;
    let accounts = c
        .complete_from_url("alice", Platform::TikTok, &cb)
        .await
        .unwrap();
    let req = c.begin_oauth1("alice", CB).await.unwrap();
    let cb = mock.browse(&req.url).await;
    c.complete_from_url("alice", Platform::X, &cb)
        .await
        .unwrap();

    // Refresh (rotation), then a failing refresh with a body.
    let key = accounts[0].key.clone();
    let mut row = store.get(&key).await.unwrap().unwrap();
    if let Credential::OAuth2 { expires_at, .. } = &mut row.credential {
        *expires_at = Some(Utc::now());
    }
    let v = row.version;
    store.put(&row, Some(v)).await.unwrap();
    let fresh = c.tokens().usable(&key).await.unwrap();
    debug_dump.push_str(&format!("{fresh:?}{c:?}"));
    let mut row = store.get(&key).await.unwrap().unwrap();
    if let Credential::OAuth2 { expires_at, .. } = &mut row.credential {
        *expires_at = Some(Utc::now());
    }
    let v = row.version;
    store.put(&row, Some(v)).await.unwrap();
    mock.state.refresh.lock().unwrap().clear();
    let err = c.tokens().usable(&key).await.unwrap_err();
    debug_dump.push_str(&format!("{err} {err:?}"));
    // A tampered state error too.
    let e = c
        .complete("alice", Platform::TikTok, "code-x", &states[0])
        .await
        .unwrap_err();
    debug_dump.push_str(&format!("{e} {e:?}"));
    for r in store.list("alice").await.unwrap() {
        debug_dump.push_str(&format!("{r:?}"));
        debug_dump.push_str(&serde_json::to_string(&r).unwrap());
    }

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("token refreshed"),
        "tracing captured nothing useful:\n{logs}"
    );
    let mut secrets = mock.state.secrets.lock().unwrap().clone();
    secrets.extend(
        [
            "cs-test-tiktok-secret",
            "cs-test-x-consumer-secret",
            "cs-test-x-secret",
            "test-state-secret-0123456789abcdef",
        ]
        .map(String::from),
    );
    assert!(secrets.len() > 10);
    for s in &secrets {
        assert!(
            !logs.contains(s.as_str()),
            "secret {s} leaked into logs:\n{logs}"
        );
        assert!(
            !debug_dump.contains(s.as_str()),
            "secret {s} leaked into Debug/errors"
        );
    }
}
