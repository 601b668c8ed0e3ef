//! What the commands print: the core's contract views, as one JSON
//! document (`--json`) or as aligned text tables. Both come from the same
//! view values, so text and JSON never disagree.

use std::io::Write;

use creatorsync_core::contract::metrics::MetricsResultView;
use creatorsync_core::contract::views::{AccountView, HealthView, ReportView, StatusView};
use creatorsync_core::quota::QuotaUsage;
use creatorsync_core::schedule::{BulkReport, Health, ScheduledPost};
use serde_json::Value;

/// Prints one JSON document on stdout.
pub(crate) fn json(v: &Value) {
    let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    line(&text);
}

/// Prints one line on stdout (a closed pipe is not an error worth a
/// panic: the line is dropped).
pub(crate) fn line(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{s}");
}

/// Prints `rows` under `header`, columns padded to their widest cell.
fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let render = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s.trim_end().to_owned()
    };
    line(&render(header.iter().map(|h| (*h).to_owned()).collect()));
    for row in rows {
        line(&render(row.clone()));
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

fn name(a: &AccountView) -> String {
    a.profile
        .handle
        .clone()
        .or_else(|| a.profile.display_name.clone())
        .unwrap_or_default()
}

/// Accounts as a table.
pub(crate) fn accounts(all: &[AccountView]) {
    if all.is_empty() {
        line("no connected accounts (run `creatorsync connect <platform>`)");
        return;
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|a| {
            vec![
                a.key.platform.clone(),
                a.key.account_id.clone(),
                name(a),
                opt(a.profile.kind.clone()),
                opt(a.expires_at.map(|t| t.to_rfc3339())),
                yes(a.needs_reauth),
            ]
        })
        .collect();
    table(
        &["PLATFORM", "ACCOUNT", "NAME", "KIND", "EXPIRES", "REAUTH"],
        &rows,
    );
}

/// Statuses as a table.
pub(crate) fn status(all: &[StatusView]) {
    if all.is_empty() {
        line("no connected accounts (run `creatorsync connect <platform>`)");
        return;
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|s| {
            vec![
                s.account.key.platform.clone(),
                s.account.key.account_id.clone(),
                yes(s.connected),
                opt(s.expires_at.map(|t| t.to_rfc3339())),
                yes(s.can_refresh),
                yes(s.needs_reauth),
                if s.missing_scopes.is_empty() {
                    "-".into()
                } else {
                    s.missing_scopes.join(" ")
                },
            ]
        })
        .collect();
    table(
        &[
            "PLATFORM",
            "ACCOUNT",
            "CONNECTED",
            "EXPIRES",
            "REFRESHABLE",
            "REAUTH",
            "MISSING SCOPES",
        ],
        &rows,
    );
}

/// Health checks as a table.
pub(crate) fn health(all: &[HealthView]) {
    if all.is_empty() {
        line("no connected accounts (run `creatorsync connect <platform>`)");
        return;
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|h| {
            vec![
                h.key.platform.clone(),
                h.key.account_id.clone(),
                yes(h.healthy),
                opt(h
                    .error
                    .as_ref()
                    .map(|e| format!("{}: {}", e.code, e.message))),
            ]
        })
        .collect();
    table(&["PLATFORM", "ACCOUNT", "HEALTHY", "ERROR"], &rows);
}

/// Quota use as a table.
pub(crate) fn quota(all: &[QuotaUsage]) {
    if all.is_empty() {
        line("no quotas (no connected accounts)");
        return;
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|q| {
            vec![
                q.platform.as_str().to_owned(),
                q.bucket.clone(),
                opt(q.account_id.clone()),
                q.used.to_string(),
                opt(q.limit),
                opt(q.remaining),
                q.window.clone(),
                opt(q.resets_at.map(|t| t.to_rfc3339())),
            ]
        })
        .collect();
    table(
        &[
            "PLATFORM",
            "QUOTA",
            "ACCOUNT",
            "USED",
            "LIMIT",
            "REMAINING",
            "WINDOW",
            "RESETS",
        ],
        &rows,
    );
}

/// A publish report as a table.
pub(crate) fn report(r: &ReportView) {
    let rows: Vec<Vec<String>> = r
        .results
        .iter()
        .map(|t| {
            let outcome = match (&t.url, &t.error) {
                (Some(url), _) => url.clone(),
                (None, Some(e)) => format!("{}: {}", e.code, e.message),
                (None, None) => "-".into(),
            };
            vec![
                t.platform.clone(),
                t.account_id.clone(),
                if t.ok {
                    if t.reused {
                        "published (earlier)"
                    } else {
                        "published"
                    }
                } else {
                    "failed"
                }
                .to_owned(),
                outcome,
            ]
        })
        .collect();
    table(&["PLATFORM", "ACCOUNT", "RESULT", "URL / ERROR"], &rows);
    line(&format!(
        "{} of {} published in {:.2}s; idempotency key {}",
        r.results.iter().filter(|t| t.ok).count(),
        r.results.len(),
        r.elapsed_ms / 1000.0,
        r.idempotency_key
    ));
}

/// `stats`: one row per post, `-` where the platform does not report a
/// metric (never 0), the error where the post could not be read.
pub(crate) fn metrics(all: &[MetricsResultView]) {
    if all.is_empty() {
        line("no posts: name some (`stats x:1234`) or read one once to track it");
        return;
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|r| {
            let mut row = vec![
                r.platform.clone(),
                opt(r
                    .metrics
                    .as_ref()
                    .map(|m| m.account_id.clone())
                    .or(r.account_id.clone())),
                r.post_id.clone(),
            ];
            match (&r.metrics, &r.error) {
                (Some(m), _) => {
                    row.extend(
                        [
                            m.views,
                            m.reach,
                            m.likes,
                            m.comments,
                            m.shares,
                            m.saves,
                            m.clicks,
                            m.watch_time_secs,
                        ]
                        .into_iter()
                        .map(opt),
                    );
                    row.push(String::new());
                }
                (None, e) => {
                    row.extend(std::iter::repeat_n(String::new(), 8));
                    row.push(
                        e.as_ref()
                            .map_or_else(String::new, |e| format!("{}: {}", e.code, e.message)),
                    );
                }
            }
            row
        })
        .collect();
    table(
        &[
            "PLATFORM", "ACCOUNT", "POST", "VIEWS", "REACH", "LIKES", "COMMENTS", "SHARES",
            "SAVES", "CLICKS", "WATCH_S", "ERROR",
        ],
        &rows,
    );
}

/// A probe view as a two-column table, in the view's field order.
pub(crate) fn probe(view: &Value) {
    const FIELDS: [&str; 16] = [
        "format",
        "mime",
        "bytes",
        "width",
        "height",
        "aspect_ratio",
        "rotation",
        "duration_secs",
        "frame_rate",
        "video_codec",
        "audio_codec",
        "bitrate",
        "faststart",
        "moov",
        "mdat",
        "frames",
    ];
    let cell = |v: &Value| match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => yes(*b),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.fract() != 0.0)
            .map_or_else(|| n.to_string(), |f| format!("{f:.3}")),
        Value::Object(o) => format!(
            "offset {}, size {}",
            o.get("offset").unwrap_or(&Value::Null),
            o.get("size").unwrap_or(&Value::Null)
        ),
        Value::Array(_) => v.to_string(),
    };
    let rows: Vec<Vec<String>> = FIELDS
        .iter()
        .map(|f| vec![(*f).to_owned(), cell(view.get(*f).unwrap_or(&Value::Null))])
        .collect();
    table(&["field", "value"], &rows);
}

/// Scheduled posts as a table.
pub(crate) fn scheduled(all: &[ScheduledPost]) {
    if all.is_empty() {
        line("no scheduled posts");
        return;
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|p| {
            let mut text: String = p.text.chars().take(40).collect();
            if p.text.chars().count() > 40 {
                text.push('…');
            }
            let results: Vec<String> = p
                .results
                .iter()
                .map(|r| match (&r.url, &r.error) {
                    (Some(u), _) => format!("{}: {u}", r.platform),
                    (None, Some(e)) => format!("{}: {}", r.platform, e.code),
                    _ => r.platform.to_string(),
                })
                .collect();
            vec![
                p.id.to_string(),
                p.state.as_str().to_owned(),
                p.due_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                opt(p.zone.clone()),
                text,
                results.join(", "),
            ]
        })
        .collect();
    table(&["ID", "STATE", "DUE", "ZONE", "TEXT", "RESULTS"], &rows);
}

/// The rows of an import that were not scheduled.
pub(crate) fn import(r: &BulkReport) {
    line(&format!(
        "{} of {} rows scheduled",
        r.scheduled,
        r.items.len()
    ));
    for i in &r.items {
        if let Some(e) = &i.error {
            line(&format!("  row {}: {} {}", i.index + 1, e.code, e.message));
        }
    }
}

/// The scheduler's health view.
pub(crate) fn health_of_jobs(h: &Health) {
    table(
        &[
            "WORKERS",
            "DUE",
            "RUNNING",
            "LATE",
            "OLDEST LATENESS",
            "UPCOMING",
        ],
        &[vec![
            h.workers_alive.to_string(),
            h.due.to_string(),
            h.running.to_string(),
            h.late.to_string(),
            format!("{} ms", h.oldest_lateness_ms),
            h.upcoming.to_string(),
        ]],
    );
}
