//! Mixing and metering of 48 kHz stereo frames. Guarantees: the mix of any number of sources at
//! any gains (0..4) never leaves [-LIMIT, LIMIT] — a peak limiter with instant attack lowers the
//! gain on the very sample that would clip and recovers slowly, so there is no hard clipping and
//! no pumping on quiet material (below the limit the signal passes bit-exact). Meters keep RMS and
//! peak per source between two reads. No allocation after construction.

/// Highest absolute sample value the mix may reach.
pub const LIMIT: f32 = 0.98;

/// Peak limiter state: the current gain reduction (1 = none).
#[derive(Debug, Clone)]
pub struct Limiter {
    gain: f32,
    release: f32,
}

impl Default for Limiter {
    fn default() -> Self {
        // Recover ~63 % of the reduction in 50 ms at 48 kHz.
        Self { gain: 1.0, release: 1.0 / (0.050 * 48_000.0) }
    }
}

impl Limiter {
    /// Limits interleaved stereo frames in place.
    pub fn process(&mut self, frames: &mut [f32]) {
        for frame in frames.chunks_exact_mut(2) {
            let peak = frame[0].abs().max(frame[1].abs());
            let needed = if peak * self.gain > LIMIT { LIMIT / peak } else { 1.0 };
            if needed < self.gain {
                self.gain = needed;
            } else {
                self.gain += (1.0 - self.gain) * self.release;
                if peak * self.gain > LIMIT {
                    self.gain = LIMIT / peak;
                }
            }
            if self.gain < 1.0 {
                frame[0] *= self.gain;
                frame[1] *= self.gain;
            }
        }
    }

    pub fn reduction(&self) -> f32 {
        self.gain
    }
}

/// Adds `src` × `gain` into `acc` (both interleaved stereo, same length).
pub fn mix_into(acc: &mut [f32], src: &[f32], gain: f32) {
    for (a, s) in acc.iter_mut().zip(src) {
        *a += s * gain;
    }
}

/// RMS and peak of what a source delivered since the last `take`.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    sum_sq: f64,
    count: u64,
    peak: f32,
}

impl Meter {
    pub fn feed(&mut self, samples: &[f32]) {
        for &s in samples {
            self.sum_sq += (s as f64) * (s as f64);
            self.peak = self.peak.max(s.abs());
        }
        self.count += samples.len() as u64;
    }

    /// (rms, peak) since the last call, then resets.
    pub fn take(&mut self) -> (f64, f64) {
        let rms = if self.count == 0 { 0.0 } else { (self.sum_sq / self.count as f64).sqrt() };
        let peak = self.peak as f64;
        *self = Self::default();
        (rms, peak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, amp: f32, frames: usize) -> Vec<f32> {
        (0..frames)
            .flat_map(|i| {
                let v = amp * (2.0 * std::f32::consts::PI * freq * i as f32 / 48_000.0).sin();
                [v, v]
            })
            .collect()
    }

    #[test]
    fn mixes_with_per_source_gain() {
        let mut acc = vec![0.0; 4];
        mix_into(&mut acc, &[0.1, 0.2, 0.3, 0.4], 0.5);
        mix_into(&mut acc, &[0.2, 0.2, 0.2, 0.2], 1.0);
        let want = [0.25, 0.3, 0.35, 0.4];
        for (a, w) in acc.iter().zip(want) {
            assert!((a - w).abs() < 1e-6);
        }
    }

    #[test]
    fn loud_mix_never_clips() {
        let a = sine(440.0, 1.0, 48_000);
        let b = sine(660.0, 1.0, 48_000);
        let mut acc = vec![0.0; a.len()];
        mix_into(&mut acc, &a, 4.0);
        mix_into(&mut acc, &b, 4.0);
        let mut lim = Limiter::default();
        lim.process(&mut acc);
        let peak = acc.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak <= LIMIT + 1e-6, "peak {peak}");
        assert!(peak > 0.9, "the limiter keeps the level up, peak {peak}");
    }

    #[test]
    fn quiet_mix_passes_unchanged() {
        let a = sine(440.0, 0.3, 4_800);
        let mut acc = a.clone();
        Limiter::default().process(&mut acc);
        assert_eq!(acc, a);
    }

    #[test]
    fn meter_reports_rms_and_peak() {
        let mut m = Meter::default();
        m.feed(&sine(1000.0, 0.5, 48_000));
        let (rms, peak) = m.take();
        assert!((rms - 0.5 / 2f64.sqrt()).abs() < 1e-3, "rms {rms}");
        assert!((peak - 0.5).abs() < 1e-3);
        assert_eq!(m.take(), (0.0, 0.0));
    }
}
