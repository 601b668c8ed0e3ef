//! Publish targets, parsed once for both bindings.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::{Error, Platform, Result, Target};

/// One target: a platform name (`"x"`: every connected account of it),
/// `"platform:account_id"`, `{ "platform", "account_id" }` or a
/// `[platform, account_id]` pair (Python tuples).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TargetInput {
    /// `"x"` or `"facebook:1001"`.
    Name(String),
    /// `["facebook", "1001"]`.
    Pair(String, String),
    /// `{ "platform": "facebook", "account_id": "1001" }` (no
    /// `account_id`: every account of the platform).
    Object(TargetObject),
}

/// A target as an object.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetObject {
    /// The platform.
    pub platform: String,
    /// One account (default: every connected account of the platform).
    #[serde(default)]
    pub account_id: Option<String>,
}

impl TargetInput {
    /// The core target (an unknown platform or empty account id is
    /// [`Error::InvalidInput`] naming `field`).
    pub fn to_target(&self, field: &str) -> Result<Target> {
        let platform = |p: &str| {
            p.parse::<Platform>()
                .map_err(|_| Error::invalid_input(field, format!("unknown platform {p:?}")))
        };
        let account = |p: &str, a: &str| {
            if a.trim().is_empty() {
                return Err(Error::invalid_input(field, "empty account id"));
            }
            Ok(Target::Account {
                platform: platform(p)?,
                account_id: a.to_owned(),
            })
        };
        match self {
            TargetInput::Name(s) => match s.split_once(':') {
                Some((p, a)) => account(p, a),
                None => Ok(Target::Platform(platform(s)?)),
            },
            TargetInput::Pair(p, a) => account(p, a),
            TargetInput::Object(o) => match &o.account_id {
                Some(a) => account(&o.platform, a),
                None => Ok(Target::Platform(platform(&o.platform)?)),
            },
        }
    }
}

/// Parses a list of targets (camelCase or snake_case keys); `null` is
/// every connected account.
pub fn parse_targets(v: Value) -> Result<Vec<Target>> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    let list: Vec<TargetInput> = super::parse("targets", v)?;
    list.iter()
        .enumerate()
        .map(|(i, t)| t.to_target(&format!("targets[{i}]")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_spelling_is_one_target() {
        let t = parse_targets(json!([
            "x",
            "facebook:1001",
            ["facebook", "1002"],
            {"platform": "linkedin", "accountId": "urn:li:organization:5"},
            {"platform": "tiktok"}
        ]))
        .unwrap();
        assert_eq!(t[0], Target::Platform(Platform::X));
        assert_eq!(
            t[1],
            Target::Account {
                platform: Platform::Facebook,
                account_id: "1001".into()
            }
        );
        assert_eq!(
            t[2],
            Target::Account {
                platform: Platform::Facebook,
                account_id: "1002".into()
            }
        );
        assert_eq!(
            t[3],
            Target::Account {
                platform: Platform::LinkedIn,
                account_id: "urn:li:organization:5".into()
            }
        );
        assert_eq!(t[4], Target::Platform(Platform::TikTok));
        for bad in [
            json!(["myspace"]),
            json!([{"platform": "x", "acount": "1"}]),
            json!([3]),
            json!("x"),
            json!(["x:"]),
        ] {
            assert!(
                matches!(parse_targets(bad.clone()), Err(Error::InvalidInput { .. })),
                "{bad}"
            );
        }
    }
}
