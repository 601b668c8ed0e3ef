//! A secret string option (state secret, app secrets, encryption keys):
//! its `Debug` is `[redacted]` and errors never quote it.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use crate::Secret;

/// A string option that is a secret.
#[derive(Clone)]
pub struct SecretString(Secret<String>);

impl SecretString {
    /// The value.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        Self(Secret::new(s.to_owned()))
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self(Secret::new(s)))
    }
}

impl JsonSchema for SecretString {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SecretString".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": "A secret: never logged or echoed in errors."})
    }
}
