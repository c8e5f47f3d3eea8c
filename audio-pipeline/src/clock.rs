//! The session clock: one anchor (`originNs`, CLOCK_MONOTONIC ns chosen by the host) shared with
//! the host and swift-capture. Everything is stamped as `(now − origin) / 1000` µs, saturating at
//! 0 for instants before the origin. Reading the clock is a vDSO call: no allocation, no lock, so
//! the real-time callback may call `monotonic_ns` too.

/// Audio sample rate of the whole pipeline after resampling.
pub const SAMPLE_RATE: u32 = 48_000;

/// CLOCK_MONOTONIC now, in nanoseconds.
#[cfg(unix)]
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and CLOCK_MONOTONIC is always supported.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(ts.tv_nsec as u64)
}

/// Elsewhere there is no CLOCK_MONOTONIC to share with the host: a process-local monotonic
/// clock keeps the pipeline working, and the host must then use this process's `ts` values.
#[cfg(not(unix))]
pub fn monotonic_ns() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static BASE: OnceLock<Instant> = OnceLock::new();
    BASE.get_or_init(Instant::now).elapsed().as_nanos() as u64 + 1
}

/// The host's session clock.
#[derive(Debug, Clone, Copy)]
pub struct SessionClock {
    origin_ns: u128,
}

impl SessionClock {
    pub fn new(origin_ns: u128) -> Self {
        Self { origin_ns }
    }

    /// Session time in µs of a CLOCK_MONOTONIC instant (0 before the origin).
    pub fn us_at(&self, mono_ns: u64) -> u64 {
        let d = (mono_ns as u128).saturating_sub(self.origin_ns) / 1000;
        u64::try_from(d).unwrap_or(u64::MAX)
    }

    pub fn now_us(&self) -> u64 {
        self.us_at(monotonic_ns())
    }

    /// Session time in ns of a CLOCK_MONOTONIC instant (0 before the origin).
    pub fn ns_at(&self, mono_ns: u64) -> u128 {
        (mono_ns as u128).saturating_sub(self.origin_ns)
    }
}

/// Sample index (48 kHz) of a session-time duration in ns, rounded to nearest.
pub fn ns_to_samples(ns: u128) -> u64 {
    let s = (ns * SAMPLE_RATE as u128 + 500_000_000) / 1_000_000_000;
    u64::try_from(s).unwrap_or(u64::MAX)
}

/// µs of a sample index, floored (exact whenever the index is a multiple of 48).
pub fn samples_to_us(samples: u64) -> u64 {
    ((samples as u128 * 1_000_000) / SAMPLE_RATE as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_relative_to_origin() {
        let c = SessionClock::new(1_000_000_000);
        assert_eq!(c.us_at(1_000_000_000), 0);
        assert_eq!(c.us_at(1_002_500_000), 2_500);
        assert_eq!(c.us_at(10), 0, "before the origin saturates to 0");
        assert!(monotonic_ns() > 0);
    }

    #[test]
    fn sample_conversions_are_exact_on_boundaries() {
        assert_eq!(ns_to_samples(1_000_000_000), 48_000);
        assert_eq!(samples_to_us(480_000), 10_000_000);
        assert_eq!(samples_to_us(1), 20);
        assert_eq!(ns_to_samples(20_833), 1);
    }
}
