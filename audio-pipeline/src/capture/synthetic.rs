//! Synthetic sources for tests and benchmarks: a sine tone (`synthetic:tone:<Hz>`) or a
//! logarithmic sweep (`synthetic:sweep`, 100 Hz → 8 kHz every 4 s), 48 kHz stereo at amplitude
//! 0.5. Two stand in for hardware faults that cannot be staged here: `synthetic:stall:<ms>` (a
//! 440 Hz tone whose callbacks stop after <ms>, like a device gone quiet) and
//! `synthetic:vanish:<ms>` (one that reports a stream error after <ms>, like an unplugged mic). A thread plays the part of a device callback: every 20 ms it generates exactly the frames
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

/// A simulated device fault, after a number of milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    Stall(u64),
    Vanish(u64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Synthetic {
    pub signal: Signal,
    pub fault: Option<Fault>,
}

impl Synthetic {
    /// Parses what follows `synthetic:` — `tone:<Hz>` (1..24000), `sweep`, `stall:<ms>`, `vanish:<ms>`.
    pub fn parse(s: &str) -> Result<Self, CaptureError> {
        let bad = || {
            CaptureError::Unavailable(format!(
                "no synthetic source 'synthetic:{s}' (tone:<Hz>, sweep, stall:<ms>, vanish:<ms>)"
            ))
        };
        let plain = |signal| Ok(Synthetic { signal, fault: None });
        let ms = |v: &str| v.parse::<u64>().ok().filter(|m| *m <= 3_600_000).ok_or_else(bad);
        let tone = Signal::Tone(440.0);
        match s.split_once(':') {
            None if s == "sweep" => plain(Signal::Sweep),
            Some(("tone", hz)) => {
                let hz = hz.parse::<f64>().ok().filter(|f| *f > 0.0 && *f < 24_000.0).ok_or_else(bad)?;
                plain(Signal::Tone(hz))
            }
            Some(("stall", v)) => Ok(Synthetic { signal: tone, fault: Some(Fault::Stall(ms(v)?)) }),
            Some(("vanish", v)) => Ok(Synthetic { signal: tone, fault: Some(Fault::Vanish(ms(v)?)) }),
            _ => Err(bad()),
        }
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
            self.phase += std::f64::consts::TAU * freq / RATE as f64;
            if self.phase >= std::f64::consts::TAU {
                self.phase -= std::f64::consts::TAU;
            }
            frame[0] = v;
            frame[1] = v;
            self.n += 1;
        }
    }
}

pub fn open(spec: Synthetic) -> Result<OpenSource, CaptureError> {
    let signal = spec.signal;
    let (mut writer, reader) = capture_ring(ring_frames(RATE), 2);
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicBool::new(false));
    let (stop_t, failed_t) = (stop.clone(), failed.clone());
    // The clock starts now, not when the thread first runs: a late thread catches up in one push.
    let start = monotonic_ns();
    let thread = std::thread::Builder::new().name("synthetic-source".into()).spawn(move || {
        crate::rt::promote_current_thread();
        let mut gen = Generator::new(signal);
        let mut buf = vec![0f32; 2 * RATE as usize / 2];
        let mut produced: u64 = 0;
        while !stop_t.load(Ordering::Relaxed) {
            std::thread::sleep(TICK);
            let now = monotonic_ns();
            let elapsed_ms = (now - start) / 1_000_000;
            match spec.fault {
                Some(Fault::Stall(ms)) if elapsed_ms >= ms => continue,
                Some(Fault::Vanish(ms)) if elapsed_ms >= ms => {
                    failed_t.store(true, Ordering::Relaxed);
                    return;
                }
                _ => {}
            }
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
    let name = match (signal, spec.fault) {
        (_, Some(Fault::Stall(ms))) => format!("synthetic:stall:{ms}"),
        (_, Some(Fault::Vanish(ms))) => format!("synthetic:vanish:{ms}"),
        (Signal::Tone(f), None) => format!("synthetic:tone:{f}"),
        (Signal::Sweep, None) => "synthetic:sweep".into(),
    };
    let thread = thread.map_err(|e| CaptureError::Unavailable(format!("cannot start {name}: {e}")))?;
    Ok(OpenSource {
        reader,
        format: Format { rate: RATE, channels: 2 },
        name,
        handle: SourceHandle::new(stop, failed, thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids() {
        assert_eq!(Synthetic::parse("tone:440").unwrap().signal, Signal::Tone(440.0));
        assert_eq!(Synthetic::parse("sweep").unwrap(), Synthetic { signal: Signal::Sweep, fault: None });
        assert_eq!(Synthetic::parse("stall:1500").unwrap().fault, Some(Fault::Stall(1500)));
        assert_eq!(Synthetic::parse("vanish:20").unwrap().fault, Some(Fault::Vanish(20)));
        for bad in ["tone:abc", "tone:0", "noise", "stall:x", "vanish:-1", "sweep:1"] {
            assert!(Synthetic::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vanishing_source_reports_failure() {
        let src = open(Synthetic::parse("vanish:30").unwrap()).unwrap();
        std::thread::sleep(Duration::from_millis(150));
        assert!(src.handle.failed());
    }

    #[test]
    fn tone_has_its_amplitude_and_runs_in_real_time() {
        let src = open(Synthetic { signal: Signal::Tone(1000.0), fault: None }).unwrap();
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
