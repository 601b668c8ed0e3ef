//! OAuth 1.0a signing rate on one core: full `Authorization` header with a
//! fresh nonce and timestamp for X's status-update request.
//!
//! `cargo bench --bench oauth1` prints one JSON line per case.
//! Peers (same request): oauthlib 6,651/s, Node oauth-1.0a 58,604/s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use creatorsync::auth::{OAuth1Signer, SignInput};
use url::Url;

fn measure(name: &str, mut f: impl FnMut()) {
    // Warm up, then three timed rounds of ~1 s; report the median round.
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(300) {
        f();
    }
    let mut rates = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < Duration::from_secs(1) {
            for _ in 0..1000 {
                f();
            }
            n += 1000;
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[1];
    println!(
        "{{\"bench\":\"oauth1\",\"case\":\"{name}\",\"headers_per_sec\":{median:.0},\"ns_per_header\":{:.1},\"rounds\":[{:.0},{:.0},{:.0}],\"target_per_sec\":590000}}",
        1e9 / median,
        rates[0],
        rates[1],
        rates[2]
    );
}

fn main() {
    let signer = OAuth1Signer::new(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    )
    .with_token(
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    );
    let url = Url::parse("https://api.x.com/1.1/statuses/update.json?include_entities=true")
        .unwrap_or_else(|e| panic!("{e}"));
    let form = [("status", "Hello Ladies + Gentlemen, a signed OAuth request!")];
    let input = SignInput {
        method: "POST",
        url: &url,
        form: &form,
        oauth_extra: &[],
    };

    let mut out = String::with_capacity(512);
    measure("x_status_update_reused_buffer", || {
        out.clear();
        signer.write_authorization(black_box(&input), &mut out);
        black_box(&out);
    });
    measure("x_status_update_new_string", || {
        black_box(signer.authorization(black_box("POST"), black_box(&url), black_box(&form)));
    });
}
