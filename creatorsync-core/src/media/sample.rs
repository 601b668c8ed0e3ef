//! Tiny valid MP4 files of a chosen duration, size, frame rate and `moov`
//! position, written with `mp4-atom`, for tests and benchmarks (feature
//! `testing`). The media data is a byte pattern, not decodable video: the
//! container is real, which is all probing, validation and faststart read.

use std::io::{Seek, SeekFrom, Write};

use mp4_atom::{
    Avc1, Avcc, Dinf, Dref, Encode, FixedPoint, FourCC, Ftyp, Hdlr, Header, Mdhd, Mdia, Minf, Moov,
    Mvhd, Stbl, Stco, Stsc, StscEntry, Stsd, Stsz, StszSamples, Stts, SttsEntry, Tkhd, Trak,
    Visual, Vmhd,
};

/// A sample MP4 to generate.
///
/// ```
/// use creatorsync_core::testing::SampleMp4;
/// let mp4 = SampleMp4::new(2, 1080, 1920).moov_at_end().to_bytes();
/// assert_eq!(&mp4[4..8], b"ftyp");
/// ```
#[derive(Clone, Debug)]
pub struct SampleMp4 {
    duration_secs: u32,
    width: u16,
    height: u16,
    fps: u32,
    moov_first: bool,
    payload: u64,
}

impl SampleMp4 {
    /// A `duration_secs`-second, `width`×`height`, 30 fps H.264 MP4 with
    /// `moov` first and 16 bytes per frame.
    pub fn new(duration_secs: u32, width: u16, height: u16) -> Self {
        Self {
            duration_secs,
            width,
            height,
            fps: 30,
            moov_first: true,
            payload: u64::from(duration_secs.max(1)) * 30 * 16,
        }
    }

    /// Puts `moov` after `mdat` (what many cameras and editors write).
    #[must_use]
    pub fn moov_at_end(mut self) -> Self {
        self.moov_first = false;
        self
    }

    /// Frames per second.
    #[must_use]
    pub fn fps(mut self, fps: u32) -> Self {
        self.fps = fps.max(1);
        self
    }

    /// About `n` bytes of media data (rounded down to whole frames).
    #[must_use]
    pub fn payload_bytes(mut self, n: u64) -> Self {
        self.payload = n;
        self
    }

    fn frames(&self) -> u32 {
        (self.duration_secs * self.fps).max(1)
    }

    fn sample_size(&self) -> u32 {
        u32::try_from((self.payload / u64::from(self.frames())).max(1)).unwrap_or(u32::MAX)
    }

    fn payload_len(&self) -> u64 {
        u64::from(self.sample_size()) * u64::from(self.frames())
    }

    fn ftyp() -> Vec<u8> {
        let mut out = Vec::new();
        Ftyp {
            major_brand: FourCC::new(b"isom"),
            minor_version: 512,
            compatible_brands: vec![FourCC::new(b"isom"), FourCC::new(b"avc1")],
        }
        .encode(&mut out)
        .expect("ftyp encodes");
        out
    }

    /// The `moov` box, its chunk offsets pointing into a payload at `data_at`.
    fn moov(&self, data_at: u64) -> Vec<u8> {
        let frames = self.frames();
        let chunk_frames = self.fps;
        let chunks = frames.div_ceil(chunk_frames);
        let size = self.sample_size();
        let offsets = (0..chunks)
            .map(|c| {
                let at = data_at + u64::from(c) * u64::from(chunk_frames) * u64::from(size);
                u32::try_from(at).unwrap_or(u32::MAX)
            })
            .collect();
        let visual = Visual {
            width: self.width,
            height: self.height,
            ..Visual::default()
        };
        let trak = Trak {
            tkhd: Tkhd {
                track_id: 1,
                duration: u64::from(self.duration_secs) * 1000,
                enabled: true,
                in_movie: true,
                width: FixedPoint::new(self.width, 0),
                height: FixedPoint::new(self.height, 0),
                ..Tkhd::default()
            },
            mdia: Mdia {
                mdhd: Mdhd {
                    timescale: self.fps,
                    duration: u64::from(frames),
                    language: "und".into(),
                    ..Mdhd::default()
                },
                hdlr: Hdlr {
                    handler: FourCC::new(b"vide"),
                    name: "VideoHandler".into(),
                },
                minf: Minf {
                    vmhd: Some(Vmhd::default()),
                    dinf: Dinf {
                        dref: Dref::default(),
                    },
                    stbl: Stbl {
                        stsd: Stsd {
                            codecs: vec![
                                Avc1 {
                                    visual,
                                    avcc: Avcc {
                                        configuration_version: 1,
                                        avc_profile_indication: 66,
                                        avc_level_indication: 31,
                                        length_size: 4,
                                        sequence_parameter_sets: vec![vec![0x67, 0x42, 0, 31]],
                                        picture_parameter_sets: vec![vec![0x68, 0xce, 0x3c, 0x80]],
                                        ..Avcc::default()
                                    },
                                    ..Avc1::default()
                                }
                                .into(),
                            ],
                        },
                        stts: Stts {
                            entries: vec![SttsEntry {
                                sample_count: frames,
                                sample_delta: 1,
                            }],
                        },
                        stsc: Stsc {
                            entries: vec![StscEntry {
                                first_chunk: 1,
                                samples_per_chunk: chunk_frames,
                                sample_description_index: 1,
                            }],
                        },
                        stsz: Stsz {
                            samples: StszSamples::Identical {
                                count: frames,
                                size,
                            },
                        },
                        stco: Some(Stco { entries: offsets }),
                        ..Stbl::default()
                    },
                    ..Minf::default()
                },
            },
            ..Trak::default()
        };
        let moov = Moov {
            mvhd: Mvhd {
                timescale: 1000,
                duration: u64::from(self.duration_secs) * 1000,
                next_track_id: 2,
                ..Mvhd::default()
            },
            trak: vec![trak],
            ..Moov::default()
        };
        let mut out = Vec::new();
        moov.encode(&mut out).expect("moov encodes");
        out
    }

    fn mdat_header(&self) -> Vec<u8> {
        let mut out = Vec::new();
        Header {
            kind: FourCC::new(b"mdat"),
            size: Some(self.payload_len() as usize),
        }
        .encode(&mut out)
        .expect("mdat header encodes");
        out
    }

    /// The boxes before the payload, and the `moov` written after it (if
    /// `moov` goes last).
    fn layout(&self) -> (Vec<u8>, Vec<u8>) {
        let ftyp = Self::ftyp();
        let mdat = self.mdat_header();
        if self.moov_first {
            let moov_len = self.moov(0).len() as u64;
            let data_at = ftyp.len() as u64 + moov_len + mdat.len() as u64;
            let head = [ftyp, self.moov(data_at), mdat].concat();
            (head, Vec::new())
        } else {
            let data_at = (ftyp.len() + mdat.len()) as u64;
            ([ftyp, mdat].concat(), self.moov(data_at))
        }
    }

    /// The whole file in memory (payload: byte `i % 251` at offset `i` of
    /// the media data, so a rewrite that moves data is caught).
    pub fn to_bytes(&self) -> Vec<u8> {
        let (head, tail) = self.layout();
        let mut out = head;
        out.extend((0..self.payload_len()).map(|i| (i % 251) as u8));
        out.extend(tail);
        out
    }

    /// Writes the file to `file` with the media data left as a hole (a
    /// sparse file: a 1 GiB sample costs a few KiB of disk).
    pub fn write_sparse(&self, file: &mut std::fs::File) -> std::io::Result<()> {
        let (head, tail) = self.layout();
        file.write_all(&head)?;
        let end = head.len() as u64 + self.payload_len();
        file.set_len(end)?;
        file.seek(SeekFrom::Start(end))?;
        file.write_all(&tail)?;
        file.flush()
    }
}
