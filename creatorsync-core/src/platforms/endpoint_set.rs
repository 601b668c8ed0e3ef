//! [`EndpointSet`]: the hosts of every platform, production by default.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Registry;
use crate::{Endpoints, Platform};

/// The [`Endpoints`] of every platform. Serializes as an object keyed by
/// platform name (`{"x": {...}, "linkedin": {...}, ...}`); deserializing
/// needs every platform and ignores other keys (the emulator's `control`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSet {
    hosts: BTreeMap<Platform, Endpoints>,
}

impl EndpointSet {
    /// The real production hosts of every platform.
    pub fn production() -> Self {
        Self {
            hosts: Registry::standard()
                .iter()
                .map(|m| (m.platform(), m.production_endpoints()))
                .collect(),
        }
    }

    /// The endpoints of `platform`.
    pub fn get(&self, platform: Platform) -> &Endpoints {
        // Every platform has an entry: `production` fills all of them and
        // deserializing requires all of them.
        self.hosts
            .get(&platform)
            .unwrap_or_else(|| unreachable!("EndpointSet holds every platform"))
    }

    /// Replaces the endpoints of `platform`.
    pub fn set(&mut self, platform: Platform, endpoints: Endpoints) {
        self.hosts.insert(platform, endpoints);
    }
}

impl Default for EndpointSet {
    fn default() -> Self {
        Self::production()
    }
}

impl Serialize for EndpointSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.hosts.serialize(s)
    }
}

impl<'de> Deserialize<'de> for EndpointSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, serde_json::Value>::deserialize(d)?;
        let mut hosts = BTreeMap::new();
        for platform in Platform::ALL {
            let v = raw
                .get(platform.as_str())
                .ok_or_else(|| D::Error::missing_field(platform.as_str()))?;
            let e = Endpoints::deserialize(v).map_err(D::Error::custom)?;
            hosts.insert(platform, e);
        }
        Ok(Self { hosts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_needs_every_platform() {
        let set = EndpointSet::production();
        assert_eq!(set.get(Platform::X).api.as_str(), "https://api.x.com/");
        let mut json = serde_json::to_value(&set).unwrap();
        json["control"] = serde_json::json!("http://127.0.0.1:1");
        let back: EndpointSet = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, set);
        json.as_object_mut().unwrap().remove("tiktok");
        let e = serde_json::from_value::<EndpointSet>(json).unwrap_err();
        assert!(e.to_string().contains("tiktok"), "{e}");
    }
}
