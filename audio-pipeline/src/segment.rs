//! Cuts the mixed 48 kHz stereo stream into WebM/Opus segment files on the media timeline.
//! Guarantees: segment boundaries fall on exact multiples of `segmentSeconds × 48000` samples
//! of media time (paused time is never pushed, so it is not on the timeline); every sample pushed
//! lands in exactly one segment; each file decodes on its own to exactly `units` samples (fresh
//! encoder state, codec delay in the header, DiscardPadding on the last block); a file is written
//! under a temporary name, synced and renamed before its event is returned, so a reader never sees
//! half a segment. A write failure removes the temporary file and leaves finished segments alone.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::clock::{samples_to_us, SAMPLE_RATE};
use crate::encode::webm::WebmWriter;
use crate::encode::{EncodeError, PacketEncoder};
use crate::protocol::{NonEmpty, SegmentEvent, TrackKind};

pub const MIME: &str = "audio/webm;codecs=opus";

#[derive(Debug, Error)]
pub enum SegmentError {
    #[error("the spool disk is full: {0}")]
    DiskFull(io::Error),
    #[error("cannot write segment {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

fn io_error(path: &Path, e: io::Error) -> SegmentError {
    let full = e.kind() == io::ErrorKind::StorageFull || {
        #[cfg(unix)]
        {
            matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
        }
        #[cfg(not(unix))]
        {
            false
        }
    };
    if full {
        SegmentError::DiskFull(e)
    } else {
        SegmentError::Io { path: path.to_path_buf(), source: e }
    }
}

pub struct Segmenter<E: PacketEncoder> {
    encoder: E,
    writer: WebmWriter,
    dir: PathBuf,
    seg_len: u64,
    next_seq: u64,
    /// Media sample index of the current segment's first sample.
    seg_first: u64,
    /// Samples (per channel) pushed into the current segment.
    seg_count: u64,
    /// Packets written into the current segment.
    packets: u64,
    /// Samples the decoder skips at the start of the current segment (its CodecDelay).
    seg_pre_skip: u64,
    /// Interleaved frames waiting for a full packet.
    frame: Vec<f32>,
    packet: Vec<u8>,
}

impl<E: PacketEncoder> Segmenter<E> {
    /// A segmenter whose first sample sits at media sample `first_sample`.
    pub fn new(encoder: E, dir: PathBuf, segment_seconds: u32, first_sample: u64) -> Result<Self, SegmentError> {
        fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        let frame_size = encoder.frame_size();
        let mut s = Self {
            encoder,
            writer: WebmWriter::default(),
            dir,
            seg_len: segment_seconds as u64 * SAMPLE_RATE as u64,
            next_seq: 0,
            seg_first: first_sample,
            seg_count: 0,
            packets: 0,
            seg_pre_skip: 0,
            frame: Vec::with_capacity(frame_size * 2),
            packet: Vec::with_capacity(4_000),
        };
        s.begin_segment()?;
        Ok(s)
    }

    fn begin_segment(&mut self) -> Result<(), SegmentError> {
        self.encoder.reset()?;
        let start_ms = (self.seg_first as u128 * 1000 / SAMPLE_RATE as u128) as u64;
        self.seg_pre_skip = self.encoder.pre_skip() as u64;
        self.writer.begin(self.encoder.pre_skip(), start_ms);
        self.seg_count = 0;
        self.packets = 0;
        self.frame.clear();
        Ok(())
    }

    /// Block timestamp of the next packet. Matroska block times include the codec delay
    /// (presentation = block time − CodecDelay), so the first decoded sample lands on the
    /// segment's media start.
    fn packet_ms(&self) -> u64 {
        let first = self.seg_first as u128 * 1000;
        let delay = self.seg_pre_skip as u128 * 1000;
        let start_ms = ((first + delay + SAMPLE_RATE as u128 / 2) / SAMPLE_RATE as u128) as u64;
        start_ms + self.packets * (self.encoder.frame_size() as u64 * 1000 / SAMPLE_RATE as u64)
    }

    fn encode_frame(&mut self, discard: u64) -> Result<(), SegmentError> {
        self.packet.clear();
        self.encoder.encode(&self.frame, &mut self.packet)?;
        let ts = self.packet_ms();
        self.writer.push(ts, &self.packet, discard);
        self.packets += 1;
        self.frame.clear();
        Ok(())
    }

    /// Media sample index one past the last sample pushed.
    pub fn position(&self) -> u64 {
        self.seg_first + self.seg_count
    }

    /// Media sample index up to which audio has actually been encoded into packets.
    pub fn encoded_until(&self) -> u64 {
        let done = self.packets * self.encoder.frame_size() as u64;
        self.seg_first + done.min(self.seg_count)
    }

    /// Appends interleaved stereo frames; every segment completed on the way is passed to `done`.
    pub fn push(&mut self, mut frames: &[f32], done: &mut impl FnMut(SegmentEvent)) -> Result<(), SegmentError> {
        let fs = self.encoder.frame_size();
        while !frames.is_empty() {
            let to_boundary = self.seg_len - (self.position() % self.seg_len);
            let room_in_frame = fs - self.frame.len() / 2;
            let n = (frames.len() / 2).min(to_boundary as usize).min(room_in_frame);
            self.frame.extend_from_slice(&frames[..2 * n]);
            self.seg_count += n as u64;
            frames = &frames[2 * n..];
            if self.frame.len() == 2 * fs {
                self.encode_frame(0)?;
            }
            if self.position().is_multiple_of(self.seg_len) {
                let ev = self.finish_segment()?;
                done(ev);
            }
        }
        Ok(())
    }

    /// Closes the current segment where it is (stop, EOF); `None` when it holds no sample.
    pub fn flush(&mut self) -> Result<Option<SegmentEvent>, SegmentError> {
        if self.seg_count == 0 {
            return Ok(None);
        }
        self.finish_segment().map(Some)
    }

    /// A segment shorter than one packet minus the codec delay would put the start trim and the
    /// end trim in the same packet, and ffmpeg applies only one trim per packet. Such a segment
    /// (all of it still in `frame`) becomes two packets: leading silence removed by a longer
    /// pre-skip that ends inside the first packet, the samples, and DiscardPadding confined to the
    /// second packet (`fs − 1` samples), so each packet carries one trim.
    fn encode_short_segment(&mut self) -> Result<(), SegmentError> {
        let fs = self.encoder.frame_size();
        let units = self.seg_count as usize;
        let lookahead = self.encoder.pre_skip() as usize;
        let discard = fs - 1;
        let pre_skip = 2 * fs - discard - units;
        let lead = pre_skip - lookahead;
        let mut input = vec![0f32; 2 * 2 * fs];
        input[2 * lead..2 * (lead + units)].copy_from_slice(&self.frame[..2 * units]);
        self.seg_pre_skip = pre_skip as u64;
        self.writer.set_pre_skip(pre_skip as u16);
        for (i, chunk) in input.chunks_exact(2 * fs).enumerate() {
            self.frame.clear();
            self.frame.extend_from_slice(chunk);
            self.encode_frame(if i == 1 { discard as u64 } else { 0 })?;
        }
        Ok(())
    }

    fn finish_segment(&mut self) -> Result<SegmentEvent, SegmentError> {
        let fs = self.encoder.frame_size() as u64;
        let pre_skip = self.encoder.pre_skip() as u64;
        if self.packets == 0 && self.seg_count + pre_skip <= fs {
            self.encode_short_segment()?;
        }
        // Packets needed so that the decoder, after skipping pre_skip, still yields every sample.
        let needed = (self.seg_count + pre_skip).div_ceil(fs);
        let discard = needed * fs - pre_skip - self.seg_count;
        while self.packets < needed {
            self.frame.resize(2 * fs as usize, 0.0);
            let last = self.packets + 1 == needed;
            self.encode_frame(if last { discard } else { 0 })?;
        }
        let seq = self.next_seq;
        let name = format!("audio-{seq:06}.webm");
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!(".{name}.part"));
        let bytes = {
            let data = self.writer.finish(self.seg_count);
            write_atomically(&tmp, &path, data)?;
            data.len() as u64
        };
        let first = self.seg_first;
        let end = first + self.seg_count;
        let ev = SegmentEvent {
            track: TrackKind::Audio,
            seq,
            path: NonEmpty::try_from(path.to_string_lossy().into_owned()).unwrap_or_else(|_| unreachable_path()),
            mime: NonEmpty::try_from(MIME.to_string()).unwrap_or_else(|_| unreachable_path()),
            start_us: samples_to_us(first),
            end_us: samples_to_us(end),
            bytes,
            units: self.seg_count,
            first_sample: Some(first),
        };
        self.next_seq += 1;
        self.seg_first = end;
        self.begin_segment()?;
        Ok(ev)
    }
}

/// Joined spool paths and the MIME constant are never empty.
fn unreachable_path() -> NonEmpty {
    NonEmpty::try_from("?".to_string()).unwrap_or_else(|_| unreachable!())
}

fn write_atomically(tmp: &Path, path: &Path, data: &[u8]) -> Result<(), SegmentError> {
    let result = (|| {
        let mut f = fs::File::create(tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(tmp);
        io_error(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::opus::OpusEncoder;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sessions-audio-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    fn push_all(s: &mut Segmenter<OpusEncoder>, total: usize, chunk: usize) -> Vec<SegmentEvent> {
        let mut events = Vec::new();
        let buf = vec![0.1f32; chunk * 2];
        let mut left = total;
        while left > 0 {
            let n = left.min(chunk);
            s.push(&buf[..2 * n], &mut |e| events.push(e)).unwrap();
            left -= n;
        }
        events
    }

    #[test]
    fn boundaries_are_sample_exact_multiples_of_the_segment_length() {
        let dir = tmpdir("bounds");
        // Start 0.3 s + 7 samples into the session: the first segment is short.
        let first = 14_407;
        let mut s = Segmenter::new(OpusEncoder::new(96_000, 5).unwrap(), dir.clone(), 1, first).unwrap();
        let mut events = push_all(&mut s, 100_000, 437);
        events.extend(s.flush().unwrap());
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].first_sample, Some(first));
        assert_eq!(events[0].units, 48_000 - first);
        assert_eq!(events[1].first_sample, Some(48_000));
        assert_eq!(events[1].units, 48_000);
        assert_eq!((events[1].start_us, events[1].end_us), (1_000_000, 2_000_000));
        assert_eq!(events[2].first_sample, Some(96_000));
        assert_eq!(events.iter().map(|e| e.units).sum::<u64>(), 100_000);
        assert_eq!(events[2].units, first + 100_000 - 96_000);
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e.seq, i as u64);
            let meta = fs::metadata(e.path.as_str()).unwrap();
            assert_eq!(meta.len(), e.bytes);
            assert_eq!(e.end_us, samples_to_us(e.first_sample.unwrap() + e.units));
        }
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .collect();
        assert!(leftovers.is_empty(), "no temp file survives");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn flush_of_an_empty_segment_writes_nothing() {
        let dir = tmpdir("empty");
        let mut s = Segmenter::new(OpusEncoder::new(96_000, 5).unwrap(), dir.clone(), 2, 96_000).unwrap();
        assert!(s.flush().unwrap().is_none());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn encoded_position_trails_pushed_position_by_under_one_packet() {
        let dir = tmpdir("lag");
        let mut s = Segmenter::new(OpusEncoder::new(96_000, 5).unwrap(), dir.clone(), 10, 0).unwrap();
        push_all(&mut s, 1_000, 1_000);
        assert_eq!(s.position(), 1_000);
        assert_eq!(s.encoded_until(), 960);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn unwritable_spool_reports_an_io_error_and_keeps_finished_segments() {
        let dir = tmpdir("ro");
        let mut s = Segmenter::new(OpusEncoder::new(96_000, 5).unwrap(), dir.clone(), 1, 0).unwrap();
        let events = push_all(&mut s, 48_000, 960);
        assert_eq!(events.len(), 1);
        // Replace the folder with a file: the next segment cannot be created.
        let kept = fs::read(events[0].path.as_str()).unwrap();
        fs::rename(&dir, dir.with_extension("moved")).unwrap();
        fs::write(&dir, b"not a folder").unwrap();
        push_all(&mut s, 1_000, 1_000);
        let err = s.flush().unwrap_err();
        assert!(matches!(err, SegmentError::Io { .. }), "{err}");
        let moved = dir.with_extension("moved").join("audio-000000.webm");
        assert_eq!(fs::read(moved).unwrap(), kept);
        let _ = fs::remove_file(&dir);
        let _ = fs::remove_dir_all(dir.with_extension("moved"));
    }
}
