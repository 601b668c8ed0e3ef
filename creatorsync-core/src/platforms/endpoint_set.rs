//! [`EndpointSet`]: the hosts of every platform, production by default.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Registry;
use crate::{Endpoints, Platform};

/// The [`Endpoints`] of every platform, and of each further connection
/// mode (Instagram Login: `graph.instagram.com`). Serializes as an object
/// keyed by platform name (`{"x": {...}, "linkedin": {...}, ...}`) and
/// `"{mode}_login"` (`"instagram_login"`); deserializing needs every
/// platform and ignores other keys (the emulator's `control`). A mode
/// missing there follows its platform's entry when that one is not the
/// production hosts (one server for both modes, as the emulator), else
/// the mode's production hosts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSet {
    hosts: BTreeMap<Platform, Endpoints>,
    logins: BTreeMap<(Platform, &'static str), Endpoints>,
}

/// The JSON key of a connection mode's endpoints.
fn login_key(login: &str) -> String {
    format!("{login}_login")
}

impl EndpointSet {
    /// The real production hosts of every platform.
    pub fn production() -> Self {
        let mut set = Self {
            hosts: BTreeMap::new(),
            logins: BTreeMap::new(),
        };
        for m in Registry::standard().iter() {
            let e = m.production_endpoints();
            match m.login() {
                Some(login) => set.logins.insert((m.platform(), login), e),
                None => set.hosts.insert(m.platform(), e),
            };
        }
        set
    }

    /// The endpoints of `platform`'s connection mode `login` (None: the
    /// platform's own).
    pub(crate) fn get_login(&self, platform: Platform, login: Option<&str>) -> &Endpoints {
        login
            .and_then(|l| {
                self.logins
                    .iter()
                    .find(|((p, k), _)| *p == platform && *k == l)
                    .map(|(_, e)| e)
            })
            .unwrap_or_else(|| self.get(platform))
    }

    /// The endpoints of `platform`.
    pub fn get(&self, platform: Platform) -> &Endpoints {
        // Every platform has an entry: `production` fills all of them and
        // deserializing requires all of them.
        self.hosts
            .get(&platform)
            .unwrap_or_else(|| unreachable!("EndpointSet holds every platform"))
    }

    /// Replaces the endpoints of `platform` and of its further connection
    /// modes (one server answering both, as the emulator does).
    pub fn set(&mut self, platform: Platform, endpoints: Endpoints) {
        for ((p, _), e) in &mut self.logins {
            if *p == platform {
                *e = endpoints.clone();
            }
        }
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
        let mut all: BTreeMap<String, &Endpoints> = self
            .hosts
            .iter()
            .map(|(p, e)| (p.as_str().to_owned(), e))
            .collect();
        for ((_, login), e) in &self.logins {
            all.insert(login_key(login), e);
        }
        all.serialize(s)
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
        let production = Self::production();
        let mut logins = BTreeMap::new();
        for ((platform, login), prod) in production.logins.clone() {
            let own = &hosts[&platform];
            let e = match raw.get(&login_key(login)) {
                Some(v) => Endpoints::deserialize(v).map_err(D::Error::custom)?,
                None if own == production.get(platform) => prod,
                None => own.clone(),
            };
            logins.insert((platform, login), e);
        }
        Ok(Self { hosts, logins })
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
        // A mode without its own entry follows a non-production platform
        // entry (one server for both), else keeps its production hosts.
        let mut emu = set.clone();
        emu.set(
            Platform::Instagram,
            Endpoints::all("http://127.0.0.1:9").unwrap(),
        );
        let mut j = serde_json::to_value(&emu).unwrap();
        assert_eq!(j["instagram_login"], j["instagram"]);
        j.as_object_mut().unwrap().remove("instagram_login");
        let back: EndpointSet = serde_json::from_value(j).unwrap();
        assert_eq!(back, emu);
        assert_eq!(
            set.get_login(Platform::Instagram, Some("instagram"))
                .api
                .as_str(),
            "https://graph.instagram.com/"
        );
        json.as_object_mut().unwrap().remove("instagram_login");
        assert_eq!(
            serde_json::from_value::<EndpointSet>(json.clone()).unwrap(),
            set
        );
        json.as_object_mut().unwrap().remove("tiktok");
        let e = serde_json::from_value::<EndpointSet>(json).unwrap_err();
        assert!(e.to_string().contains("tiktok"), "{e}");
    }
}
