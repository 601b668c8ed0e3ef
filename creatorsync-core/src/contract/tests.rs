//! The contract's checks, and the committed schema's freshness.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;
use crate::{Platform, Target};

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn field_of(v: Value) -> String {
    match ClientOptions::from_json(v.clone()) {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("{v}: expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn both_spellings_give_one_options_value() {
    let camel = ClientOptions::from_json(json!({
        "apps": {"x": {"clientId": "id", "clientSecret": "s", "consumerKey": "k", "consumerSecret": "cs"},
                 "instagramLogin": {"clientId": "ig"}},
        "stateSecret": SECRET,
        "sqlite": {"path": "/tmp/x.db", "keys": [{"id": "k2", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
                                         {"id": "k1", "key": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}]},
        "storeTimeoutMs": 1500,
        "concurrency": {"perPublish": 2, "global": 4},
        "leaseTtlMs": 1000,
    }))
    .unwrap();
    let snake = ClientOptions::from_json(json!({
        "apps": {"x": {"client_id": "id", "client_secret": "s", "consumer_key": "k", "consumer_secret": "cs"},
                 "instagram_login": {"client_id": "ig"}},
        "state_secret": SECRET,
        "sqlite": {"path": "/tmp/x.db", "keys": [{"id": "k2", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
                                         {"id": "k1", "key": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}]},
        "store_timeout_ms": 1500.0,
        "concurrency": {"per_publish": 2, "global": 4},
        "lease_ttl_ms": 1000,
    }))
    .unwrap();
    assert_eq!(format!("{camel:?}"), format!("{snake:?}"));
    let ring = snake.sqlite.as_ref().unwrap().key_ring().unwrap();
    assert_eq!(ring.active_key_id(), "k2");
    assert!(ring.has_key("k1"));
    assert_eq!(snake.store_timeout().unwrap().as_millis(), 1500);
    let apps = snake.apps.unwrap().to_apps().unwrap();
    assert!(apps.connects_with_instagram_login());
    assert!(apps.x_consumer().is_ok());
    // No secret in Debug.
    let dbg = format!("{camel:?}");
    for s in [SECRET, "AAAAAAAA", "\"cs\""] {
        assert!(!dbg.contains(s), "{dbg}");
    }
}

#[test]
fn bad_options_are_invalid_input_naming_the_option() {
    let base = |extra: Value| {
        let mut v = json!({"stateSecret": SECRET, "store": "memory"});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    assert!(
        ClientOptions::from_json(base(json!({"colour": 1})))
            .unwrap_err()
            .to_string()
            .contains("colour")
    );
    let cases = [
        (base(json!({"colour": 1})), "colour"),
        (json!({"store": "memory"}), "options"),
        (
            json!({"stateSecret": "short", "store": "memory"}),
            "state_secret",
        ),
        (
            base(json!({"apps": {"x": {"clientSecret": "s"}}})),
            "apps.x",
        ),
        (
            base(json!({"apps": {"myspace": {"clientId": "a"}}})),
            "apps.myspace",
        ),
        (
            base(
                json!({"apps": {"linkedin": {"clientId": "a", "consumerKey": "k", "consumerSecret": "s"}}}),
            ),
            "apps.linkedin.consumer_key",
        ),
        (
            base(json!({"endpoints": {"myspace": {}}})),
            "endpoints.myspace",
        ),
        (
            base(json!({"endpoints": {"x": {"auth": "nope"}}})),
            "endpoints.x",
        ),
        (
            json!({"stateSecret": SECRET, "store": "memory", "sqlite": {"path": "a"}}),
            "store",
        ),
        (
            json!({"stateSecret": SECRET, "sqlite": {"path": "a", "kee": "b"}}),
            "sqlite.kee",
        ),
        (
            json!({"stateSecret": SECRET, "postgres": {"url": "postgres://h/d", "maxConnections": 0}}),
            "postgres.max_connections",
        ),
        (
            json!({"stateSecret": SECRET, "postgres": {"url": "postgres://h/d", "maxConnections": 10001}}),
            "postgres.max_connections",
        ),
        (
            json!({"stateSecret": SECRET, "postgres": {"url": "postgres://h/d", "acquireTimeoutMs": -1}}),
            "postgres.acquire_timeout_ms",
        ),
        (base(json!({"storeTimeoutMs": 0})), "store_timeout_ms"),
        (
            base(json!({"concurrency": {"perPublish": 0}})),
            "concurrency.per_publish",
        ),
        (
            base(json!({"concurrency": {"global": 1u64 << 40}})),
            "concurrency.global",
        ),
        (base(json!({"leaseTtlMs": 5})), "lease_ttl_ms"),
        (
            base(json!({"apiVersions": {"myspace": "1"}})),
            "api_versions.myspace",
        ),
        (base(json!({"store": "redis"})), "store"),
        (
            base(
                json!({"mediaHost": {"dir": "/definitely/not/here", "publicBaseUrl": "http://127.0.0.1:9/"}}),
            ),
            "media_host.dir",
        ),
    ];
    let wrong: Vec<String> = cases
        .into_iter()
        .filter_map(|(v, want)| {
            let got = field_of(v.clone());
            (got != want).then(|| format!("{v}: {got} (want {want})"))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn key_errors_never_quote_the_key() {
    let opts = ClientOptions::from_json(json!({"stateSecret": SECRET, "sqlite": {"path": "/tmp/none.db", "key": "c2VjcmV0LWJ1dC10b28tc2hvcnQ="}})).unwrap();
    let e = opts.builder(None).await.unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { field, .. } if field.starts_with("sqlite")),
        "{e:?}"
    );
    assert!(!e.to_string().contains("c2VjcmV0"), "{e}");
}

#[tokio::test]
async fn the_emulator_line_passes_as_endpoints_and_a_store_object_excludes_store_options() {
    let mut line = serde_json::to_value(crate::EndpointSet::production()).unwrap();
    line["control"] = json!("http://127.0.0.1:1/");
    line["apps"] = json!({"x": {"client_id": "a", "client_secret": "b"}});
    let opts = ClientOptions::from_json(
        json!({"apps": "emulator", "endpoints": line, "stateSecret": SECRET, "store": "memory"}),
    )
    .unwrap();
    assert!(opts.build(None).await.is_ok());
    let given: GivenStore = std::sync::Arc::new(crate::MemoryKeyValueStore::new());
    let e = opts.builder(Some(given.clone())).await.unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput { ref field, .. } if field == "store"),
        "{e:?}"
    );
    let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let opts = ClientOptions::from_json(json!({"stateSecret": SECRET, "storeKeys": {"key": key}}))
        .unwrap();
    assert!(opts.build(Some(given.clone())).await.is_ok());
    // Keys for a store object, without one: refused.
    let e = opts.build(None).await.unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput { ref field, .. } if field == "store_keys"),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_media_host_directory_is_wired() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ClientOptions::from_json(json!({
        "stateSecret": SECRET, "store": "memory",
        "mediaHost": {"dir": dir.path().to_str().unwrap(), "publicBaseUrl": "http://127.0.0.1:9/media/"},
    }))
    .unwrap();
    assert!(opts.media_host.as_ref().unwrap().to_host().is_ok());
    let e = ClientOptions::from_json(json!({
        "stateSecret": SECRET, "store": "memory",
        "mediaHost": {"dir": dir.path().to_str().unwrap(), "publicBaseUrl": "ftp://h/"},
    }))
    .unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput { ref field, .. } if field == "media_host.public_base_url"),
        "{e:?}"
    );
    #[cfg(not(feature = "object-store-cloud"))]
    {
        let s3 = ClientOptions::from_json(
            json!({"stateSecret": SECRET, "store": "memory", "mediaHost": {"url": "s3://bucket/prefix"}}),
        );
        assert!(matches!(s3.unwrap_err(), Error::Config(_)));
    }
}

#[test]
fn per_platform_texts_are_read_and_unknown_platforms_refused() {
    let spec = PostSpec::from_json(
        json!({"text": "long", "texts": {"x": "short", "linkedin": "pro"}}),
        BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(spec.text_for(crate::Platform::X), "short");
    assert_eq!(spec.text_for(crate::Platform::LinkedIn), "pro");
    assert_eq!(spec.text_for(crate::Platform::Facebook), "long");
    let absent = PostSpec::from_json(json!({"text": "t"}), BTreeMap::new()).unwrap();
    assert_eq!(absent.text_for(crate::Platform::X), "t");
    let err = PostSpec::from_json(
        json!({"text": "t", "texts": {"myspace": "x"}}),
        BTreeMap::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("texts.myspace"), "{err}");
}

#[test]
fn the_current_post_shape_takes_bytes_from_the_binding() {
    let bytes = BTreeMap::from([(
        1,
        crate::BytesSource::new(bytes::Bytes::from_static(b"\x89PNG"), Some("a.png".into())),
    )]);
    let spec = PostSpec::from_json(
        json!({"text": "hi", "media": [{"path": "/tmp/a.mp4", "altText": "a"}, {"name": "a.png"}],
               "options": {"tiktok": {"privacyLevel": "SELF_ONLY"}}}),
        bytes,
    )
    .unwrap();
    assert_eq!(spec.text(), "hi");
    assert_eq!(
        spec.options().tiktok.privacy_level,
        Some(crate::TikTokPrivacy::SelfOnly)
    );
    for (body, field) in [
        (json!({"text": "x", "media": [{}]}), "media[0]"),
        (
            json!({"text": "x", "media": [{"path": "a", "url": "b"}]}),
            "media[0]",
        ),
        (
            json!({"text": "x", "options": {"youtube": {"titel": "t"}}}),
            "youtube.titel",
        ),
        (json!({"text": "x", "colour": 1}), "colour"),
        (json!("x"), "post"),
    ] {
        let e = PostSpec::from_json(body.clone(), BTreeMap::new()).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{body}: {e:?}");
        assert!(e.to_string().contains(field), "{body}: {e}");
    }
    let _ = (Platform::X, Target::Platform(Platform::X));
}

#[test]
fn views_are_the_core_types_nested() {
    let key = crate::AccountKey::new("u", Platform::Facebook, "1001").unwrap();
    let account = crate::Account {
        key: key.clone(),
        profile: crate::Profile {
            platform_user_id: "p".into(),
            handle: None,
            display_name: Some("Page".into()),
            kind: Some("page".into()),
        },
        expires_at: None,
        needs_reauth: false,
    };
    let v = views::accounts_json(&[account]);
    assert_eq!(
        v[0]["key"],
        json!({"user_id": "u", "platform": "facebook", "account_id": "1001"})
    );
    assert_eq!(v[0]["profile"]["display_name"], "Page");
    let report = crate::PublishReport {
        warnings: Vec::new(),
        idempotency_key: "k".into(),
        results: vec![crate::TargetResult {
            account: key,
            outcome: Err(Error::invalid_input("text", "too long")),
            elapsed: std::time::Duration::from_millis(5),
            reused: false,
            scheduled_for: None,
            parts: Vec::new(),
            comment: None,
            draft: None,
        }],
        elapsed: std::time::Duration::from_millis(7),
    };
    let v = camel_keys(views::report_json(&report));
    assert_eq!(v["results"][0]["accountId"], "1001");
    assert_eq!(v["results"][0]["error"]["code"], "INVALID_INPUT");
    assert_eq!(v["allOk"], false);
    assert_eq!(v["legacy"]["facebook"]["postId"], Value::Null);
    assert!(v["legacy"]["facebook"].get("post_id").is_none());
}

/// `docs/contract.schema.json` is generated from these types; a stale
/// committed copy fails here (and is rewritten: commit the new one).
#[test]
fn committed_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/contract.schema.json");
    let fresh = serde_json::to_string_pretty(&schema::contract_schema()).unwrap() + "\n";
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        std::fs::write(&path, &fresh).unwrap();
        panic!(
            "{} was stale and has been rewritten: review and commit it",
            path.display()
        );
    }
}

#[tokio::test]
async fn quota_limits_name_a_platform_and_one_of_its_quotas() {
    let build = |limits: Value| async move {
        ClientOptions::from_json(
            json!({"stateSecret": SECRET, "store": "memory", "quotaLimits": limits}),
        )?
        .build(None)
        .await
    };
    assert!(build(json!({"youtube": {"uploads": 500}})).await.is_ok());
    for (limits, field) in [
        (json!({"youtub": {"uploads": 1}}), "quota_limits.youtub"),
        (
            json!({"youtube": {"upload": 1}}),
            "quota_limits.youtube.upload",
        ),
    ] {
        match build(limits).await {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {:?}", other.map(|_| ())),
        }
    }
}

#[tokio::test]
async fn links_and_mentions_are_read_with_their_keys_kept() {
    let spec = PostSpec::from_json(
        json!({"text": "Hi @{adaL}", "mentionFallback": true,
               "mentions": {"adaL": {"name": "Ada", "ids": {"x": "ada", "linkedin": "urn:li:person:1"}}},
               "link": {"url": "https://example.com/a", "title": "A", "allowLoopback": true}}),
        BTreeMap::new(),
    )
    .unwrap();
    let post = spec.build().await.unwrap();
    assert!(post.mention_fallback);
    assert_eq!(post.mentions["adaL"].ids[&crate::Platform::X], "ada");
    assert_eq!(
        post.rendered_text(crate::Platform::X).unwrap(),
        "Hi @ada\n\nhttps://example.com/a"
    );
    let link = post.link.unwrap();
    assert_eq!(
        (link.title.as_deref(), link.allow_loopback),
        (Some("A"), true)
    );
    for (bad, field) in [
        (
            json!({"mentions": {"a": {"name": "A", "ids": {"myspace": "a"}}}}),
            "mentions.a.ids.myspace",
        ),
        (
            json!({"link": {"url": "https://e.com", "titel": "x"}}),
            "titel",
        ),
        (json!({"mentions": {"a": {"ids": {}}}}), "name"),
    ] {
        let err = PostSpec::from_json(bad, BTreeMap::new()).unwrap_err();
        assert!(err.to_string().contains(field), "{err}");
    }
}
