//! `post`: the words of the command line turned into the contract's post
//! (`PostInput`: text, media files, per-platform options) and targets,
//! read by the core (`PostSpec`, `TargetInput`), published with progress.

use std::collections::BTreeMap;

use creatorsync_core::contract::{MediaInput, PostInput, PostSpec, TargetInput};
use creatorsync_core::{CreatorSync, Error, PublishReport, Result, Target};
use serde_json::{Map, Value};

use crate::cli::PostArgs;
use crate::exit;
use crate::progress::Reporter;

/// `--to`: `all` (every connected account), else platform names and
/// `platform:account_id`, comma separated, each read by the core.
pub(crate) fn targets(to: &str) -> Result<Vec<Target>> {
    let items: Vec<&str> = to.split(',').map(str::trim).collect();
    if items == ["all"] {
        return Ok(Vec::new());
    }
    items
        .iter()
        .map(|item| {
            if item.is_empty() || *item == "all" {
                return Err(Error::invalid_input(
                    "--to",
                    "`all`, or platforms and platform:account_id separated by commas",
                ));
            }
            TargetInput::Name((*item).to_owned()).to_target("--to")
        })
        .collect()
}

/// `--option platform.name=value` as the contract's options object: the
/// value is JSON when it reads as a number, boolean, null, array, object
/// or quoted string, else the text as given. Unknown platforms and
/// options are the core's to refuse.
pub(crate) fn options(given: &[String]) -> Result<Option<Value>> {
    if given.is_empty() {
        return Ok(None);
    }
    let mut out: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for o in given {
        let bad = || Error::invalid_input("--option", "expected platform.name=value");
        let (key, raw) = o.split_once('=').ok_or_else(bad)?;
        let (platform, name) = key.trim().split_once('.').ok_or_else(bad)?;
        if platform.is_empty() || name.is_empty() {
            return Err(bad());
        }
        let value = serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::from(raw));
        out.entry(platform.to_owned())
            .or_default()
            .insert(name.to_owned(), value);
    }
    Ok(Some(serde_json::to_value(out).map_err(|e| {
        Error::invalid_input("--option", e.to_string())
    })?))
}

/// The post of `args`, checked by the core before anything is sent.
pub(crate) fn spec(args: &PostArgs) -> Result<PostSpec> {
    let mut input = input_of(&args.text, &args.media, &args.options)?;
    input.draft = Some(args.draft);
    PostSpec::from_input(input, BTreeMap::new())
}

/// A post from its text, media files and `--option`s.
pub(crate) fn spec_of(
    text: &str,
    media: &[std::path::PathBuf],
    given_options: &[String],
) -> Result<PostSpec> {
    PostSpec::from_input(input_of(text, media, given_options)?, BTreeMap::new())
}

/// The contract's post of a text, media files and `--option`s.
fn input_of(
    text: &str,
    media: &[std::path::PathBuf],
    given_options: &[String],
) -> Result<PostInput> {
    Ok(PostInput {
        text: text.to_owned(),
        media: media
            .iter()
            .map(|p| MediaInput {
                path: Some(p.to_string_lossy().into_owned()),
                ..MediaInput::default()
            })
            .collect(),
        options: options(given_options)?,
        ..PostInput::default()
    })
}

/// Publishes and returns the report.
pub(crate) async fn publish(
    sync: &CreatorSync,
    user: &str,
    args: &PostArgs,
    reporter: &Reporter,
) -> Result<PublishReport> {
    let targets = targets(&args.to)?;
    let post = spec(args)?.build().await?;
    let mut call = sync.publish(user, &post).targets(targets);
    if let Some(k) = &args.key {
        call = call.idempotency_key(k.clone());
    }
    if args.valid_only {
        call = call.valid_targets_only();
    }
    if let Some(fit) = &args.fit {
        call = call.fit(creatorsync_core::contract::parse(
            "fit",
            fit.as_str().into(),
        )?);
    }
    let r = reporter.clone();
    let report = call.on_progress(move |e| r.event(e)).await;
    reporter.finish();
    report
}

/// The exit code of a report: 0 when every target is published; when
/// none is and every failure is of one class, that class's code (nothing
/// connected: 3); else 1.
pub(crate) fn exit_code(r: &PublishReport) -> u8 {
    if r.all_ok() {
        return exit::OK;
    }
    let none_published = r.published().next().is_none();
    let mut classes = r.failed().map(|(_, e)| exit::code_of(e));
    match classes.next() {
        Some(first) if none_published && classes.all(|c| c == first) => first,
        _ => exit::TARGETS_FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_json_values_and_plain_text() {
        let v = options(&[
            "youtube.title=Hello there".into(),
            "tiktok.disable_stitch=true".into(),
            "youtube.tags=[\"a\",\"b\"]".into(),
            "x.reply_to=\"123\"".into(),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(v["youtube"]["title"], "Hello there");
        assert_eq!(v["tiktok"]["disable_stitch"], true);
        assert_eq!(v["youtube"]["tags"][1], "b");
        assert_eq!(v["x"]["reply_to"], "123");
        for bad in ["title=Hi", "youtube.title", ".title=x", "youtube.=x"] {
            assert!(
                matches!(options(&[bad.into()]), Err(Error::InvalidInput { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn targets_are_all_or_a_list() {
        assert!(targets("all").unwrap().is_empty());
        assert_eq!(targets("x, youtube").unwrap().len(), 2);
        for bad in ["x,,y", "all,x", "myspace", "x:"] {
            assert!(
                matches!(targets(bad), Err(Error::InvalidInput { .. })),
                "{bad}"
            );
        }
    }
}
