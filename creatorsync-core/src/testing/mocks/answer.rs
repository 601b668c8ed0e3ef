//! The one builder every platform's mounted data goes through: a request
//! matcher plus the answer, turned into a [`wiremock::Mock`].

use serde_json::{Value, json};
use wiremock::matchers::{any, body_string_contains, method, path, path_regex, query_param};
use wiremock::{Mock, ResponseTemplate};

/// Where an answer applies.
#[derive(Debug, Clone)]
enum Route {
    Exact(&'static str, String),
    Regex(Option<&'static str>, String),
}

/// One mounted answer: what it matches, what it says, and how often it
/// may or must be asked.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    name: String,
    route: Route,
    query: Vec<(&'static str, String)>,
    body_contains: Option<String>,
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Option<Value>,
    times: Option<u64>,
    expect: Option<u64>,
    at_least_once: bool,
}

impl Answer {
    fn new(name: &str, route: Route) -> Self {
        Self {
            name: name.to_owned(),
            route,
            query: Vec::new(),
            body_contains: None,
            status: 200,
            headers: Vec::new(),
            body: None,
            times: None,
            expect: None,
            at_least_once: false,
        }
    }

    /// `method` on exactly `path`.
    pub(super) fn on(name: &str, method: &'static str, path: &str) -> Self {
        Self::new(name, Route::Exact(method, path.to_owned()))
    }

    /// `method` on every path matching `regex`.
    pub(super) fn on_regex(name: &str, method: &'static str, regex: &str) -> Self {
        Self::new(name, Route::Regex(Some(method), regex.to_owned()))
    }

    /// Any method on every path matching `regex`.
    pub(super) fn any_on(name: &str, regex: &str) -> Self {
        Self::new(name, Route::Regex(None, regex.to_owned()))
    }

    /// Only when the query has `key=value`.
    pub(super) fn query(mut self, key: &'static str, value: &str) -> Self {
        self.query.push((key, value.to_owned()));
        self
    }

    /// Only when the body contains `text`.
    pub(super) fn body_contains(mut self, text: &str) -> Self {
        self.body_contains = Some(text.to_owned());
        self
    }

    /// Answers `status` with the JSON `body`.
    pub(super) fn json(mut self, status: u16, body: Value) -> Self {
        self.status = status;
        self.body = Some(body);
        self
    }

    /// Answers `status` without a body.
    pub(super) fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Adds a response header.
    pub(super) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Answers only the first request it matches (later ones fall through
    /// to the answers mounted after it).
    pub(super) fn first_only(mut self) -> Self {
        self.times = Some(1);
        self
    }

    /// Must be asked exactly once (a create: asked twice is a double post).
    pub(super) fn exactly_once(mut self) -> Self {
        self.expect = Some(1);
        self
    }

    /// Must be asked at least once.
    pub(super) fn at_least_once(mut self) -> Self {
        self.at_least_once = true;
        self
    }

    /// The wiremock mock for this answer.
    pub(super) fn mock(self) -> Mock {
        let builder = match &self.route {
            Route::Exact(m, p) => Mock::given(method(*m)).and(path(p.as_str())),
            Route::Regex(Some(m), re) => Mock::given(method(*m)).and(path_regex(re.as_str())),
            Route::Regex(None, re) => Mock::given(any()).and(path_regex(re.as_str())),
        };
        let builder = self
            .query
            .iter()
            .fold(builder, |b, (k, v)| b.and(query_param(*k, v.as_str())));
        let builder = match &self.body_contains {
            Some(text) => builder.and(body_string_contains(text.as_str())),
            None => builder,
        };
        let mut response = ResponseTemplate::new(self.status);
        for (k, v) in &self.headers {
            response = response.insert_header(*k, v.as_str());
        }
        if let Some(body) = &self.body {
            response = response.set_body_json(body);
        }
        let mut mock = builder.respond_with(response).named(self.name);
        if let Some(n) = self.times {
            mock = mock.up_to_n_times(n);
        }
        if let Some(n) = self.expect {
            mock = mock.expect(n);
        } else if self.at_least_once {
            mock = mock.expect(1..);
        }
        mock
    }
}

/// The rate-limit scenario: every call to the platform's API (`api`, a
/// path regex) answers as the platform does when throttling, and is asked
/// at least once.
pub(super) fn throttled(
    api: &str,
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Value,
) -> Vec<Answer> {
    let answer = headers.into_iter().fold(
        Answer::any_on("rate limited", api).json(status, body),
        |a, (k, v)| a.header(k, v),
    );
    vec![answer.at_least_once()]
}

/// The expired-token scenario: every API call answers `status` + `body`,
/// and a refresh at `token_path` (platforms that refresh) is refused with
/// OAuth's `invalid_grant`, so the SDK reports that the account must be
/// reconnected.
pub(super) fn token_refused(
    api: &str,
    status: u16,
    body: Value,
    token_path: Option<&str>,
) -> Vec<Answer> {
    let mut answers = vec![
        Answer::any_on("token refused", api)
            .json(status, body)
            .at_least_once(),
    ];
    if let Some(token_path) = token_path {
        answers.push(
            Answer::on("refresh refused", "POST", token_path)
                .body_contains("grant_type=refresh_token")
                .json(
                    400,
                    json!({"error": "invalid_grant", "error_description": "The refresh token is expired or revoked."}),
                ),
        );
    }
    answers
}

/// A Unix time `secs` from now, as platforms send it in reset headers.
pub(super) fn unix_in(secs: i64) -> String {
    (chrono::Utc::now().timestamp() + secs).to_string()
}
