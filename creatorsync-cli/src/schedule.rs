//! `schedule`, `jobs`, `cancel`, `worker`: the core's scheduler on the
//! command line. Times are read here (`--at` with `--tz`, or an instant);
//! everything else (targets, options, checks, states) is the core's.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use creatorsync_core::schedule::{
    BulkItem, BulkMode, BulkReport, ListQuery, ScheduleAt, ScheduleId, ScheduledPost, Scheduler,
};
use creatorsync_core::{CreatorSync, Error, Platform, Result};
use serde::Deserialize;

use crate::cli::ScheduleArgs;
use crate::post;

/// `--at` (and `--tz`): an instant with an offset, or a local time in the
/// zone.
pub(crate) fn at(at: &str, tz: Option<&str>) -> Result<ScheduleAt> {
    if let Ok(t) = DateTime::parse_from_rfc3339(at) {
        if tz.is_some() {
            return Err(Error::invalid_input(
                "--tz",
                "the time already has an offset; drop --tz or the offset",
            ));
        }
        return Ok(ScheduleAt::Instant(t.with_timezone(&Utc)));
    }
    let local = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(at, f).ok())
        .ok_or_else(|| {
            Error::invalid_input(
                "--at",
                format!("{at:?} is not a time like 2026-12-24T09:00 or 2026-12-24T08:00:00Z"),
            )
        })?;
    let zone = tz.ok_or_else(|| {
        Error::invalid_input(
            "--tz",
            "a local --at needs a time zone (--tz Europe/Berlin)",
        )
    })?;
    ScheduleAt::local(local, zone)
}

/// One row of an import file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    text: String,
    at: String,
    #[serde(default)]
    tz: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    key: Option<String>,
}

/// The rows of a CSV (header line naming the columns) or JSON file.
fn rows(path: &Path) -> Result<Vec<Row>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::invalid_input(
            "--from",
            format!("cannot read {}: {}", path.display(), e.kind()),
        )
    })?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('[');
    if is_json {
        return serde_json::from_str(&text)
            .map_err(|e| Error::invalid_input("--from", format!("not a JSON array of rows: {e}")));
    }
    let mut records = csv(&text)?.into_iter();
    let header = records
        .next()
        .ok_or_else(|| Error::invalid_input("--from", "the CSV file is empty"))?;
    records
        .enumerate()
        .filter(|(_, r)| !(r.len() == 1 && r[0].is_empty()))
        .map(|(i, r)| {
            let mut obj = serde_json::Map::new();
            for (name, value) in header.iter().zip(r) {
                if !value.is_empty() {
                    obj.insert(name.trim().to_owned(), value.into());
                }
            }
            serde_json::from_value(obj.into())
                .map_err(|e| Error::invalid_input(format!("--from line {}", i + 2), e.to_string()))
        })
        .collect()
}

/// RFC 4180 CSV: commas, double-quoted fields with `""` for a quote and
/// line breaks inside quotes. One pass, no recursion.
fn csv(text: &str) -> Result<Vec<Vec<String>>> {
    let (mut out, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(Error::invalid_input(
            "--from",
            "a quoted CSV field is not closed",
        ));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        out.push(row);
    }
    Ok(out)
}

fn platforms(names: &[String]) -> Result<Vec<Platform>> {
    names
        .iter()
        .map(|n| {
            n.parse::<Platform>()
                .map_err(|_| Error::invalid_input("--native", format!("unknown platform {n:?}")))
        })
        .collect()
}

/// What `schedule` did.
pub(crate) enum Scheduled {
    /// One post.
    One(ScheduleId),
    /// An import.
    Many(BulkReport),
}

impl Scheduled {
    pub(crate) fn ids(&self) -> Vec<ScheduleId> {
        match self {
            Scheduled::One(id) => vec![id.clone()],
            Scheduled::Many(r) => r.items.iter().filter_map(|i| i.id.clone()).collect(),
        }
    }
}

/// `schedule`: one post, or every row of `--from`.
pub(crate) async fn schedule(
    sync: &CreatorSync,
    user: &str,
    a: &ScheduleArgs,
) -> Result<Scheduled> {
    let s = sync.scheduler();
    let native = platforms(&a.native)?;
    if let Some(path) = &a.from {
        if a.text.is_some() || a.at.is_some() {
            return Err(Error::invalid_input(
                "--from",
                "give either a post or --from, not both",
            ));
        }
        let mut items = Vec::new();
        for row in rows(path)? {
            let mut item = BulkItem::new(
                user,
                post::spec_of(&row.text, &[], &[])?.build().await?,
                at(&row.at, row.tz.as_deref())?,
            )
            .targets(post::targets(row.to.as_deref().unwrap_or(&a.to))?);
            if let Some(k) = row.key {
                item = item.idempotency_key(k);
            }
            item.native.clone_from(&native);
            items.push(item);
        }
        let mode = if a.valid_only {
            BulkMode::ValidOnly
        } else {
            BulkMode::AllOrNothing
        };
        return Ok(Scheduled::Many(s.schedule_many(items, mode).await?));
    }
    let text = a
        .text
        .as_deref()
        .ok_or_else(|| Error::invalid_input("text", "the post's text (or --from FILE)"))?;
    let when = at(
        a.at.as_deref()
            .ok_or_else(|| Error::invalid_input("--at", "when to publish"))?,
        a.tz.as_deref(),
    )?;
    let post = post::spec_of(text, &a.media, &a.options)?.build().await?;
    let mut call = s.schedule(user, &post, when).targets(post::targets(&a.to)?);
    if let Some(k) = &a.key {
        call = call.idempotency_key(k.clone());
    }
    if a.valid_only {
        call = call.valid_targets_only();
    }
    for p in native {
        call = call.native(p);
    }
    Ok(Scheduled::One(call.await?))
}

/// Runs a worker until every one of `ids` has settled; their views.
pub(crate) async fn wait(s: &Scheduler, ids: &[ScheduleId]) -> Result<Vec<ScheduledPost>> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn({
        let s = s.clone();
        async move {
            s.run(async move {
                let _ = stopped.await;
            })
            .await
        }
    });
    let views = loop {
        let mut views = Vec::with_capacity(ids.len());
        for id in ids {
            views.push(s.get(id).await?);
        }
        if views.iter().all(|v| v.state.is_settled()) {
            break views;
        }
        if worker.is_finished() {
            break views;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = stop.send(());
    match worker.await {
        Ok(Err(e)) => Err(e),
        _ => Ok(views),
    }
}

/// `jobs`: the user's scheduled posts.
pub(crate) async fn list(
    s: &Scheduler,
    user: &str,
    state: Option<&str>,
    limit: usize,
) -> Result<Vec<ScheduledPost>> {
    let mut q = ListQuery::new().user(user).limit(limit);
    if let Some(st) = state {
        q = q.state(st.parse()?);
    }
    Ok(s.list(q).await?.items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_reads_instants_and_local_times() {
        assert!(matches!(
            at("2026-12-24T08:00:00Z", None),
            Ok(ScheduleAt::Instant(_))
        ));
        let local = at("2026-12-24T09:00", Some("Europe/Berlin")).unwrap();
        assert_eq!(local.instant().to_rfc3339(), "2026-12-24T08:00:00+00:00");
        for (a, tz) in [
            ("2026-12-24T09:00", None),
            ("tomorrow", Some("Europe/Berlin")),
            ("2026-12-24T09:00", Some("Mars/Base")),
            ("2026-12-24T08:00:00Z", Some("Europe/Berlin")),
        ] {
            assert!(
                matches!(at(a, tz), Err(Error::InvalidInput { .. })),
                "{a} {tz:?}"
            );
        }
    }

    #[test]
    fn csv_handles_quotes_commas_and_line_breaks() {
        let rows = csv("text,at\n\"a, \"\"b\"\"\nc\",2026-01-01T09:00\r\nplain,x\n").unwrap();
        assert_eq!(
            rows[1],
            vec!["a, \"b\"\nc".to_owned(), "2026-01-01T09:00".to_owned()]
        );
        assert_eq!(rows[2], vec!["plain".to_owned(), "x".to_owned()]);
        assert!(csv("\"open").is_err());
    }
}
