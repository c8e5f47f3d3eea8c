//! Capture sources. Each open source owns a thread (or a device stream) whose callback does
//! nothing but push interleaved f32 samples into its lock-free ring (`crate::ring`) and note the
//! callback time; the pipeline thread reads the other end. Dropping a `SourceHandle` stops the
//! source and joins its thread. A source that fails after opening raises its `failed` flag
//! instead of panicking, so the pipeline can report it and reopen.
//!
//! Device ids: `default`, `<host>:<device name>` (e.g. `alsa:default`) from `list-sources`,
//! `synthetic:tone:<Hz>`, `synthetic:sweep`, `synthetic:stall:<ms>`, `synthetic:vanish:<ms>` for tests. System audio has no id: it is the
//! default output's monitor (PulseAudio/PipeWire on Linux, WASAPI loopback on Windows).

pub mod cpal_mic;
pub mod synthetic;
pub mod system;

#[cfg(target_os = "linux")]
pub mod pulse;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use thiserror::Error;

use crate::ring::RingReader;

#[derive(Debug, Error)]
pub enum CaptureError {
    #[error("{0}")]
    Unavailable(String),
    #[error("permission denied: {0}")]
    PermissionDenied(String),
}

/// Frames a capture ring holds: 0.5 s at the device rate.
pub fn ring_frames(rate: u32) -> usize {
    (rate as usize / 2).max(4_800)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub rate: u32,
    pub channels: usize,
}

/// Keeps a source alive; dropping it stops the source.
pub struct SourceHandle {
    stop: Arc<AtomicBool>,
    failed: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SourceHandle {
    pub fn new(stop: Arc<AtomicBool>, failed: Arc<AtomicBool>, thread: JoinHandle<()>) -> Self {
        Self { stop, failed, thread: Some(thread) }
    }

    /// True once the device reported an error or its stream ended.
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }
}

impl Drop for SourceHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An opened source: the ring's reading end, the device format, and what keeps it running.
pub struct OpenSource {
    pub reader: RingReader,
    pub format: Format,
    pub name: String,
    pub handle: SourceHandle,
}

/// Which microphone to open.
#[derive(Debug, Clone, PartialEq)]
pub enum MicSpec {
    Synthetic(synthetic::Synthetic),
    Device(String),
}

impl MicSpec {
    pub fn parse(device: &str) -> Result<Self, CaptureError> {
        match device.strip_prefix("synthetic:") {
            Some(rest) => synthetic::Synthetic::parse(rest).map(MicSpec::Synthetic),
            None => Ok(MicSpec::Device(device.to_string())),
        }
    }

    /// Whether this mic follows the system default (and so should follow a new default).
    pub fn is_default(&self) -> bool {
        matches!(self, MicSpec::Device(d) if d == "default")
    }
}

pub fn open_mic(spec: &MicSpec) -> Result<OpenSource, CaptureError> {
    match spec {
        MicSpec::Synthetic(sig) => synthetic::open(*sig),
        MicSpec::Device(id) => cpal_mic::open(id),
    }
}
