//! Overhead of `TokenManager::usable` for a cached, valid token in a
//! `MemoryTokenStore` holding 10,000 accounts (target < 5 µs), next to the
//! bare store read. `cargo bench --bench token_lookup`, one JSON line per case.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use creatorsync::auth::{Apps, TokenManager};
use creatorsync::{
    AccountKey, Credential, EndpointSet, HttpClient, MemoryTokenStore, Platform, Profile, Secret,
    StoredToken, TokenStore,
};

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(async {
        let store = Arc::new(MemoryTokenStore::new());
        let mut keys = Vec::new();
        for i in 0..10_000 {
            let key = AccountKey::new(format!("user-{i}"), Platform::TikTok, format!("open-{i}"))
                .unwrap_or_else(|e| panic!("{e}"));
            let cred = Credential::OAuth2 {
                access: Secret::new(format!("act.{i}")),
                refresh: Some(Secret::new(format!("rft.{i}"))),
                expires_at: Some(Utc::now() + chrono::Duration::hours(2)),
                refresh_expires_at: None,
                scopes: vec!["video.publish".into()],
                user_token: None,
            };
            let row = StoredToken::new(key.clone(), cred, Profile::default());
            store.put(&row, None).await.unwrap_or_else(|e| panic!("{e}"));
            keys.push(key);
        }
        let dyn_store: Arc<dyn TokenStore> = store.clone();
        let tm = TokenManager::new(
            Apps::emulator_defaults(),
            dyn_store,
            EndpointSet::production(),
            HttpClient::default(),
        );
        let key = keys[4_321].clone();
        for (case, use_tm) in [("memory_store_get", false), ("token_manager_usable", true)] {
            let mut rounds = Vec::new();
            for _ in 0..3 {
                let n = 200_000u32;
                let start = Instant::now();
                for _ in 0..n {
                    if use_tm {
                        black_box(tm.usable(black_box(&key)).await.ok());
                    } else {
                        black_box(store.get(black_box(&key)).await.ok());
                    }
                }
                rounds.push(start.elapsed() / n);
            }
            rounds.sort();
            let median: Duration = rounds[1];
            println!(
                "{{\"bench\":\"token_lookup\",\"case\":\"{case}\",\"ns_per_lookup\":{},\"rounds_ns\":[{},{},{}],\"accounts\":10000,\"target_ns\":5000}}",
                median.as_nanos(),
                rounds[0].as_nanos(),
                rounds[1].as_nanos(),
                rounds[2].as_nanos()
            );
        }
    });
}
