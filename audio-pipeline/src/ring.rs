//! The capture ring: a lock-free single-producer single-consumer queue (rtrb) of interleaved f32
//! samples between a device callback and the pipeline thread, plus the counters the callback
//! keeps. Guarantees: after construction `RingWriter::push` never allocates, locks, logs or
//! blocks — it is wait-free; when the ring is full it drops the newest whole frames (never half a
//! frame, so channels stay aligned) and counts an overrun and the dropped frames in atomics.
//! Callback timing (for jitter and the "no callbacks for 2 s" check) is kept in atomics too.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use rtrb::{Consumer, Producer, RingBuffer};

/// Counters shared by a callback (writer) and the pipeline (reader). All relaxed atomics: each
/// is an independent statistic, nothing else is ordered by them.
#[derive(Debug, Default)]
pub struct RingStats {
    pub overruns: AtomicU64,
    /// Frames (samples per channel) dropped because the ring was full.
    pub dropped_frames: AtomicU64,
    pub callbacks: AtomicU64,
    pub last_callback_ns: AtomicU64,
    last_interval_ns: AtomicU64,
    /// Sum of |interval − previous interval| over all callbacks, and how many were summed.
    pub jitter_sum_ns: AtomicU64,
    pub jitter_count: AtomicU64,
    /// Largest block (frames) one push delivered.
    pub max_block_frames: AtomicU64,
}

impl RingStats {
    /// Records that a callback ran at `now_ns` (CLOCK_MONOTONIC). Wait-free.
    pub fn note_callback(&self, now_ns: u64) {
        self.callbacks.fetch_add(1, Relaxed);
        let prev = self.last_callback_ns.swap(now_ns, Relaxed);
        if prev != 0 && now_ns > prev {
            let interval = now_ns - prev;
            let prev_interval = self.last_interval_ns.swap(interval, Relaxed);
            if prev_interval != 0 {
                self.jitter_sum_ns.fetch_add(interval.abs_diff(prev_interval), Relaxed);
                self.jitter_count.fetch_add(1, Relaxed);
            }
        }
    }
}

/// The producer half, owned by exactly one callback.
pub struct RingWriter {
    producer: Producer<f32>,
    channels: usize,
    stats: Arc<RingStats>,
}

/// The consumer half, owned by the pipeline thread.
pub struct RingReader {
    consumer: Consumer<f32>,
    capacity: usize,
    pub channels: usize,
    pub stats: Arc<RingStats>,
}

/// A ring holding `frames` frames of `channels` interleaved samples.
pub fn capture_ring(frames: usize, channels: usize) -> (RingWriter, RingReader) {
    let channels = channels.max(1);
    let capacity = frames.max(1) * channels;
    let (producer, consumer) = RingBuffer::new(capacity);
    let stats = Arc::new(RingStats::default());
    (RingWriter { producer, channels, stats: stats.clone() }, RingReader { consumer, capacity, channels, stats })
}

impl RingWriter {
    /// Pushes interleaved samples; drops what does not fit (whole frames) and counts it.
    pub fn push(&mut self, samples: &[f32]) {
        let whole = samples.len() - samples.len() % self.channels;
        self.stats.max_block_frames.fetch_max((whole / self.channels) as u64, Relaxed);
        let room = self.producer.slots() - self.producer.slots() % self.channels;
        let n = whole.min(room);
        if n > 0 {
            if let Ok(chunk) = self.producer.write_chunk_uninit(n) {
                chunk.fill_from_iter(samples[..n].iter().copied());
            }
        }
        if n < whole {
            self.stats.overruns.fetch_add(1, Relaxed);
            self.stats.dropped_frames.fetch_add(((whole - n) / self.channels) as u64, Relaxed);
        }
    }

    pub fn stats(&self) -> &Arc<RingStats> {
        &self.stats
    }
}

impl RingReader {
    /// Fill of the ring, 0..=1.
    pub fn fill(&self) -> f64 {
        self.consumer.slots() as f64 / self.capacity as f64
    }

    /// Moves everything queued into `out` (appending). Returns the number of samples moved.
    pub fn drain_into(&mut self, out: &mut Vec<f32>) -> usize {
        let n = self.consumer.slots();
        if n == 0 {
            return 0;
        }
        match self.consumer.read_chunk(n) {
            Ok(chunk) => {
                let (a, b) = chunk.as_slices();
                out.extend_from_slice(a);
                out.extend_from_slice(b);
                chunk.commit_all();
                n
            }
            Err(_) => 0,
        }
    }

    /// Throws away everything queued (while paused).
    pub fn discard(&mut self) {
        let n = self.consumer.slots();
        if let Ok(chunk) = self.consumer.read_chunk(n) {
            chunk.commit_all();
        }
    }
}

/// Buffer-fill warning with hysteresis: raised at `warn`, cleared only below `clear`, so a fill
/// hovering around one threshold does not flap.
#[derive(Debug, Clone, Copy)]
pub struct FillWatch {
    warn: f64,
    clear: f64,
    pub warning: bool,
}

impl FillWatch {
    pub fn new(warn: f64, clear: f64) -> Self {
        Self { warn, clear, warning: false }
    }

    /// Feeds a fill; returns `Some(new_state)` when the warning turns on or off.
    pub fn update(&mut self, fill: f64) -> Option<bool> {
        if !self.warning && fill >= self.warn {
            self.warning = true;
            Some(true)
        } else if self.warning && fill < self.clear {
            self.warning = false;
            Some(false)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_samples_through_in_order() {
        let (mut w, mut r) = capture_ring(8, 2);
        w.push(&[1.0, 2.0, 3.0, 4.0]);
        w.push(&[5.0, 6.0]);
        let mut out = Vec::new();
        assert_eq!(r.drain_into(&mut out), 6);
        assert_eq!(out, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(r.stats.overruns.load(Relaxed), 0);
    }

    #[test]
    fn full_ring_drops_whole_frames_and_counts_them() {
        let (mut w, mut r) = capture_ring(4, 2); // 8 samples
        w.push(&[0.5; 6]); // 3 frames
        w.push(&[0.25; 6]); // room for 1 frame: 2 dropped
        assert_eq!(r.stats.overruns.load(Relaxed), 1);
        assert_eq!(r.stats.dropped_frames.load(Relaxed), 2);
        assert!((r.fill() - 1.0).abs() < 1e-9);
        let mut out = Vec::new();
        r.drain_into(&mut out);
        assert_eq!(out, vec![0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]);
        assert_eq!(r.fill(), 0.0);
        // Backpressure is released: the next push fits entirely.
        w.push(&[1.0; 8]);
        assert_eq!(r.stats.overruns.load(Relaxed), 1);
    }

    #[test]
    fn odd_sample_counts_never_split_a_frame() {
        let (mut w, mut r) = capture_ring(4, 2);
        w.push(&[1.0, 2.0, 3.0]);
        let mut out = Vec::new();
        r.drain_into(&mut out);
        assert_eq!(out, vec![1.0, 2.0]);
    }

    #[test]
    fn fill_warning_has_hysteresis() {
        let mut f = FillWatch::new(0.9, 0.7);
        assert_eq!(f.update(0.5), None);
        assert_eq!(f.update(0.91), Some(true));
        assert_eq!(f.update(0.8), None, "still above the clear level");
        assert_eq!(f.update(0.95), None);
        assert_eq!(f.update(0.69), Some(false));
        assert_eq!(f.update(0.85), None, "below warn after clearing");
    }

    #[test]
    fn callback_jitter_is_the_mean_interval_change() {
        let s = RingStats::default();
        for t in [1_000, 11_000, 21_000, 33_000] {
            s.note_callback(t);
        }
        // Intervals 10000, 10000, 12000 → changes 0, 2000.
        assert_eq!(s.jitter_sum_ns.load(Relaxed), 2_000);
        assert_eq!(s.jitter_count.load(Relaxed), 2);
        assert_eq!(s.callbacks.load(Relaxed), 4);
    }
}
