//! `PublishReport` and `TargetResult`: what a publish did, per target.

use creatorsync_core::PublishReport as CoreReport;
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;

use crate::convert::json_to_py;
use crate::error::to_py;

/// The outcome of one target (platform + account).
#[pyclass(module = "creatorsync", frozen, get_all)]
#[derive(Debug)]
pub(crate) struct TargetResult {
    /// The platform (`x`, `linkedin`, ...).
    platform: String,
    /// The account id on the platform (page id, organization id, ...).
    account_id: String,
    /// Whether the post is live.
    ok: bool,
    /// The post id, when published.
    post_id: Option<String>,
    /// The post URL, when published.
    url: Option<String>,
    /// The exception (a `CreatorSyncError` subclass), when not published.
    error: Option<Py<PyBaseException>>,
    /// Seconds spent on this target.
    elapsed: f64,
    /// Whether the result came from an earlier publish with the same
    /// idempotency key (or was found at the platform), not published now.
    reused: bool,
}

#[pymethods]
impl TargetResult {
    fn __repr__(&self) -> String {
        match (&self.post_id, &self.error) {
            (Some(id), _) => format!(
                "TargetResult({}/{}: published {id})",
                self.platform, self.account_id
            ),
            _ => format!(
                "TargetResult({}/{}: failed)",
                self.platform, self.account_id
            ),
        }
    }
}

/// The report of one publish.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct PublishReport {
    idempotency_key: String,
    results: Vec<Py<TargetResult>>,
    elapsed: f64,
    legacy: serde_json::Value,
}

#[pymethods]
impl PublishReport {
    /// The idempotency key (given or generated): publish again with it to
    /// retry without double posting.
    #[getter]
    fn idempotency_key(&self) -> String {
        self.idempotency_key.clone()
    }

    /// One result per target, in a stable order.
    #[getter]
    fn results(&self, py: Python<'_>) -> Vec<Py<TargetResult>> {
        self.results.iter().map(|r| r.clone_ref(py)).collect()
    }

    /// Seconds the whole publish took.
    #[getter]
    fn elapsed(&self) -> f64 {
        self.elapsed
    }

    /// Whether every target was published.
    #[getter]
    fn all_ok(&self, py: Python<'_>) -> bool {
        self.results.iter().all(|r| r.bind(py).get().ok)
    }

    /// The seed system's response shape, keyed by platform:
    /// `{"x": {"success": True, "postId": ..., "url": ..., "message": ...}}`
    /// (a second account of a platform is keyed `"platform:account_id"`).
    fn legacy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.legacy)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let ok = self.results.iter().filter(|r| r.bind(py).get().ok).count();
        format!(
            "PublishReport(idempotency_key={:?}, published={ok}/{})",
            self.idempotency_key,
            self.results.len()
        )
    }
}

impl PublishReport {
    /// Builds the Python report (takes the GIL for the exceptions).
    pub(crate) fn from_core(report: CoreReport) -> PyResult<Self> {
        let legacy = serde_json::to_value(report.legacy()).unwrap_or_default();
        let CoreReport {
            idempotency_key,
            results,
            elapsed,
            ..
        } = report;
        // One GIL acquisition for the whole report (not one per target).
        let results = crate::runtime::attach_py(|py| {
            results
                .into_iter()
                .map(|r| {
                    let (ok, post_id, url, error) = match r.outcome {
                        Ok(p) => (true, Some(p.post_id), Some(p.url), None),
                        Err(e) => (false, None, None, Some(to_py(e).into_value(py))),
                    };
                    Py::new(
                        py,
                        TargetResult {
                            platform: r.account.platform.as_str().to_owned(),
                            account_id: r.account.account_id,
                            ok,
                            post_id,
                            url,
                            error,
                            elapsed: r.elapsed.as_secs_f64(),
                            reused: r.reused,
                        },
                    )
                })
                .collect::<PyResult<Vec<_>>>()
        })?;
        Ok(Self {
            idempotency_key,
            results,
            elapsed: elapsed.as_secs_f64(),
            legacy,
        })
    }
}
