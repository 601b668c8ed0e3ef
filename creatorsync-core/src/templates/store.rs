//! Templates kept per user in the [`KeyValueStore`] the client already
//! uses: `creatorsync/template/{user}/{name}` holds `{"name", "template"}`
//! as JSON (nothing secret, so not sealed). Per user because a template is
//! a creator's own wording (product names, hashtags, links); an app-wide
//! one is a template of a reserved user id chosen by the host.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Template;
use crate::kv::layout;
use crate::{Error, KeyValueStore, Result};

/// Longest template name, in characters.
const MAX_NAME: usize = 200;

/// A template as stored, with its version for compare-and-swap updates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTemplate {
    /// Its name (unique per user).
    pub name: String,
    /// The version to pass to [`TemplateStore::save`] or
    /// [`TemplateStore::delete`] to change exactly this one.
    pub version: u64,
    /// The template.
    pub template: Template,
}

#[derive(Serialize, Deserialize)]
struct Record {
    name: String,
    template: Template,
}

/// Save, get, list and delete a user's templates. Cheap to clone.
#[derive(Clone, Debug)]
pub struct TemplateStore {
    kv: Arc<dyn KeyValueStore>,
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty()
        || name.chars().count() > MAX_NAME
        || name.chars().any(char::is_control)
    {
        return Err(Error::invalid_input(
            "template name",
            format!("must be 1 to {MAX_NAME} characters without control characters"),
        ));
    }
    Ok(())
}

impl TemplateStore {
    /// Templates in `kv`.
    pub fn new(kv: Arc<dyn KeyValueStore>) -> Self {
        Self { kv }
    }

    /// Stores `template` as `name` of `user_id` after checking its syntax
    /// ([`Error::InvalidTemplate`]). `expected_version` is the
    /// compare-and-swap guard: `None` creates (an existing name is
    /// [`Error::Conflict`] with its version), `Some(v)` replaces version `v`
    /// only (another writer in between is a `Conflict`: re-read and
    /// retry). Returns the new version.
    pub async fn save(
        &self,
        user_id: &str,
        name: &str,
        template: &Template,
        expected_version: Option<u64>,
    ) -> Result<u64> {
        check_name(name)?;
        template.variables()?;
        let record = Record {
            name: name.to_owned(),
            template: template.clone(),
        };
        let json = serde_json::to_string(&record)
            .map_err(|e| Error::invalid_input("template", e.to_string()))?;
        self.kv
            .put(&layout::template(user_id, name), &json, expected_version)
            .await
    }

    /// One template, or `None`.
    pub async fn get(&self, user_id: &str, name: &str) -> Result<Option<StoredTemplate>> {
        check_name(name)?;
        match self.kv.get(&layout::template(user_id, name)).await? {
            Some(v) => Ok(Some(decode(&v.value, v.version)?)),
            None => Ok(None),
        }
    }

    /// Every template of `user_id`, by name.
    pub async fn list(&self, user_id: &str) -> Result<Vec<StoredTemplate>> {
        let mut out = Vec::new();
        for (_, v) in self.kv.list(&layout::templates_of(user_id)).await? {
            out.push(decode(&v.value, v.version)?);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Removes a template (only at `expected_version` when given); whether
    /// it did.
    pub async fn delete(
        &self,
        user_id: &str,
        name: &str,
        expected_version: Option<u64>,
    ) -> Result<bool> {
        check_name(name)?;
        self.kv
            .delete(&layout::template(user_id, name), expected_version)
            .await
    }
}

fn decode(value: &str, version: u64) -> Result<StoredTemplate> {
    let r: Record = serde_json::from_str(value)
        .map_err(|e| Error::store(format!("a stored template cannot be read: {e}")))?;
    Ok(StoredTemplate {
        name: r.name,
        version,
        template: r.template,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryKeyValueStore, Platform};

    #[tokio::test]
    async fn crud_with_compare_and_swap_and_users_kept_apart() {
        let store = TemplateStore::new(Arc::new(MemoryKeyValueStore::new()));
        let mut t = Template::text("Hello {{name}}");
        let v1 = store.save("u1", "launch/day", &t, None).await.unwrap();
        assert_eq!(v1, 1);
        // Creating twice is a conflict naming the current version.
        let err = store.save("u1", "launch/day", &t, None).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Conflict {
                    current_version: Some(1)
                }
            ),
            "{err}"
        );
        t.texts.insert(Platform::X, "Yo {{name}}".into());
        let v2 = store.save("u1", "launch/day", &t, Some(v1)).await.unwrap();
        // A writer holding the old version loses.
        let stale = store
            .save("u1", "launch/day", &t, Some(v1))
            .await
            .unwrap_err();
        assert!(
            matches!(
                stale,
                Error::Conflict {
                    current_version: Some(2)
                }
            ),
            "{stale}"
        );
        let got = store.get("u1", "launch/day").await.unwrap().unwrap();
        assert_eq!(
            (got.name.as_str(), got.version, &got.template),
            ("launch/day", v2, &t)
        );

        store
            .save("u1", "a", &Template::text("x"), None)
            .await
            .unwrap();
        store
            .save("u1/x", "b", &Template::text("y"), None)
            .await
            .unwrap();
        let names: Vec<_> = store
            .list("u1")
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["a", "launch/day"], "user u1/x is another user");
        assert!(store.get("u2", "a").await.unwrap().is_none());

        assert!(!store.delete("u1", "a", Some(7)).await.unwrap());
        assert!(store.delete("u1", "a", None).await.unwrap());
        assert!(store.get("u1", "a").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_broken_template_or_name_is_never_stored() {
        let kv = Arc::new(MemoryKeyValueStore::new());
        let store = TemplateStore::new(kv.clone());
        let err = store
            .save("u", "t", &Template::text("Hi {{name"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidTemplate { .. }), "{err}");
        for name in ["", "  ", "a\nb"] {
            assert!(
                store
                    .save("u", name, &Template::text("x"), None)
                    .await
                    .is_err()
            );
        }
        assert!(kv.list("").await.unwrap().is_empty());
    }
}
