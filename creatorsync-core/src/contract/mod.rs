//! The bindings' contract: the shapes the Python and Node bindings take
//! and give, decided once here. Each binding only converts host objects
//! to `serde_json::Value` and back.
//!
//! * [`ClientOptions`]: the constructor's options, their defaults and
//!   checks, and the builder they make (stores opened here).
//! * [`parse_targets`], [`PostSpec`] (the current post shape and the old
//!   backend's body, [`LegacyPostBody`]).
//! * [`views`]: accounts, status, health and the publish report;
//!   [`ProbeView`]: what `probe(media)` answers.
//! * [`metrics`]: which posts to read metrics of, and their metrics.
//! * [`schedule`]: scheduling: `at`, options, bulk items, the list query,
//!   and the views of a scheduled post, a page, a bulk report and health.
//! * [`case`]: the one camelCase/snake_case key normaliser.
//! * [`schema`]: the JSON Schema of all of these
//!   (`docs/contract.schema.json`), which the bindings' typings are
//!   checked against.
//!
//! `disconnect` has the Rust API's meaning in both bindings: one account
//! (user, platform, account id), revoked when no sibling shares the grant,
//! answering whether it was connected.

mod apps;
pub mod case;
mod endpoints;
mod legacy;
mod media_host;
pub mod metrics;
mod options;
mod post;
mod probe;
pub mod schedule;
mod secret;
mod store;
mod targets;
pub mod views;

pub use apps::{AppOption, AppsOption, EmulatorApps};
pub use case::{camel_keys, snake_keys};
pub use endpoints::{EMULATOR_EXTRA_KEYS, EndpointsOption};
pub use legacy::{LegacyMediaType, LegacyPostBody, LegacyPrivacy};
pub use media_host::{DEFAULT_SIGNED_URL_SECS, DirectoryHost, MediaHostOption, ObjectStoreHost};
pub use options::{ClientOptions, ConcurrencyOption, GivenStore, MIN_STATE_SECRET};
pub use post::{LinkInput, MediaInput, MentionInput, PostInput, PostSpec};
pub use probe::{ProbeView, probe_input, probe_json};
pub use secret::SecretString;
pub use store::{
    MAX_POOL_CONNECTIONS, NamedKeyOption, PostgresOption, SqliteOption, StoreKeysOption, StoreName,
};
pub use targets::{TargetInput, TargetObject, parse_targets};

use serde_json::Value;

use crate::{Error, Result};

/// Normalises `v` (keys to snake_case, integral doubles to integers) and
/// deserializes it as `T`. A mistake is [`Error::InvalidInput`] whose
/// field is the path to it (`apps.x.client_id`, `sqlite.path`) and whose
/// message is serde's (naming the unknown or missing field), never the
/// value.
pub fn parse<T: serde::de::DeserializeOwned>(what: &str, v: Value) -> Result<T> {
    parse_normalised(what, case::integral(case::snake_keys(v)?))
}

/// [`parse`] for a value already normalised.
pub(crate) fn parse_normalised<T: serde::de::DeserializeOwned>(what: &str, v: Value) -> Result<T> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() {
            what.to_owned()
        } else {
            path
        };
        Error::invalid_input(field, e.into_inner().to_string())
    })
}

/// The JSON Schema of the contract.
pub mod schema {
    use schemars::generate::SchemaSettings;
    use serde_json::{Value, json};

    use super::ProbeView;
    use super::metrics::{MetricsResultView, MetricsView, PostRefInput};
    use super::schedule::{
        AtInput, BulkItemInput, BulkModeInput, BulkReportView, ListQueryInput,
        ScheduleOptionsInput, ScheduledPageView, ScheduledPostView, SchedulerHealthView,
    };
    use super::views::{AccountView, HealthView, ReportView, StatusView};
    use super::{ClientOptions, LegacyPostBody, PostInput, TargetInput};

    /// Every shape of the contract under `$defs`, by name: the inputs
    /// (`ClientOptions`, `PostInput`, `LegacyPostBody`, `TargetInput`) and
    /// the views (`AccountView`, `StatusView`, `HealthView`, `ReportView`,
    /// `MetricsResultView`, `MetricsView`, `ProbeView`; input `PostRefInput`),
    /// scheduling (inputs `AtInput`, `ScheduleOptionsInput`, `BulkItemInput`,
    /// `BulkModeInput`, `ListQueryInput`; views `ScheduledPostView`,
    /// `ScheduledPageView`, `BulkReportView`, `SchedulerHealthView`), keys
    /// snake_case.
    pub fn contract_schema() -> Value {
        let mut generator = SchemaSettings::draft2020_12().into_generator();
        let roots = [
            ("ClientOptions", generator.subschema_for::<ClientOptions>()),
            ("PostInput", generator.subschema_for::<PostInput>()),
            (
                "LegacyPostBody",
                generator.subschema_for::<LegacyPostBody>(),
            ),
            ("TargetInput", generator.subschema_for::<TargetInput>()),
            ("AccountView", generator.subschema_for::<AccountView>()),
            ("StatusView", generator.subschema_for::<StatusView>()),
            ("HealthView", generator.subschema_for::<HealthView>()),
            ("ReportView", generator.subschema_for::<ReportView>()),
            ("PostRefInput", generator.subschema_for::<PostRefInput>()),
            (
                "MetricsResultView",
                generator.subschema_for::<MetricsResultView>(),
            ),
            ("MetricsView", generator.subschema_for::<MetricsView>()),
            ("ProbeView", generator.subschema_for::<ProbeView>()),
            ("AtInput", generator.subschema_for::<AtInput>()),
            (
                "ScheduleOptionsInput",
                generator.subschema_for::<ScheduleOptionsInput>(),
            ),
            ("BulkItemInput", generator.subschema_for::<BulkItemInput>()),
            ("BulkModeInput", generator.subschema_for::<BulkModeInput>()),
            (
                "ListQueryInput",
                generator.subschema_for::<ListQueryInput>(),
            ),
            (
                "ScheduledPostView",
                generator.subschema_for::<ScheduledPostView>(),
            ),
            (
                "ScheduledPageView",
                generator.subschema_for::<ScheduledPageView>(),
            ),
            (
                "BulkReportView",
                generator.subschema_for::<BulkReportView>(),
            ),
            (
                "SchedulerHealthView",
                generator.subschema_for::<SchedulerHealthView>(),
            ),
        ];
        let defs = generator.take_definitions(true);
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "CreatorSync bindings contract",
            "description": "Generated by creatorsync-core (contract::schema); do not edit.",
            "roots": roots.iter().map(|(name, s)| (name.to_string(), s.as_value().clone())).collect::<serde_json::Map<_, _>>(),
            "$defs": defs,
        })
    }
}

#[cfg(test)]
mod tests;
