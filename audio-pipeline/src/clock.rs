//! The session clock: one anchor (`originNs`, CLOCK_MONOTONIC ns chosen by the host) shared with
//! the host and swift-capture. Everything is stamped as `(now − origin) / 1000` µs, saturating at
//! 0 for instants before the origin. Reading the clock is a vDSO call: no allocation, no lock, so
//! the real-time callback may call `monotonic_ns` too. `media_start_ns` decides where the media
//! timeline begins: at the origin itself for the session's own start, so audio covers the session
//! from 0 like video does, and at the request for a start long after it (a restarted child).

/// Audio sample rate of the whole pipeline after resampling.
pub const SAMPLE_RATE: u32 = 48_000;

/// A start requested at most this long after the origin is the session's start (the host sets
/// the origin, then launches the children), so the media timeline begins at session time 0. A
/// later start is a child restarted after a crash: padding it from 0 would overlap segments the
/// first child already finished — which cannot happen within this window, since the shortest
/// segment (1 s) is finished no sooner than 1 s plus the 250 ms look-behind after the origin.
pub const START_SNAP_NS: u128 = 1_000_000_000;

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

    /// CLOCK_MONOTONIC instant at which the media timeline of a start requested at
    /// `requested_ns` begins: the origin when the request came within `START_SNAP_NS` of it
    /// (or before it), else the request itself. Never an instant after the request, except an
    /// origin the host put in the future, whose media then begins at the origin.
    pub fn media_start_ns(&self, requested_ns: u64) -> u64 {
        if self.ns_at(requested_ns) > START_SNAP_NS {
            return requested_ns;
        }
        u64::try_from(self.origin_ns).unwrap_or(requested_ns)
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

    #[test]
    fn a_start_soon_after_the_origin_puts_the_media_start_on_it() {
        let c = SessionClock::new(5_000_000_000);
        assert_eq!(c.media_start_ns(5_000_000_000), 5_000_000_000);
        assert_eq!(c.media_start_ns(5_700_000_000), 5_000_000_000, "0.7 s of start-up is padded");
        assert_eq!(c.media_start_ns(6_000_000_000), 5_000_000_000, "the window's end is inside");
        assert_eq!(c.ns_at(c.media_start_ns(5_400_000_000)), 0, "the first sample is sample 0");
    }

    #[test]
    fn a_late_start_begins_at_the_request() {
        let c = SessionClock::new(5_000_000_000);
        assert_eq!(c.media_start_ns(6_000_000_001), 6_000_000_001);
        assert_eq!(c.media_start_ns(65_000_000_000), 65_000_000_000, "a restart a minute in");
    }

    #[test]
    fn an_origin_in_the_future_or_out_of_range_is_handled() {
        let future = SessionClock::new(9_000_000_000);
        assert_eq!(future.media_start_ns(8_000_000_000), 9_000_000_000);
        let huge = SessionClock::new(u64::MAX as u128 + 1);
        assert_eq!(huge.media_start_ns(1_000), 1_000, "an origin no u64 holds starts at the request");
    }
}
