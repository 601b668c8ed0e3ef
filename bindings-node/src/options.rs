//! The options object of `CreatorSync.create`, read on the JS thread into
//! the core's contract ([`ClientOptions`]): every key except a host store
//! object becomes JSON; the core decides names, defaults and checks, and
//! opens the stores inside the create future.

use std::sync::Arc;

use creatorsync_core::contract::{ClientOptions, GivenStore};
use creatorsync_core::{Error, Result};
use napi::bindgen_prelude::{JsObjectValue, Object, Unknown};
use napi::{JsValue, ValueType};
use serde_json::{Map, Value};

use crate::kv::HostKeyValueStore;

/// `obj[name]`, None for `undefined` and `null`.
pub(crate) fn get<'a>(obj: &Object<'a>, name: &str) -> napi::Result<Option<Unknown<'a>>> {
    let v: Unknown<'a> = obj.get_named_property_unchecked(name)?;
    Ok(match v.get_type()? {
        ValueType::Undefined | ValueType::Null => None,
        _ => Some(v),
    })
}

/// The own enumerable keys of `obj` with their values (`undefined` ones
/// left out, as JSON would).
pub(crate) fn entries<'a>(obj: &Object<'a>) -> napi::Result<Vec<(String, Unknown<'a>)>> {
    let names = obj.get_property_names()?;
    let mut out = Vec::new();
    for i in 0..names.get_array_length()? {
        let name: String = names.get_element(i)?;
        let v: Unknown<'a> = obj.get_named_property_unchecked(&name)?;
        if v.get_type()? != ValueType::Undefined {
            out.push((name, v));
        }
    }
    Ok(out)
}

/// A plain JS value as JSON (`field` names it in errors).
pub(crate) fn json(v: Unknown<'_>, field: &str) -> Result<Value> {
    unsafe { v.cast::<Value>() }.map_err(|e| Error::invalid_input(field, e.reason.clone()))
}

/// Reads the options object (JS thread): the contract's options and, when
/// `store` is an object, that host store bounded by `storeTimeoutMs`.
pub(crate) fn read(obj: &Object<'_>) -> Result<(ClientOptions, Option<GivenStore>)> {
    let napi_err = |e: napi::Error| Error::invalid_input("options", e.reason.clone());
    let mut map = Map::new();
    let mut host = None;
    for (name, v) in entries(obj).map_err(napi_err)? {
        if name == "store" && v.get_type().ok() == Some(ValueType::Object) {
            let o = v.coerce_to_object().map_err(napi_err)?;
            host = Some(
                HostKeyValueStore::new(&o)
                    .map_err(|e| Error::invalid_input("store", e.reason.clone()))?,
            );
            continue;
        }
        let field = name.clone();
        map.insert(name, json(v, &field)?);
    }
    let options = ClientOptions::from_json(Value::Object(map))?;
    let given: Option<GivenStore> = match host {
        // The core bounds each call by `storeTimeoutMs`.
        Some(h) => Some(Arc::new(h)),
        None => None,
    };
    Ok((options, given))
}
