//! MP4 faststart: `moov` moved before `mdat`, its chunk offsets shifted,
//! nothing re-encoded. Streams the media data through a temporary file in
//! fixed-size pieces, so memory is bounded by the `moov` box plus one piece.

use std::io::Write;
use std::sync::Arc;

use mp4_atom::{Co64, Decode, Encode, Moov};

use crate::media::probe::{BoxPosition, MAX_MOOV_BYTES};
use crate::media::{FileSource, MediaSource, Probe, invalid};
use crate::{Error, Result};

/// How much media data is held at once while copying.
const COPY_PIECE: u64 = 4 * 1024 * 1024;

/// A media source backed by a temporary file, deleted when dropped.
#[derive(Debug)]
pub(crate) struct TempFileSource {
    file: FileSource,
    _path: tempfile::TempPath,
}

#[async_trait::async_trait]
impl MediaSource for TempFileSource {
    async fn describe(&self) -> Result<crate::media::MediaInfo> {
        self.file.describe().await
    }
    async fn read_range(&self, offset: u64, len: u64) -> Result<bytes::Bytes> {
        self.file.read_range(offset, len).await
    }
}

fn io(e: std::io::Error) -> Error {
    Error::invalid_media(
        "<faststart>",
        format!("the rewritten MP4 cannot be written: {e}"),
    )
}

/// Rewrites `source` (probed as `probe`, `moov` after `mdat`) with `moov`
/// first, into a temporary file named `name`.
pub(crate) async fn faststart(
    source: &dyn MediaSource,
    probe: &Probe,
    name: &str,
) -> Result<Arc<dyn MediaSource>> {
    let bad = |why: &str| invalid(name, why);
    let moov_at = probe.moov.ok_or_else(|| bad("an MP4 without a moov box"))?;
    let mdat_at = probe
        .mdat
        .ok_or_else(|| bad("an MP4 without an mdat box"))?;
    if moov_at.size > MAX_MOOV_BYTES {
        return Err(bad("its moov box is too large to rewrite"));
    }
    let raw = source.read_range(moov_at.offset, moov_at.size).await?;
    let mut moov = Moov::decode(&mut raw.as_ref())
        .map_err(|e| invalid(name, format!("its moov box cannot be read: {e}")))?;
    // Everything from the first mdat up to the old moov moves down by the
    // new moov's size; data after the old moov moves by (new - old) = 0
    // unless the size changes (co64 promotion), handled by `shift_offsets`.
    let encoded = shift_offsets(&mut moov, mdat_at, moov_at)?;
    let tmp = tempfile::Builder::new()
        .prefix("creatorsync-faststart-")
        .suffix(".mp4")
        .tempfile()
        .map_err(io)?;
    let (file, path) = tmp.into_parts();
    let mut out = std::io::BufWriter::new(file);
    // [0, mdat) — ftyp and anything before the media data.
    copy(source, 0, mdat_at.offset, &mut out).await?;
    out.write_all(&encoded).map_err(io)?;
    // [mdat, moov) then (moov, end).
    copy(source, mdat_at.offset, moov_at.offset, &mut out).await?;
    copy(source, moov_at.offset + moov_at.size, probe.bytes, &mut out).await?;
    out.flush().map_err(io)?;
    drop(out);
    let file = FileSource::new(path.to_path_buf());
    Ok(Arc::new(TempFileSource { file, _path: path }))
}

/// Shifts every chunk offset pointing between `mdat` and the old `moov` by
/// the new `moov`'s size (promoting a table to 64-bit offsets if a shifted
/// offset no longer fits 32 bits) and returns the encoded box.
fn shift_offsets(moov: &mut Moov, mdat: BoxPosition, old: BoxPosition) -> Result<Vec<u8>> {
    let encode = |m: &Moov| {
        let mut buf = Vec::new();
        m.encode(&mut buf).map(|()| buf).map_err(|e| {
            Error::invalid_media("<faststart>", format!("moov cannot be written: {e}"))
        })
    };
    let original = moov.clone();
    for _ in 0..2 {
        let size = encode(moov)?.len() as u64;
        let moved = |o: u64| {
            if o >= mdat.offset && o < old.offset {
                o + size
            } else if o >= old.offset + old.size {
                o + size - old.size
            } else {
                o
            }
        };
        let mut promoted = false;
        for (trak, orig) in moov.trak.iter_mut().zip(&original.trak) {
            let stbl = &mut trak.mdia.minf.stbl;
            let ostbl = &orig.mdia.minf.stbl;
            if let (Some(stco), Some(ostco)) = (stbl.stco.as_mut(), ostbl.stco.as_ref()) {
                let shifted: Vec<u64> =
                    ostco.entries.iter().map(|o| moved(u64::from(*o))).collect();
                if shifted.iter().all(|o| u32::try_from(*o).is_ok()) {
                    stco.entries = shifted.iter().map(|o| *o as u32).collect();
                } else {
                    stbl.stco = None;
                    stbl.co64 = Some(Co64 { entries: shifted });
                    promoted = true;
                }
            } else if let Some(co64) = stbl.co64.as_mut() {
                let base = ostbl
                    .co64
                    .as_ref()
                    .map(|c| c.entries.clone())
                    .or_else(|| {
                        ostbl
                            .stco
                            .as_ref()
                            .map(|s| s.entries.iter().map(|o| u64::from(*o)).collect())
                    })
                    .unwrap_or_default();
                co64.entries = base.into_iter().map(moved).collect();
            }
        }
        let bytes = encode(moov)?;
        if !promoted && bytes.len() as u64 == size {
            return Ok(bytes);
        }
    }
    encode(moov)
}

async fn copy(source: &dyn MediaSource, from: u64, to: u64, out: &mut impl Write) -> Result<()> {
    let mut at = from;
    while at < to {
        let want = (to - at).min(COPY_PIECE);
        let piece = source.read_range(at, want).await?;
        if piece.is_empty() {
            return Err(Error::invalid_media("<faststart>", "the MP4 ended early"));
        }
        out.write_all(&piece).map_err(io)?;
        at += piece.len() as u64;
    }
    Ok(())
}
