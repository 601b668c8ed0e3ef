//! `apps`: the OAuth apps, per platform, or `"emulator"`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::SecretString;
use crate::auth::{AppCredentials, Apps, ConsumerCredentials, ScopeUse};
use crate::{Error, Platform, Result};

/// The apps option: `"emulator"` (the emulator's default test apps) or an
/// object keyed by platform (`x`, `linkedin`, `facebook`, `instagram`,
/// `youtube`, `tiktok`) or `instagram_login` (the Instagram app: Instagram
/// then connects with Instagram Login instead of Facebook Login).
#[derive(Clone, Debug, JsonSchema)]
#[serde(untagged)]
pub enum AppsOption {
    /// `"emulator"`.
    Emulator(EmulatorApps),
    /// One app per platform.
    Platforms(BTreeMap<String, AppOption>),
}

/// The literal `"emulator"`.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
pub enum EmulatorApps {
    /// The emulator's default test apps.
    #[serde(rename = "emulator")]
    Emulator,
}

impl<'de> Deserialize<'de> for AppsOption {
    /// By hand rather than `untagged`, so that an error inside one app
    /// keeps its path (`apps.x`) and serde's message.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = AppsOption;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"emulator\" or an object keyed by platform")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<AppsOption, E> {
                match s {
                    "emulator" => Ok(AppsOption::Emulator(EmulatorApps::Emulator)),
                    other => Err(E::invalid_value(serde::de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<AppsOption, A::Error> {
                BTreeMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(AppsOption::Platforms)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// One platform's app.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppOption {
    /// The app's client id (TikTok: client key). Required for every
    /// configured platform.
    pub client_id: String,
    /// The client secret; omit it for a public client (PKCE only).
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// X only: the OAuth 1.0a consumer key (with `consumer_secret`).
    #[serde(default)]
    pub consumer_key: Option<String>,
    /// X only: the OAuth 1.0a consumer secret.
    #[serde(default)]
    pub consumer_secret: Option<SecretString>,
    /// What connecting asks permission for: any of `publish`,
    /// `organizations` (LinkedIn pages) and `analytics` (post metrics).
    /// Default: `["publish", "organizations"]`.
    #[serde(default)]
    pub uses: Option<Vec<String>>,
}

impl AppsOption {
    /// The core's [`Apps`]; an unknown platform, an empty client id, or a
    /// consumer key without its secret (or on another platform than X) is
    /// [`Error::InvalidInput`] naming `apps.<platform>`.
    pub fn to_apps(&self) -> Result<Apps> {
        let map = match self {
            AppsOption::Emulator(_) => return Ok(Apps::emulator_defaults()),
            AppsOption::Platforms(map) => map,
        };
        let mut apps = Apps::new();
        for (name, app) in map {
            let field = format!("apps.{name}");
            if app.client_id.trim().is_empty() {
                return Err(Error::invalid_input(
                    format!("{field}.client_id"),
                    "must not be empty",
                ));
            }
            let creds = match &app.client_secret {
                Some(s) => AppCredentials::new(app.client_id.clone(), s.expose()),
                None => AppCredentials::public(app.client_id.clone()),
            };
            apps = apps
                .with_named(name, creds)
                .map_err(|_| Error::invalid_input(&field, "unknown platform"))?;
            if let Some(uses) = &app.uses {
                let uses = uses
                    .iter()
                    .map(|u| {
                        serde_json::from_value::<ScopeUse>(serde_json::Value::String(u.clone()))
                            .map_err(|_| {
                                Error::invalid_input(
                                    format!("{field}.uses"),
                                    format!(
                                        "unknown use {u:?}: publish, organizations or analytics"
                                    ),
                                )
                            })
                    })
                    .collect::<Result<Vec<_>>>()?;
                // `instagram_login` shares Instagram's uses.
                let platform = name.parse::<Platform>().unwrap_or(Platform::Instagram);
                apps = apps.uses(platform, &uses);
            }
            match (&app.consumer_key, &app.consumer_secret) {
                (None, None) => {}
                (Some(k), Some(s)) if name.parse::<Platform>().ok() == Some(Platform::X) => {
                    apps = apps.with_x_consumer(ConsumerCredentials::new(k.clone(), s.expose()));
                }
                (Some(_), Some(_)) => {
                    return Err(Error::invalid_input(
                        format!("{field}.consumer_key"),
                        "an OAuth 1.0a consumer is for X only",
                    ));
                }
                _ => {
                    return Err(Error::invalid_input(
                        format!("{field}.consumer_key"),
                        "give consumer_key and consumer_secret together",
                    ));
                }
            }
        }
        Ok(apps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_app_enables_analytics_through_uses() {
        let option: AppsOption = crate::contract::parse(
            "apps",
            json!({"linkedin": {"clientId": "a", "clientSecret": "b", "uses": ["publish", "analytics"]}}),
        )
        .unwrap();
        let apps = option.to_apps().unwrap();
        assert_eq!(
            apps.uses_of(Platform::LinkedIn),
            [ScopeUse::Publish, ScopeUse::Analytics]
        );
        let bad: AppsOption = crate::contract::parse(
            "apps",
            json!({"linkedin": {"clientId": "a", "uses": ["stats"]}}),
        )
        .unwrap();
        match bad.to_apps() {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "apps.linkedin.uses"),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}
