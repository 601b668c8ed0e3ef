//! `media_host`: where media without a public URL (bytes, files) is put
//! for platforms that pull media from a URL (Instagram images, TikTok
//! photos). Builds the core's [`ObjectStoreMediaHost`].

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use url::Url;

use crate::media_host::{MediaHost, ObjectStoreMediaHost};
use crate::{Error, Result};

/// Default lifetime of a signed media URL (platforms fetch
/// asynchronously, sometimes minutes later).
pub const DEFAULT_SIGNED_URL_SECS: u64 = 3600;

/// The media host option: a local directory your web server serves, or
/// an object-store URL (`s3://bucket/prefix`, `gs://…`, `az://…`; needs
/// the core's `object-store-cloud` feature) handed out as signed URLs.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum MediaHostOption {
    /// A directory served at a public base URL.
    Directory(DirectoryHost),
    /// A cloud object store.
    ObjectStore(ObjectStoreHost),
}

/// A directory served by the host: `{public_base_url}{name}` returns the
/// file `{dir}/{name}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectoryHost {
    /// An existing directory.
    pub dir: String,
    /// The public URL it is served at (http or https).
    pub public_base_url: String,
    /// Key prefix of stored files (default `creatorsync`).
    #[serde(default)]
    pub prefix: Option<String>,
}

/// A cloud object store.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectStoreHost {
    /// `s3://bucket/prefix`, `gs://bucket/prefix` or `az://container/prefix`.
    pub url: String,
    /// The store's configuration keys (`aws_region`, `aws_access_key_id`,
    /// ... as `object_store` names them); the environment fills the rest.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// Lifetime of the signed URLs, in seconds (default 3600).
    #[serde(default)]
    pub expires_in_secs: Option<u64>,
}

impl MediaHostOption {
    /// The media host. A bad URL or directory is [`Error::InvalidInput`]
    /// naming `media_host.…`; an object-store URL without the
    /// `object-store-cloud` feature is [`Error::Config`].
    pub fn to_host(&self) -> Result<Arc<dyn MediaHost>> {
        match self {
            MediaHostOption::Directory(d) => {
                let base = Url::parse(&d.public_base_url)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| {
                        Error::invalid_input("media_host.public_base_url", "an http(s) URL")
                    })?;
                if !std::path::Path::new(&d.dir).is_dir() {
                    return Err(Error::invalid_input(
                        "media_host.dir",
                        "not an existing directory",
                    ));
                }
                let host = ObjectStoreMediaHost::local(&d.dir, base)
                    .map_err(|e| Error::invalid_input("media_host.dir", e.to_string()))?;
                Ok(Arc::new(match &d.prefix {
                    Some(p) => host.with_prefix(p.clone()),
                    None => host,
                }))
            }
            MediaHostOption::ObjectStore(o) => {
                let url = Url::parse(&o.url)
                    .map_err(|e| Error::invalid_input("media_host.url", e.to_string()))?;
                cloud(
                    &url,
                    &o.options,
                    o.expires_in_secs.unwrap_or(DEFAULT_SIGNED_URL_SECS),
                )
            }
        }
    }
}

#[cfg(not(feature = "object-store-cloud"))]
fn cloud(url: &Url, _: &BTreeMap<String, String>, _: u64) -> Result<Arc<dyn MediaHost>> {
    Err(Error::Config(format!(
        "media_host.url: {}:// needs the `object-store-cloud` feature of creatorsync-core",
        url.scheme()
    )))
}

#[cfg(feature = "object-store-cloud")]
fn cloud(
    url: &Url,
    options: &BTreeMap<String, String>,
    expires_in_secs: u64,
) -> Result<Arc<dyn MediaHost>> {
    use object_store::aws::AmazonS3Builder;
    use object_store::azure::MicrosoftAzureBuilder;
    use object_store::gcp::GoogleCloudStorageBuilder;
    let bad = |e: &dyn std::fmt::Display| Error::invalid_input("media_host", e.to_string());
    let expires = std::time::Duration::from_secs(expires_in_secs);
    let host = match url.scheme() {
        "s3" | "s3a" => {
            let mut b = AmazonS3Builder::from_env().with_url(url.as_str());
            for (k, v) in options {
                b = b.with_config(k.parse().map_err(|e| bad(&e))?, v);
            }
            ObjectStoreMediaHost::signed(Arc::new(b.build().map_err(|e| bad(&e))?), expires)
        }
        "gs" => {
            let mut b = GoogleCloudStorageBuilder::from_env().with_url(url.as_str());
            for (k, v) in options {
                b = b.with_config(k.parse().map_err(|e| bad(&e))?, v);
            }
            ObjectStoreMediaHost::signed(Arc::new(b.build().map_err(|e| bad(&e))?), expires)
        }
        "az" | "azure" | "abfs" | "abfss" => {
            let mut b = MicrosoftAzureBuilder::from_env().with_url(url.as_str());
            for (k, v) in options {
                b = b.with_config(k.parse().map_err(|e| bad(&e))?, v);
            }
            ObjectStoreMediaHost::signed(Arc::new(b.build().map_err(|e| bad(&e))?), expires)
        }
        other => {
            return Err(Error::invalid_input(
                "media_host.url",
                format!("{other}:// is not s3://, gs:// or az://"),
            ));
        }
    };
    let prefix = url.path().trim_matches('/');
    Ok(Arc::new(if prefix.is_empty() {
        host
    } else {
        host.with_prefix(prefix)
    }))
}
