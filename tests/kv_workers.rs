//! Two clients (two workers) on one host key-value store, wired by
//! `CreatorSyncBuilder::key_value_store` alone: a connect begun on one
//! completes on the other, a publish retried on the other with the same
//! idempotency key posts nothing more, and the key-value store never holds
//! a token in clear.

use std::sync::Arc;

use creatorsync::auth::Apps;
use creatorsync::{
    CreatorSync, KeyRing, KeyValueStore, MemoryKeyValueStore, Platform, Post, TokenStore,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, RunningEmulator};

async fn worker(emu: &RunningEmulator, kv: Arc<dyn KeyValueStore>) -> CreatorSync {
    CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(emu.endpoints().clone())
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .key_value_store(kv, Some(KeyRing::new("k1", &[8u8; 32]).unwrap()))
        .build()
        .await
        .expect("worker")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_key_value_store_connect_and_post_once() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let kv: Arc<dyn KeyValueStore> = Arc::new(MemoryKeyValueStore::new());
    let (a, b) = (
        worker(&emu, kv.clone()).await,
        worker(&emu, kv.clone()).await,
    );

    let req = a
        .connector()
        .begin("u1", Platform::X, "http://127.0.0.1:9/callback")
        .await
        .unwrap();
    let callback = emu.approve(req.url.as_str()).await.unwrap();
    let accounts = b
        .connector()
        .complete_from_url("u1", Platform::X, &callback)
        .await
        .expect("the callback completes on the other worker");
    assert_eq!(accounts.len(), 1);

    let post = Post::text("posted once from two workers");
    let first = a
        .publish("u1", &post)
        .idempotency_key("kv-req-1")
        .await
        .unwrap();
    let (_, published) = first.published().next().expect("published by a");
    let again = b
        .publish("u1", &post)
        .idempotency_key("kv-req-1")
        .await
        .unwrap();
    let (_, same) = again.published().next().expect("reported by b");
    assert_eq!(same.post_id, published.post_id, "the same post");
    assert_eq!(
        emu.record()
            .posts_with_text(Platform::X, "posted once from two workers")
            .len(),
        1,
        "one post"
    );

    let token = b.tokens().store().list("u1").await.unwrap();
    assert_eq!(token.len(), 1);
    let access = match &token[0].credential {
        creatorsync::Credential::OAuth2 { access, .. } => access.expose().clone(),
        creatorsync::Credential::OAuth1 { token, .. } => token.expose().clone(),
    };
    for (key, v) in kv.list("").await.unwrap() {
        assert!(!v.value.contains(&access), "a token in clear under {key}");
    }
}
