//! Configuration: a TOML file (default `creatorsync/config.toml` in the
//! user's config directory; `--config` or `CREATORSYNC_CONFIG` names
//! another), then environment variables over it, then flags over both.
//!
//! The file holds the core's client options (`docs/contract.schema.json`,
//! snake_case: `apps`, `state_secret`, `sqlite`, `postgres`,
//! `quota_limits`, ...) plus two keys of the CLI's own, `user` and
//! `callback_port`. The options are handed to
//! [`creatorsync_core::contract::ClientOptions`] as they are: its defaults
//! and checks apply, and a mistake is its typed error naming the option.
//! The CLI adds only what a command line needs: the SQLite file in the
//! user's data directory, and a state secret for this process when none is
//! configured (a connect begins and completes in one run).

use std::path::{Path, PathBuf};

use creatorsync_core::{Error, Platform, Result};
use serde_json::{Map, Value, json};

/// The user when neither `--user`, `CREATORSYNC_USER` nor the file names
/// one.
pub(crate) const DEFAULT_USER: &str = "default";

/// Keys of the file that are the CLI's, not client options.
const CLI_KEYS: &[&str] = &["user", "callback_port"];

/// Where the configuration leads: the user, the loopback port and the
/// client options (as the contract's JSON). No `Debug`: the options hold
/// secrets.
pub(crate) struct Settings {
    /// Whose accounts.
    pub(crate) user: String,
    /// The loopback port of `connect` (None: any free port).
    pub(crate) callback_port: Option<u16>,
    /// The client options, before the contract reads them.
    pub(crate) options: Map<String, Value>,
}

/// The default configuration file.
pub(crate) fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("creatorsync").join("config.toml"))
}

/// Reads the file (`given`, else the default one when it exists), then
/// the environment (`env`), then `user` (the flag).
pub(crate) fn load(
    given: Option<&Path>,
    user: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings> {
    let mut file = match given {
        Some(p) => read_file(p)?,
        None => match default_path().filter(|p| p.exists()) {
            Some(p) => read_file(&p)?,
            None => Map::new(),
        },
    };
    let file_user = match file.remove("user") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(Error::invalid_input("user", "must be a string")),
    };
    let callback_port = match file.remove("callback_port") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| Error::invalid_input("callback_port", "a port from 0 to 65535"))?,
        ),
    };
    debug_assert!(CLI_KEYS.iter().all(|k| !file.contains_key(*k)));
    let mut options = file;
    overlay_env(&mut options, env)?;
    let user = user
        .or(file_user)
        .unwrap_or_else(|| DEFAULT_USER.to_owned());
    Ok(Settings {
        user,
        callback_port,
        options,
    })
}

/// The file as a JSON object. Errors name the file and the line, never
/// the text there (it may be a secret).
fn read_file(path: &Path) -> Result<Map<String, Value>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Config(format!(
            "cannot read the configuration file {}: {}",
            path.display(),
            e.kind()
        ))
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        Error::Config(format!(
            "configuration file {}{}: {}",
            path.display(),
            line.map(|l| format!(", line {l}")).unwrap_or_default(),
            e.message()
        ))
    })?;
    match serde_json::to_value(table) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::Config(format!(
            "configuration file {}: not a table of options",
            path.display()
        ))),
    }
}

/// Environment variables over the file's options:
///
/// * `CREATORSYNC_STATE_SECRET`: `state_secret`;
/// * `CREATORSYNC_STORE`: `memory`, a `postgres://` URL, or a SQLite file
///   path (replaces the file's store choice; its keys stay);
/// * `CREATORSYNC_APPS=emulator`: the emulator's test apps;
/// * `CREATORSYNC_ENDPOINTS`: the endpoints as JSON (the line `creatorsync
///   emulator` prints);
/// * `CREATORSYNC_<PLATFORM>_CLIENT_ID`, `..._CLIENT_SECRET` (and for X
///   `..._CONSUMER_KEY`, `..._CONSUMER_SECRET`): one app's credentials,
///   over the file's `apps.<platform>` fields.
///
/// `CREATORSYNC_KEY` (the store's encryption key) is read by the core.
fn overlay_env(
    options: &mut Map<String, Value>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<()> {
    if let Some(s) = env("CREATORSYNC_STATE_SECRET") {
        options.insert("state_secret".into(), s.into());
    }
    if let Some(store) = env("CREATORSYNC_STORE") {
        set_store(options, &store);
    }
    if let Some(s) = env("CREATORSYNC_ENDPOINTS") {
        let v: Value = serde_json::from_str(&s)
            .map_err(|e| Error::invalid_input("CREATORSYNC_ENDPOINTS", format!("not JSON: {e}")))?;
        options.insert("endpoints".into(), v);
    }
    if let Some(a) = env("CREATORSYNC_APPS") {
        options.insert("apps".into(), a.into());
    }
    let names = Platform::ALL
        .iter()
        .map(|p| p.as_str())
        .chain(["instagram_login"]);
    for name in names {
        let prefix = format!("CREATORSYNC_{}_", name.to_ascii_uppercase());
        for field in [
            "client_id",
            "client_secret",
            "consumer_key",
            "consumer_secret",
        ] {
            let Some(v) = env(&format!("{prefix}{}", field.to_ascii_uppercase())) else {
                continue;
            };
            let apps = options.entry("apps").or_insert_with(|| json!({}));
            if !apps.is_object() {
                *apps = json!({});
            }
            if let Some(apps) = apps.as_object_mut() {
                let app = apps.entry(name).or_insert_with(|| json!({}));
                if let Some(app) = app.as_object_mut() {
                    app.insert(field.into(), v.into());
                }
            }
        }
    }
    Ok(())
}

/// Chooses the store named by `CREATORSYNC_STORE`.
fn set_store(options: &mut Map<String, Value>, store: &str) {
    let (kind, field, value) = if store == "memory" {
        options.remove("sqlite");
        options.remove("postgres");
        options.insert("store".into(), "memory".into());
        return;
    } else if store.starts_with("postgres://") || store.starts_with("postgresql://") {
        ("postgres", "url", store)
    } else {
        (
            "sqlite",
            "path",
            store.strip_prefix("sqlite://").unwrap_or(store),
        )
    };
    options.remove("store");
    options.remove(if kind == "sqlite" {
        "postgres"
    } else {
        "sqlite"
    });
    let table = options.entry(kind).or_insert_with(|| json!({}));
    if !table.is_object() {
        *table = json!({});
    }
    if let Some(t) = table.as_object_mut() {
        t.insert(field.into(), value.into());
    }
}

/// Fills what a command line needs and the contract leaves to the caller:
/// the SQLite file in the data directory when no store is chosen (or
/// `[sqlite]` has no path), and a state secret for this process.
pub(crate) fn complete(options: &mut Map<String, Value>) -> Result<()> {
    let chosen = ["store", "postgres"]
        .iter()
        .any(|k| options.contains_key(*k));
    let sqlite_path = options.get("sqlite").and_then(|s| s.get("path")).is_some();
    if !chosen
        && !sqlite_path
        && let Some(dir) = dirs::data_dir().map(|d| d.join("creatorsync"))
    {
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::Config(format!("cannot create {}: {}", dir.display(), e.kind())))?;
        let path = dir.join("creatorsync.db").to_string_lossy().into_owned();
        let table = options.entry("sqlite").or_insert_with(|| json!({}));
        if let Some(t) = table.as_object_mut() {
            t.insert("path".into(), path.into());
        }
    }
    if !options.contains_key("state_secret") {
        options.insert("state_secret".into(), process_secret().into());
    }
    Ok(())
}

/// 32 random bytes, hex: signs the OAuth `state` of a connect begun and
/// completed in this process.
fn process_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn env_overrides_the_file_and_the_flag_overrides_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "user = \"from-file\"\ncallback_port = 8765\nstate_secret = \"file-secret\"\n\
             [apps.x]\nclient_id = \"file-id\"\nclient_secret = \"file-s\"\n\
             [sqlite]\npath = \"/tmp/a.db\"\nkey_id = \"k9\"\n",
        )
        .unwrap();
        let env = env_of(&[
            ("CREATORSYNC_X_CLIENT_SECRET", "env-s"),
            ("CREATORSYNC_STORE", "postgres://u@127.0.0.1/db"),
        ]);
        let s = load(Some(&path), None, &env).unwrap();
        assert_eq!(s.user, "from-file");
        assert_eq!(s.callback_port, Some(8765));
        assert_eq!(s.options["apps"]["x"]["client_id"], "file-id");
        assert_eq!(s.options["apps"]["x"]["client_secret"], "env-s");
        assert_eq!(s.options["postgres"]["url"], "postgres://u@127.0.0.1/db");
        assert!(!s.options.contains_key("sqlite"));
        let s = load(Some(&path), Some("flag".into()), &env_of(&[])).unwrap();
        assert_eq!(s.user, "flag");
        assert_eq!(s.options["sqlite"]["key_id"], "k9");
    }

    #[test]
    fn a_broken_file_is_named_by_line_without_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "user = \"u\"\nstate_secret = \"s3cr3t-value\n").unwrap();
        let Err(e) = load(Some(&path), None, &env_of(&[])) else {
            panic!("a broken file was read");
        };
        let msg = e.to_string();
        assert!(msg.contains("line 2"), "{msg}");
        assert!(!msg.contains("s3cr3t"), "{msg}");
        assert!(matches!(e, Error::Config(_)));
    }
}
