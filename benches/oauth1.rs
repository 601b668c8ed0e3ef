//! OAuth 1.0a signing rate on one core: full `Authorization` header with a
//! fresh nonce and timestamp for X's status-update request.
//!
//! `cargo bench --bench oauth1` prints one JSON line per case.
//! Peers (same request): oauthlib 6,651/s, Node oauth-1.0a 58,604/s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use creatorsync::auth::{OAuth1Signer, SignInput};
use url::Url;

/// Nanoseconds this thread has spent on a CPU (Linux schedstat), so the
/// per-core rate is right even when other processes share the cores.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn measure(name: &str, mut f: impl FnMut()) {
    // Warm up, then three timed rounds of ~1 s; report the median round,
    // per wall-clock second and per CPU second of this (single) thread.
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(300) {
        f();
    }
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let cpu0 = thread_cpu_ns();
        let mut n = 0u64;
        while start.elapsed() < Duration::from_secs(1) {
            for _ in 0..1000 {
                f();
            }
            n += 1000;
        }
        wall.push(n as f64 / start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
            cpu.push(n as f64 / ((b - a) as f64 / 1e9));
        }
    }
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let per_cpu = cpu.get(1).copied().unwrap_or(f64::NAN);
    println!(
        "{{\"bench\":\"oauth1\",\"case\":\"{name}\",\"headers_per_cpu_sec\":{per_cpu:.0},\"ns_per_header_cpu\":{:.1},\"headers_per_wall_sec\":{:.0},\"wall_rounds\":[{:.0},{:.0},{:.0}],\"target_per_sec\":590000}}",
        1e9 / per_cpu,
        wall[1],
        wall[0],
        wall[1],
        wall[2]
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
    let form = [(
        "status",
        "Hello Ladies + Gentlemen, a signed OAuth request!",
    )];
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
