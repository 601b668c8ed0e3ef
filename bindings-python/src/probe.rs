//! `probe(media)`: what is inside one media item, as the contract's probe
//! view (the same dict in Python, JavaScript and `creatorsync probe --json`).

use creatorsync_core::contract::probe_input;
use pyo3::prelude::*;

use crate::error::to_py;

/// What is inside `media` (a `Media`, or a dict `{"path"}`, `{"url"}` or
/// `{"buffer": bytes, "name"}`): a video's duration, size, rotation, frame
/// rate, codecs, bitrate and `moov` position, an image's format, pixel size
/// and frame count. Reads a few small ranges, never the whole file.
/// Raises `InvalidMedia` for media it cannot read.
#[pyfunction]
pub(crate) fn probe<'py>(
    py: Python<'py>,
    media: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (item, bytes) = crate::post::read_media(media).map_err(to_py)?;
    crate::client::json_call(py, probe_input(item, bytes))
}
