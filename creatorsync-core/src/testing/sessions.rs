//! [`UploadSessions`] cases: round trip, replace, remove, isolation by key.

use serde_json::json;

use crate::upload::UploadSessions;

/// A saved session reads back exactly; a missing key reads `None`.
pub async fn sessions_round_trip(store: &dyn UploadSessions) {
    assert_eq!(
        store.load("srt:missing").await.expect("load missing"),
        None,
        "a missing session reads None"
    );
    let session = json!({
        "uri": "https://upload.example/session?upload_id=s3cr3t&x=/a%2F",
        "total": 10_485_760u64,
        "acked": [0, 1, 2],
        "etags": {"1": "\"e1\"", "2": "Créator \u{1F3AC}"},
    });
    store
        .save("srt:job:youtube:0", &session)
        .await
        .expect("save");
    assert_eq!(
        store.load("srt:job:youtube:0").await.expect("load"),
        Some(session),
        "round trip"
    );
}

/// A second save replaces the first.
pub async fn sessions_replace(store: &dyn UploadSessions) {
    store
        .save("srp:k", &json!({"segment": 1}))
        .await
        .expect("first save");
    store
        .save("srp:k", &json!({"segment": 2, "media_id": "m"}))
        .await
        .expect("second save");
    assert_eq!(
        store.load("srp:k").await.expect("load"),
        Some(json!({"segment": 2, "media_id": "m"})),
        "the second save replaces the first"
    );
}

/// `remove` forgets a session; removing a missing one succeeds.
pub async fn sessions_remove(store: &dyn UploadSessions) {
    store.save("srm:k", &json!({"a": 1})).await.expect("save");
    store.remove("srm:k").await.expect("remove");
    assert_eq!(store.load("srm:k").await.expect("load"), None, "removed");
    store
        .remove("srm:k")
        .await
        .expect("removing a missing session succeeds");
}

/// Sessions under different keys (one a prefix of the other, one with a
/// separator in it) never see each other.
pub async fn sessions_isolation(store: &dyn UploadSessions) {
    let keys = ["si:a", "si:a:b", "si:a/b", "si:a%2Fb", "si:A"];
    for (i, k) in keys.iter().enumerate() {
        store.save(k, &json!({"n": i})).await.expect("save");
    }
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(
            store.load(k).await.expect("load"),
            Some(json!({"n": i})),
            "session {k} kept its own value"
        );
    }
    store.remove("si:a").await.expect("remove");
    assert_eq!(store.load("si:a").await.expect("load"), None);
    assert_eq!(
        store.load("si:a:b").await.expect("load"),
        Some(json!({"n": 1})),
        "removing one key leaves a key it prefixes"
    );
}
