//! Graph request parsing: query + body (form, JSON or multipart, files
//! streamed and hashed, never buffered), access token and appsecret_proof.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::Request;
use axum::http::HeaderMap;
use axum::response::Response;
use creatorsync_core::Platform;
use serde_json::Value;

use super::{M, TokKind, bad_param, graph_error, proof};
use crate::body::StreamHash;

/// Largest non-file body accepted (form / JSON).
const MAX_FORM_BODY: usize = 1 << 20;

/// A file part of a multipart body, hashed as it streamed in.
#[derive(Clone, Debug)]
pub(crate) struct FilePart {
    /// Field name (`source`, `video_file_chunk`).
    pub name: String,
    /// Bytes received.
    pub len: u64,
    /// SHA-256 of this part alone.
    pub sha256: String,
    /// The running hash seeded from the upload session (if any) plus this part.
    pub hash: StreamHash,
    /// Whether the part arrived whole.
    pub complete: bool,
    /// Declared content type.
    pub mime: Option<String>,
    /// This part's first bytes ([`crate::body::HEAD_KEEP`]).
    pub head: Vec<u8>,
}

/// A parsed Graph request.
#[derive(Debug)]
pub(crate) struct Req {
    /// Query and body parameters (body wins).
    pub params: HashMap<String, String>,
    /// Request headers.
    pub headers: HeaderMap,
    /// File parts.
    pub files: Vec<FilePart>,
    /// Graph version of the path (`v21.0` when the path had none).
    pub version: String,
}

fn value_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Req {
    /// Parses query and body.
    pub(crate) async fn parse(m: &M, req: Request) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let mut params = crate::common::form(parts.uri.query().unwrap_or(""));
        let ct = parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut files = Vec::new();
        if ct.starts_with("multipart/form-data") {
            let Ok(boundary) = multer::parse_boundary(&ct) else {
                return Err(bad_param("Invalid multipart body"));
            };
            parse_multipart(m, body, boundary, &mut params, &mut files).await?;
        } else {
            let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BODY).await else {
                return Err(bad_param("Request body too large or unreadable"));
            };
            if ct.starts_with("application/json") {
                match serde_json::from_slice::<Value>(&bytes) {
                    Ok(Value::Object(map)) => {
                        for (k, v) in map {
                            params.insert(k, value_string(&v));
                        }
                    }
                    _ if bytes.is_empty() => {}
                    _ => return Err(bad_param("Invalid JSON body")),
                }
            } else if !bytes.is_empty() {
                let s = String::from_utf8_lossy(&bytes);
                params.extend(crate::common::form(&s));
            }
        }
        Ok(Self {
            params,
            headers: parts.headers,
            files,
            version: "v21.0".to_owned(),
        })
    }

    /// The access token (param or `Authorization: OAuth|Bearer`).
    pub(crate) fn token(&self) -> Option<String> {
        self.params
            .get("access_token")
            .cloned()
            .or_else(|| crate::common::bearer(&self.headers))
    }

    /// Checks appsecret_proof and the token; returns the token and its kind.
    pub(crate) fn authenticate(&self, m: &M) -> Result<(String, TokKind), Response> {
        let Some(token) = self.token() else {
            return Err(graph_error(
                400,
                104,
                None,
                "OAuthException",
                "An access token is required to request this resource.",
            ));
        };
        check_proof(m, &token, self.params.get("appsecret_proof"), true)?;
        let kind = check(m, &token)?;
        Ok((token, kind))
    }

    /// A boolean parameter (`true`/`false`/`1`/`0`), with a default.
    pub(crate) fn flag(&self, name: &str, default: bool) -> bool {
        match self.params.get(name).map(String::as_str) {
            Some("true" | "1" | "True") => true,
            Some("false" | "0" | "False") => false,
            _ => default,
        }
    }

    /// A parameter, empty string when absent.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }
}

/// Verifies `appsecret_proof` for `token` (`required`: missing is an error).
pub(crate) fn check_proof(
    m: &M,
    token: &str,
    given: Option<&String>,
    required: bool,
) -> Result<(), Response> {
    let secret = m.ctx.config.app(Platform::Facebook).client_secret;
    match given {
        None if !required => Ok(()),
        Some(p) if p.eq_ignore_ascii_case(&proof(&secret, token)) => Ok(()),
        _ => Err(graph_error(
            400,
            100,
            None,
            "GraphMethodException",
            "Invalid appsecret_proof provided in the API argument",
        )),
    }
}

/// Checks a Meta token on the emulator clock.
pub(crate) fn check(m: &M, token: &str) -> Result<TokKind, Response> {
    crate::common::check_token(&m.ctx, Platform::Facebook, Some(token))?;
    m.lock()
        .tokens
        .get(token)
        .cloned()
        .ok_or_else(|| crate::common::auth_error(Platform::Facebook, None))
}

async fn parse_multipart(
    m: &M,
    body: Body,
    boundary: String,
    params: &mut HashMap<String, String>,
    files: &mut Vec<FilePart>,
) -> Result<(), Response> {
    let mut mp = multer::Multipart::new(body.into_data_stream(), boundary);
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                // The body was cut before the next part: report what arrived.
                if let Some(f) = files.last_mut() {
                    f.complete = false;
                }
                break;
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if field.file_name().is_none() && name != "video_file_chunk" && name != "source" {
            let mut buf = Vec::new();
            let mut ok = true;
            loop {
                match field.chunk().await {
                    Ok(Some(b)) => {
                        if buf.len() + b.len() > MAX_FORM_BODY {
                            return Err(bad_param("Form field too large"));
                        }
                        buf.extend_from_slice(&b);
                    }
                    Ok(None) => break,
                    Err(_) => {
                        ok = false;
                        break;
                    }
                }
            }
            if !ok {
                break;
            }
            params.insert(name, String::from_utf8_lossy(&buf).into_owned());
            continue;
        }
        let mime = field.content_type().map(ToString::to_string);
        // Seed the running hash from the upload session so the final
        // sha256 covers the whole file.
        let mut hash = params
            .get("upload_session_id")
            .and_then(|s| {
                m.lock()
                    .videos
                    .values()
                    .find(|v| &v.session == s)
                    .map(|v| v.hash.clone())
            })
            .unwrap_or_default();
        let mut own = StreamHash::default();
        let mut complete = true;
        loop {
            match field.chunk().await {
                Ok(Some(b)) => {
                    own.update(&b);
                    hash.update(&b);
                }
                Ok(None) => break,
                Err(_) => {
                    complete = false;
                    break;
                }
            }
        }
        files.push(FilePart {
            name,
            len: own.len(),
            sha256: own.hex(),
            hash,
            complete,
            mime,
            head: own.head().to_vec(),
        });
        if !complete {
            break;
        }
    }
    Ok(())
}
