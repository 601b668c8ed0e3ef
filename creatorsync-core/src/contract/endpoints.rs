//! `endpoints`: the platforms' base URLs (default: production), strict.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::{EndpointSet, Endpoints, Error, Platform, Result};

/// Keys the emulator prints in its endpoints line that are not a
/// platform's endpoints: they are accepted (and ignored) so that the line
/// can be passed as it is. Any other unknown key is an error.
pub const EMULATOR_EXTRA_KEYS: &[&str] = &["control", "apps"];

/// Connection modes with their own endpoints (`instagram_login`).
const LOGIN_KEYS: &[&str] = &["instagram_login"];

/// The endpoints option: `{ "x": { "auth", "token", "api", "upload" },
/// ... }` (each a base URL); a platform left out keeps its production
/// hosts. `instagram_login` sets Instagram Login's hosts (default: the
/// `instagram` entry). The emulator's `control` and `apps` keys are
/// accepted and ignored.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct EndpointsOption(
    #[schemars(with = "BTreeMap<String, EndpointsSchema>")] pub BTreeMap<String, Value>,
);

/// One platform's base URLs (schema only; the core's [`Endpoints`]).
#[derive(JsonSchema)]
#[allow(dead_code)] // a schema description, never built
pub(crate) struct EndpointsSchema {
    /// Authorize page host.
    auth: String,
    /// OAuth token host.
    token: String,
    /// API host.
    api: String,
    /// Upload host.
    upload: String,
}

impl EndpointsOption {
    /// The core's [`EndpointSet`]: production for every platform left out.
    /// An unknown key or a malformed entry is [`Error::InvalidInput`]
    /// naming `endpoints.<key>`.
    pub fn to_set(&self) -> Result<EndpointSet> {
        let mut set = EndpointSet::production();
        for (name, v) in &self.0 {
            let field = format!("endpoints.{name}");
            if EMULATOR_EXTRA_KEYS.contains(&name.as_str()) {
                continue;
            }
            let parse = |v: &Value| {
                serde_json::from_value::<Endpoints>(v.clone())
                    .map_err(|e| Error::invalid_input(&field, e.to_string()))
            };
            if LOGIN_KEYS.contains(&name.as_str()) {
                parse(v)?;
                continue;
            }
            let platform: Platform = name.parse().map_err(|_| {
                Error::invalid_input(
                    &field,
                    "unknown key: platforms, instagram_login, or the emulator's control and apps",
                )
            })?;
            let e = parse(v)?;
            set.set(platform, e);
        }
        // Login modes: through the core's own reading of the full set.
        if LOGIN_KEYS.iter().any(|k| self.0.contains_key(*k)) {
            let mut all = serde_json::to_value(&set)
                .map_err(|e| Error::invalid_input("endpoints", e.to_string()))?;
            for k in LOGIN_KEYS {
                if let (Some(v), Some(o)) = (self.0.get(*k), all.as_object_mut()) {
                    o.insert((*k).to_owned(), v.clone());
                }
            }
            set = serde_json::from_value(all)
                .map_err(|e| Error::invalid_input("endpoints", e.to_string()))?;
        }
        Ok(set)
    }
}
