//! RFC 5849 (OAuth 1.0a) HMAC-SHA1 signatures, as X computes them: the
//! signature base string, the `Authorization: OAuth` header parser and the
//! signing function itself.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha1::Sha1;

/// RFC 3986 unreserved characters are kept; everything else is `%XX`.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// RFC 5849 §3.6 percent-encoding (uppercase hex, space as `%20`).
pub(crate) fn pct(s: &str) -> String {
    utf8_percent_encode(s, RESERVED).to_string()
}

/// The parameters of an `Authorization: OAuth k="v", ...` header, decoded.
/// None when the header is not an OAuth 1.0a header.
pub(crate) fn parse_header(value: &str) -> Option<Vec<(String, String)>> {
    let rest = value.trim().strip_prefix("OAuth ")?;
    let mut out = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=')?;
        let v = v.trim().trim_matches('"');
        let dec = |s: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        };
        out.push((dec(k.trim())?, dec(v)?));
    }
    out.iter()
        .any(|(k, _)| k == "oauth_consumer_key")
        .then_some(out)
}

/// The signature base string of RFC 5849 §3.4.1. `params` are the decoded
/// query, body and `oauth_*` parameters (`oauth_signature` and `realm` are
/// skipped here).
pub(crate) fn base_string(method: &str, base_url: &str, params: &[(String, String)]) -> String {
    let mut enc: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "oauth_signature" && k != "realm")
        .map(|(k, v)| (pct(k), pct(v)))
        .collect();
    enc.sort();
    let joined = enc
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        pct(base_url),
        pct(&joined)
    )
}

/// Base64 HMAC-SHA1 of `base` with key `pct(consumer_secret)&pct(token_secret)`.
pub(crate) fn sign(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", pct(consumer_secret), pct(token_secret));
    // HMAC accepts keys of any length.
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(base.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// X's documented example ("Creating a signature").
    #[test]
    fn matches_x_documented_signature() {
        let p = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let params = vec![
            p("include_entities", "true"),
            p(
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            ),
            p("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            p("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            p("oauth_signature_method", "HMAC-SHA1"),
            p("oauth_timestamp", "1318622958"),
            p(
                "oauth_token",
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            ),
            p("oauth_version", "1.0"),
        ];
        let base = base_string(
            "post",
            "https://api.twitter.com/1.1/statuses/update.json",
            &params,
        );
        assert!(base.starts_with("POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key"));
        let sig = sign(
            &base,
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        );
        assert_eq!(sig, "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
    }

    #[test]
    fn parses_header() {
        let h = r#"OAuth oauth_consumer_key="a%20b", oauth_nonce="n", oauth_signature="x%3D""#;
        let p = parse_header(h).unwrap();
        assert_eq!(p[0], ("oauth_consumer_key".to_owned(), "a b".to_owned()));
        assert_eq!(p[2].1, "x=");
        assert!(parse_header("Bearer abc").is_none());
    }
}
