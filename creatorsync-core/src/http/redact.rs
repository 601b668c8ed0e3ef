//! Redaction of secrets in URLs and bodies before they reach logs or errors.

use url::Url;

/// Query/form parameter names whose values are secrets.
const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_secret",
    "code",
    "code_verifier",
    "appsecret_proof",
    "oauth_signature",
    "oauth_token",
    "oauth_verifier",
    "oauth_token_secret",
    "fb_exchange_token",
    "input_token",
    "token",
    "upload_token",
    "state",
    "sig",
];

fn is_secret(name: &str) -> bool {
    SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// The URL with secret query parameter values replaced by `[redacted]`.
pub fn redact_url(url: &Url) -> String {
    if url.query().is_none() {
        return url.to_string();
    }
    let mut out = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret(&k) {
                "[redacted]".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out.to_string()
}

/// Text (a response body) with the values of secret-looking JSON fields and
/// form parameters replaced, and cut to 2 KiB.
pub fn redact_text(text: &str) -> String {
    let mut out = text.to_owned();
    for name in SECRET_PARAMS {
        for pattern in [
            format!("\"{name}\":\""),
            format!("\"{name}\": \""),
            format!("{name}="),
        ] {
            let mut from = 0;
            while let Some(pos) = out[from..].find(&pattern) {
                let start = from + pos + pattern.len();
                let end = out[start..]
                    .find(['"', '&', ',', ' '])
                    .map_or(out.len(), |e| start + e);
                out.replace_range(start..end, "[redacted]");
                from = start + "[redacted]".len();
            }
        }
    }
    if out.len() > 2048 {
        let mut cut = 2048;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_removed() {
        let u = Url::parse("https://graph.facebook.com/v21.0/me?access_token=EAAsecret&appsecret_proof=abc&fields=id").unwrap();
        let r = redact_url(&u);
        assert!(!r.contains("EAAsecret") && !r.contains("abc&"), "{r}");
        assert!(r.contains("fields=id"));
        let t =
            redact_text(r#"{"access_token":"act.123","refresh_token": "rft.9","x":1} code=zz&y=2"#);
        assert!(
            !t.contains("act.123") && !t.contains("rft.9") && !t.contains("zz"),
            "{t}"
        );
    }
}
