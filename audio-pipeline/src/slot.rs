//! One input of the mix (the mic or system audio) as the pipeline thread sees it: the open
//! device (or none while it is missing), its resampler to 48 kHz stereo, and a FIFO that lines its
//! samples up with the media timeline. Guarantees: `take(n)` always yields exactly n frames
//! (silence where the device had nothing), so a late, silent or vanished device never stalls the
//! mix or shifts the other source; when data arrives after a gap, or piles up beyond
//! `MAX_EXTRA_LATENCY`, the FIFO is re-aligned so the newest sample sits at "now" on the media
//! timeline; every frame thrown away for that is counted. Counters survive reopening the device.

use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;

use crate::capture::{self, CaptureError, MicSpec, OpenSource};
use crate::clock::{monotonic_ns, SAMPLE_RATE};
use crate::mix::Meter;
use crate::protocol::DeviceState;
use crate::resample::StereoResampler;

/// A source whose FIFO holds this much more than the timeline needs is trimmed back.
const MAX_EXTRA_LATENCY: usize = (SAMPLE_RATE as usize * 150) / 1000;
/// No callback for this long means the device went silent.
pub const SILENT_AFTER_NS: u64 = 2_000_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum SlotKind {
    Mic(MicSpec),
    System,
}

pub struct Slot {
    pub kind: SlotKind,
    pub gain: f32,
    source: Option<OpenSource>,
    resampler: Option<StereoResampler>,
    /// Interleaved stereo 48 kHz frames not yet mixed.
    fifo: VecDeque<f32>,
    /// Whether the next arrival must re-align the FIFO (start, resume, after starving).
    realign: bool,
    staging: Vec<f32>,
    converted: Vec<f32>,
    pub meter: Meter,
    pub state: DeviceState,
    pub opened_ns: u64,
    /// The default device this slot was opened on (to notice a new default).
    pub default_ident: Option<String>,
    pub last_retry_ns: u64,
    pub silent_reported: bool,
    /// Counters of devices closed earlier, and of frames trimmed from the FIFO.
    base_overruns: u64,
    base_dropped: u64,
    pub fifo_dropped: u64,
    /// Jitter bookkeeping: (sum, count) already reported.
    jitter_seen: (u64, u64),
    pub max_fill: f64,
}

impl Slot {
    pub fn new(kind: SlotKind, gain: f32) -> Self {
        Self {
            kind,
            gain,
            source: None,
            resampler: None,
            fifo: VecDeque::with_capacity(SAMPLE_RATE as usize * 4),
            realign: true,
            staging: Vec::with_capacity(SAMPLE_RATE as usize),
            converted: Vec::with_capacity(SAMPLE_RATE as usize * 2),
            meter: Meter::default(),
            state: DeviceState::Ok,
            opened_ns: 0,
            default_ident: None,
            last_retry_ns: 0,
            silent_reported: false,
            base_overruns: 0,
            base_dropped: 0,
            fifo_dropped: 0,
            jitter_seen: (0, 0),
            max_fill: 0.0,
        }
    }

    /// Whether this slot should follow the system default device.
    pub fn follows_default(&self) -> bool {
        match &self.kind {
            SlotKind::Mic(spec) => spec.is_default(),
            SlotKind::System => true,
        }
    }

    /// The current default device's identity for this kind of slot.
    pub fn current_default(&self) -> Option<String> {
        match &self.kind {
            SlotKind::Mic(_) => capture::cpal_mic::default_input_name(),
            SlotKind::System => capture::system::current_default(),
        }
    }

    /// Opens (or reopens) the device. On failure the slot stays without a device.
    pub fn open(&mut self) -> Result<(), CaptureError> {
        self.close();
        let src = match &self.kind {
            SlotKind::Mic(spec) => capture::open_mic(spec)?,
            SlotKind::System => capture::system::open()?,
        };
        let resampler = StereoResampler::new(src.format.rate, src.format.channels)
            .map_err(|e| CaptureError::Unavailable(e.to_string()))?;
        self.default_ident = if self.follows_default() { self.current_default() } else { None };
        self.resampler = Some(resampler);
        self.source = Some(src);
        self.opened_ns = monotonic_ns();
        self.silent_reported = false;
        self.realign = true;
        self.jitter_seen = (0, 0);
        Ok(())
    }

    /// Stops the device, keeping its counters.
    pub fn close(&mut self) {
        if let Some(src) = self.source.take() {
            self.base_overruns += src.reader.stats.overruns.load(Relaxed);
            self.base_dropped += src.reader.stats.dropped_frames.load(Relaxed);
        }
        self.resampler = None;
    }

    pub fn is_open(&self) -> bool {
        self.source.is_some()
    }

    pub fn failed(&self) -> bool {
        self.source.as_ref().is_some_and(|s| s.handle.failed())
    }

    pub fn name(&self) -> String {
        self.source.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "(none)".into())
    }

    /// CLOCK_MONOTONIC ns of the last callback (or of opening, before the first one).
    pub fn last_activity_ns(&self) -> u64 {
        let last = self.source.as_ref().map(|s| s.reader.stats.last_callback_ns.load(Relaxed)).unwrap_or(0);
        last.max(self.opened_ns)
    }

    /// Throws away whatever the device delivered (while paused) and re-aligns on resume.
    pub fn discard(&mut self) {
        if let Some(src) = self.source.as_mut() {
            src.reader.discard();
        }
        self.fifo.clear();
        self.realign = true;
    }

    /// Moves newly captured audio into the FIFO. `ideal_len` is how many frames the FIFO should
    /// hold if its newest frame was captured now (media now − next frame to mix).
    pub fn pull(&mut self, ideal_len: usize) -> Result<(), String> {
        let Some(src) = self.source.as_mut() else { return Ok(()) };
        self.max_fill = self.max_fill.max(src.reader.fill());
        self.staging.clear();
        if src.reader.drain_into(&mut self.staging) == 0 {
            return Ok(());
        }
        self.converted.clear();
        if let Some(r) = self.resampler.as_mut() {
            r.process(&self.staging, &mut self.converted).map_err(|e| e.to_string())?;
        }
        self.fifo.extend(self.converted.iter().copied());
        let len = self.fifo.len() / 2;
        if self.realign || len > ideal_len + MAX_EXTRA_LATENCY {
            if len < ideal_len {
                for _ in 0..(ideal_len - len) * 2 {
                    self.fifo.push_front(0.0);
                }
            } else if len > ideal_len {
                let extra = len - ideal_len;
                self.fifo.drain(..extra * 2);
                if !self.realign {
                    self.fifo_dropped += extra as u64;
                }
            }
            self.realign = false;
        }
        Ok(())
    }

    /// Frames waiting in the FIFO: up to the newest captured sample.
    pub fn buffered_frames(&self) -> usize {
        self.fifo.len() / 2
    }

    /// Exactly `frames` frames into `out` (cleared first); silence where the FIFO runs dry.
    pub fn take(&mut self, frames: usize, out: &mut Vec<f32>) {
        out.clear();
        let have = (self.fifo.len() / 2).min(frames);
        out.extend(self.fifo.drain(..have * 2));
        if have < frames {
            out.resize(frames * 2, 0.0);
            if self.is_open() {
                self.realign = true;
            }
        }
        self.meter.feed(out);
    }

    /// Largest block the device delivered in one callback, in 48 kHz frames (sizes the
    /// pipeline's look-behind).
    pub fn max_block_frames(&self) -> u64 {
        self.source.as_ref().map_or(0, |s| {
            let frames = s.reader.stats.max_block_frames.load(Relaxed);
            frames * SAMPLE_RATE as u64 / s.format.rate.max(1) as u64
        })
    }

    pub fn overruns(&self) -> u64 {
        self.base_overruns + self.source.as_ref().map_or(0, |s| s.reader.stats.overruns.load(Relaxed))
    }

    pub fn dropped_frames(&self) -> u64 {
        self.base_dropped
            + self.fifo_dropped
            + self.source.as_ref().map_or(0, |s| s.reader.stats.dropped_frames.load(Relaxed))
    }

    /// Mean change of the callback interval since the last call, in µs (None without callbacks).
    pub fn take_jitter_us(&mut self) -> Option<f64> {
        let src = self.source.as_ref()?;
        let sum = src.reader.stats.jitter_sum_ns.load(Relaxed);
        let count = src.reader.stats.jitter_count.load(Relaxed);
        let (ds, dc) = (sum.saturating_sub(self.jitter_seen.0), count.saturating_sub(self.jitter_seen.1));
        self.jitter_seen = (sum, count);
        (dc > 0).then(|| ds as f64 / dc as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::synthetic::{Signal, Synthetic};

    #[test]
    fn take_pads_with_silence_when_nothing_arrived() {
        let mut s =
            Slot::new(SlotKind::Mic(MicSpec::Synthetic(Synthetic { signal: Signal::Tone(440.0), fault: None })), 1.0);
        let mut out = Vec::new();
        s.take(480, &mut out);
        assert_eq!(out.len(), 960);
        assert!(out.iter().all(|v| *v == 0.0));
    }

    #[test]
    fn first_arrival_is_aligned_to_now() {
        let mut s =
            Slot::new(SlotKind::Mic(MicSpec::Synthetic(Synthetic { signal: Signal::Tone(440.0), fault: None })), 1.0);
        s.open().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(60));
        // The timeline wants 4800 frames (100 ms) between the next mixed frame and now.
        s.pull(4_800).unwrap();
        assert_eq!(s.fifo.len() / 2, 4_800);
        let mut out = Vec::new();
        s.take(1_000, &mut out);
        assert!(out.iter().all(|v| *v == 0.0), "the front is padding: audio before the device started");
        s.close();
    }
}
