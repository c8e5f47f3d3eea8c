//! Synthetic sources for tests and benchmarks: a sine tone (`synthetic:tone:<Hz>`) or a
//! logarithmic sweep (`synthetic:sweep`, 100 Hz → 8 kHz every 4 s), 48 kHz stereo at amplitude
//! 0.5. A thread plays the part of a device callback: every 20 ms it generates exactly the frames
//! that CLOCK_MONOTONIC says are due — so the source runs at the host clock's rate with no drift —
//! and pushes them into the ring like a real callback would (preallocated buffer, no lock).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{ring_frames, CaptureError, Format, OpenSource, SourceHandle};
use crate::clock::monotonic_ns;
use crate::ring::capture_ring;

pub const AMPLITUDE: f32 = 0.5;
const RATE: u32 = 48_000;
const TICK: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Signal {
    Tone(f64),
    Sweep,
}

impl Signal {
    /// Parses what follows `synthetic:` — `tone:<Hz>` (1..24000) or `sweep`.
    pub fn parse(s: &str) -> Result<Self, CaptureError> {
        if s == "sweep" {
            return Ok(Signal::Sweep);
        }
        let hz = s
            .strip_prefix("tone:")
            .and_then(|f| f.parse::<f64>().ok())
            .filter(|f| *f > 0.0 && *f < 24_000.0)
            .ok_or_else(|| CaptureError::Unavailable(format!("no synthetic source 'synthetic:{s}' (tone:<Hz> or sweep)")))?;
        Ok(Signal::Tone(hz))
    }
}

/// Generates samples of a signal from a running sample index (phase-continuous).
pub struct Generator {
    signal: Signal,
    n: u64,
    phase: f64,
}

impl Generator {
    pub fn new(signal: Signal) -> Self {
        Self { signal, n: 0, phase: 0.0 }
    }

    /// Fills interleaved stereo frames.
    pub fn fill(&mut self, out: &mut [f32]) {
        for frame in out.chunks_exact_mut(2) {
            let freq = match self.signal {
                Signal::Tone(f) => f,
                Signal::Sweep => {
                    let t = (self.n % (4 * RATE as u64)) as f64 / RATE as f64;
                    100.0 * (80.0f64).powf(t / 4.0)
                }
            };
            let v = AMPLITUDE * (self.phase.sin() as f32);
            self.phase = (self.phase + 2.0 * std::f64::consts::PI * freq / RATE as f64) % (2.0 * std::f64::consts::PI);
            frame[0] = v;
            frame[1] = v;
            self.n += 1;
        }
    }
}

pub fn open(signal: Signal) -> Result<OpenSource, CaptureError> {
    let (mut writer, reader) = capture_ring(ring_frames(RATE), 2);
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicBool::new(false));
    let stop_t = stop.clone();
    // The clock starts now, not when the thread first runs: a late thread catches up in one push.
    let start = monotonic_ns();
    let thread = std::thread::Builder::new()
        .name("synthetic-source".into())
        .spawn(move || {
            let mut gen = Generator::new(signal);
            let mut buf = vec![0f32; 2 * RATE as usize / 2];
            let mut produced: u64 = 0;
            while !stop_t.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                let now = monotonic_ns();
                let due = ((now - start) as u128 * RATE as u128 / 1_000_000_000) as u64;
                let n = ((due - produced) as usize).min(buf.len() / 2);
                if n == 0 {
                    continue;
                }
                writer.stats().note_callback(now);
                gen.fill(&mut buf[..2 * n]);
                writer.push(&buf[..2 * n]);
                produced += n as u64;
            }
        });
    let name = match signal {
        Signal::Tone(f) => format!("synthetic:tone:{f}"),
        Signal::Sweep => "synthetic:sweep".into(),
    };
    let thread = thread.map_err(|e| CaptureError::Unavailable(format!("cannot start {name}: {e}")))?;
    Ok(OpenSource { reader, format: Format { rate: RATE, channels: 2 }, name, handle: SourceHandle::new(stop, failed, thread) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids() {
        assert_eq!(Signal::parse("tone:440").unwrap(), Signal::Tone(440.0));
        assert_eq!(Signal::parse("sweep").unwrap(), Signal::Sweep);
        assert!(Signal::parse("tone:abc").is_err());
        assert!(Signal::parse("tone:0").is_err());
        assert!(Signal::parse("noise").is_err());
    }

    #[test]
    fn tone_has_its_amplitude_and_runs_in_real_time() {
        let src = open(Signal::Tone(1000.0)).unwrap();
        let mut r = src.reader;
        std::thread::sleep(Duration::from_millis(300));
        let mut out = Vec::new();
        r.drain_into(&mut out);
        let frames = out.len() / 2;
        assert!((12_000..=16_800).contains(&frames), "~0.3 s of frames, got {frames}");
        let peak = out.iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!((peak - AMPLITUDE).abs() < 0.01);
        drop(src.handle);
    }
}
