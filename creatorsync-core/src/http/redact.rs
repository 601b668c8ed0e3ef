//! The one redaction of secrets before anything reaches a log, an error, a
//! `repr` or a `Debug` string: URLs (userinfo, secret query parameters,
//! fragments) and free text such as response bodies (secret JSON fields and
//! form parameters, URLs quoted in it, bearer tokens). Every redacted value
//! becomes [`REDACTED`].

use url::Url;

/// What every redacted value is replaced with (the same text a
/// [`crate::Secret`] prints).
pub const REDACTED: &str = "[redacted]";

/// Longest text [`redact_text`] returns, in bytes (plus an ellipsis).
const MAX_TEXT: usize = 2048;

/// Parts of parameter and field names that mark their value as a secret,
/// matched case-insensitively anywhere in the name: `access_token`,
/// `oauth_token_secret`, `X-Amz-Signature`, `sig`, `code_verifier`,
/// `appsecret_proof`, `upload_id` (a resumable upload session id grants
/// upload rights)... Over-matching a harmless name is the safe failure.
const SECRET_PARTS: &[&str] = &[
    "token",
    "secret",
    "sig", // sig, signature, x-amz-signature, x-goog-signature
    "password",
    "passwd",
    "credential",
    "authorization",
    "session",
    "verifier",
    "proof",
    "policy",
    "jwt",
    "assertion",
    "apikey",
    "api_key",
    "upload_id",
];

/// Whole names whose value is a secret in a query or form: the OAuth
/// authorization `code` and `state`, a bare `key`.
const SECRET_PARAM_NAMES: &[&str] = &["code", "state", "key", "pwd", "device_code", "user_code"];

/// Whether a query or form parameter of this name holds a secret.
fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARTS.iter().any(|m| name.contains(m))
        || SECRET_PARAM_NAMES.contains(&name.as_str())
        || name.starts_with("code_")
        || name.ends_with("_key")
        || name.ends_with("-key")
}

/// Whether a JSON field of this name holds a secret: as for parameters,
/// except `code` and `state`, which in response bodies are error codes and
/// processing states worth keeping.
fn is_secret_field(name: &str) -> bool {
    !matches!(name, "code" | "state") && is_secret_name(name)
}

/// The URL as text with its userinfo, the values of secret query
/// parameters and any fragment replaced by [`REDACTED`].
///
/// A URL with a password keeps its user name (`user:[redacted]@`); a user
/// name alone is redacted whole (it is often a token).
///
/// ```
/// use creatorsync_core::http::redact_url;
/// let u = url::Url::parse(
///     "https://me:hunter2@up.example.com/v?uploadType=resumable&upload_id=SESSION#frag",
/// )?;
/// assert_eq!(
///     redact_url(&u),
///     "https://me:[redacted]@up.example.com/v?uploadType=resumable&upload_id=[redacted]#[redacted]"
/// );
/// # Ok::<(), url::ParseError>(())
/// ```
pub fn redact_url(url: &Url) -> String {
    let mut bare = url.clone();
    bare.set_query(None);
    bare.set_fragment(None);
    // Both only fail for URLs that cannot have userinfo (then it is empty).
    let _ = bare.set_password(None);
    let _ = bare.set_username("");
    let mut out = bare.to_string();

    let userinfo = match (url.username(), url.password()) {
        (user, Some(_)) => Some(format!("{user}:{REDACTED}")),
        ("", None) => None,
        (_, None) => Some(REDACTED.to_owned()),
    };
    if let Some(info) = userinfo {
        let prefix = format!("{}://", url.scheme());
        if out.starts_with(&prefix) {
            out.insert_str(prefix.len(), &format!("{info}@"));
        }
    }
    if let Some(query) = url.query() {
        out.push('?');
        out.push_str(&redact_query(query));
    }
    if url.fragment().is_some() {
        out.push('#');
        out.push_str(REDACTED);
    }
    out
}

/// A URL given as text: [`redact_url`] of it, or only [`REDACTED`] when it
/// does not parse (its secrets cannot be told apart then).
pub(crate) fn redact_url_str(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => redact_url(&u),
        Err(_) => REDACTED.to_owned(),
    }
}

/// A raw query string with the values of secret parameters replaced; the
/// other parameters stay as they were (still percent-encoded).
fn redact_query(query: &str) -> String {
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(&decoded(name)) => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    pairs.join("&")
}

fn decoded(name: &str) -> String {
    percent_encoding::percent_decode_str(&name.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Free text (a response body, a message quoting one) with secrets
/// replaced, cut to 2 KiB:
///
/// * the string value of a JSON field with a secret name
///   (`"access_token": "…"`),
/// * the value of a form or query parameter with a secret name
///   (`code=…&`),
/// * every URL in it, as by [`redact_url`] (userinfo, secret parameters,
///   fragment),
/// * the credential after `Bearer ` or `Basic `.
pub(crate) fn redact_text(text: &str) -> String {
    let out = redact_urls(text);
    let out = redact_json_fields(&out);
    let out = redact_params(&out);
    let mut out = redact_auth_schemes(&out);
    if out.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// The first `max` characters of [`redact_text`] of `text` (redacted before
/// it is cut, so a cut cannot hide a secret's marker): the message of an
/// error whose body has no message field.
pub(crate) fn redacted_excerpt(text: &str, max: usize) -> String {
    redact_text(text).chars().take(max).collect()
}

/// Characters that end a URL or a parameter value in free text.
fn ends_token(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '\\' | '`' | ',' | ')' | ']' | '}'
        )
}

/// Every `scheme://…` in `text` replaced by its redacted form.
fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        // The scheme: ASCII letters, digits, `+`, `-`, `.` before `://`.
        let scheme_start = rest[..pos]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .last()
            .map_or(pos, |(i, _)| i);
        let end = rest[pos..].find(ends_token).map_or(rest.len(), |e| pos + e);
        out.push_str(&rest[..scheme_start]);
        let candidate = &rest[scheme_start..end];
        if scheme_start == pos {
            // No scheme: only the authority's userinfo can be judged.
            out.push_str(&redact_bare_authority(candidate));
        } else {
            out.push_str(&match Url::parse(candidate) {
                Ok(u) => redact_url(&u),
                Err(_) => redact_bare_authority(candidate),
            });
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `…://user:pass@host/…#frag` that did not parse as a URL: the userinfo
/// and fragment replaced by hand.
fn redact_bare_authority(candidate: &str) -> String {
    let Some(pos) = candidate.find("://") else {
        return candidate.to_owned();
    };
    let (head, tail) = candidate.split_at(pos + 3);
    let authority_end = tail.find(['/', '?', '#']).unwrap_or(tail.len());
    let (authority, path) = tail.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => format!("{REDACTED}{}", &authority[at..]),
        None => authority.to_owned(),
    };
    let path = match path.find('#') {
        Some(hash) => format!("{}#{REDACTED}", &path[..hash]),
        None => path.to_owned(),
    };
    format!("{head}{authority}{path}")
}

/// The string values of JSON fields with secret names replaced. Works on
/// text that is not (or not only) JSON: it looks for `"name"`, optional
/// blanks, `:`, optional blanks and a string.
fn redact_json_fields(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let Some(name_end) = string_end(bytes, i + 1) else {
            break;
        };
        let name = &text[i + 1..name_end];
        let mut j = skip_blanks(bytes, name_end + 1);
        if j < bytes.len() && bytes[j] == b':' && is_secret_field(name) {
            j = skip_blanks(bytes, j + 1);
            if j < bytes.len() && bytes[j] == b'"' {
                // An unterminated value runs to the end of the text.
                let value_end = string_end(bytes, j + 1).unwrap_or(bytes.len());
                out.push_str(&text[copied..=j]);
                out.push_str(REDACTED);
                copied = value_end;
                i = value_end + 1;
                continue;
            }
        }
        i = name_end + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Index of the closing quote of a JSON string whose content starts at
/// `from` (escapes skipped).
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut k = from;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b'"' => return Some(k),
            _ => k += 1,
        }
    }
    None
}

fn skip_blanks(bytes: &[u8], mut k: usize) -> usize {
    while k < bytes.len() && matches!(bytes[k], b' ' | b'\t' | b'\r' | b'\n') {
        k += 1;
    }
    k
}

/// The values of `name=value` pairs with secret names replaced (form
/// bodies, query strings and messages quoting them).
fn redact_params(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(eq) = text[i..].find('=').map(|p| i + p) {
        // The name runs back from `=` (never before the previous `=`, so
        // the scan stays linear).
        let name_start = text[i..eq]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '%'))
            .last()
            .map_or(eq, |(k, _)| i + k);
        let name = &text[name_start..eq];
        i = eq + 1;
        if name.is_empty() || text[i..].starts_with(REDACTED) || !is_secret_name(&decoded(name)) {
            continue;
        }
        let value_end = text[i..]
            .find(|c: char| ends_token(c) || matches!(c, '&' | ';' | '#'))
            .map_or(text.len(), |e| i + e);
        if value_end > i {
            out.push_str(&text[copied..i]);
            out.push_str(REDACTED);
            copied = value_end;
            i = value_end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The credential after an HTTP authorization scheme (`Bearer x`,
/// `Basic x`) replaced.
fn redact_auth_schemes(text: &str) -> String {
    // ASCII lowercasing keeps byte offsets, so `lower` indexes `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    loop {
        let found = ["bearer ", "basic "]
            .iter()
            .filter_map(|s| lower[i..].find(s).map(|p| (i + p, s.len())))
            .min();
        let Some((pos, len)) = found else { break };
        let start = pos + len;
        if text[start..].starts_with(REDACTED) {
            i = start + REDACTED.len();
            continue;
        }
        let end = text[start..]
            .find(|c: char| ends_token(c) || c == '&')
            .map_or(text.len(), |e| start + e);
        if end > start {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = end;
        }
        i = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// `text` (e.g. a driver's error message) with the password of `url`, if
/// it has one, replaced by [`REDACTED`], in case the message quotes the URL.
#[cfg(feature = "postgres")]
pub(crate) fn redact_url_password(url: &str, text: &str) -> String {
    match Url::parse(url) {
        Ok(u) => match u.password().filter(|p| !p.is_empty()) {
            Some(p) => text.replace(p, REDACTED),
            None => text.to_owned(),
        },
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_what_is_not_secret() {
        let t = redact_text(
            r#"{"access_token":"ya29.SECRET","error":"x"} see https://u:p@h.example/cb?code=C0DE#tok"#,
        );
        assert!(
            !t.contains("SECRET")
                && !t.contains("C0DE")
                && !t.contains(":p@")
                && !t.contains("#tok"),
            "{t}"
        );
        assert!(t.contains(r#""error":"x""#), "{t}");
    }

    #[test]
    fn urls_lose_userinfo_secret_params_and_fragment() {
        let cases = [
            (
                "https://graph.facebook.com/v21.0/me?access_token=EAAsecret&appsecret_proof=abc&fields=id",
                "https://graph.facebook.com/v21.0/me?access_token=[redacted]&appsecret_proof=[redacted]&fields=id",
            ),
            (
                "https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id=ADPycdSESSION&part=snippet",
                "https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id=[redacted]&part=snippet",
            ),
            (
                "https://user:hunter2@cdn.example.com/a.jpg?w=10#frag",
                "https://user:[redacted]@cdn.example.com/a.jpg?w=10#[redacted]",
            ),
            (
                "https://ghp_TOKEN@cdn.example.com/a.jpg",
                "https://[redacted]@cdn.example.com/a.jpg",
            ),
            (
                "https://b.s3.amazonaws.com/k.mp4?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ff00&X-Amz-Expires=60",
                "https://b.s3.amazonaws.com/k.mp4?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]&X-Amz-Expires=60",
            ),
            (
                "https://open.tiktokapis.com/upload/?upload_id=1&upload_token=T0K",
                "https://open.tiktokapis.com/upload/?upload_id=[redacted]&upload_token=[redacted]",
            ),
            (
                "postgres://app:hunter2@db:5432/app?password=hunter3&sslmode=require",
                "postgres://app:[redacted]@db:5432/app?password=[redacted]&sslmode=require",
            ),
            ("https://example.com/plain", "https://example.com/plain"),
        ];
        for (raw, want) in cases {
            assert_eq!(redact_url(&Url::parse(raw).unwrap()), want, "{raw}");
            assert_eq!(redact_url_str(raw), want, "{raw}");
        }
        assert_eq!(redact_url_str("not a url hunter2"), REDACTED);
    }

    #[test]
    fn text_loses_json_form_url_and_bearer_secrets() {
        let secrets = [
            "act.123", "rft.9", "zz", "S3CR3T", "hunter2", "FRAG", "SESSION", "eyJhbGci", "ESC",
        ];
        let t = redact_text(concat!(
            r#"{"access_token":"act.123","refresh_token": "rft.9","x":1,"#,
            r#""client_secret" : "S3CR3T", "note":"esc \"q\"", "id_token":"ESC\"x"} "#,
            "code=zz&y=2 ",
            "uri https://me:hunter2@up.example.com/v?upload_id=SESSION#FRAG ",
            "Authorization: Bearer eyJhbGci.x.y",
        ));
        for s in secrets {
            assert!(!t.contains(s), "{s} in {t}");
        }
        for kept in [
            r#""x":1"#,
            "y=2",
            "up.example.com/v",
            r#""note":"esc \"q\"""#,
        ] {
            assert!(t.contains(kept), "{kept} missing from {t}");
        }
        // Unterminated JSON, a cut body: the value still goes.
        assert!(!redact_text(r#"{"access_token":"act.12"#).contains("act.12"));
        // Redacting twice changes nothing more.
        assert_eq!(redact_text(&t), t);
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary() {
        let t = redact_text(&"é".repeat(5000));
        assert!(t.len() <= MAX_TEXT + '…'.len_utf8());
        assert!(t.ends_with('…'));
        assert_eq!(
            redacted_excerpt(r#"{"token":"abc","m":"hi"}"#, 14),
            r#"{"token":"[red"#
        );
    }
}
