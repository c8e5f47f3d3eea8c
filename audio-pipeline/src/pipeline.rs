//! The pipeline thread of one recording: every 20 ms it pulls what the devices captured,
//! resamples, mixes the media time that is now due minus a look-behind (250 ms, or a device's
//! largest block plus 40 ms, so late device buffers still make it), limits, and hands the frames
//! to the segmenter; once a second it reports health; twice a second it checks the devices.
//! Guarantees: the media timeline advances with CLOCK_MONOTONIC (never with a device's own
//! pace), so audio stays on the host's session clock; it begins at session time 0 for the
//! session's own start (`SessionClock::media_start_ns`) — the time the devices take to open and
//! deliver (0.1–0.7 s with PulseAudio) is silence, so the first segment covers the same media
//! time as the first video segment — and at the request for a restart; paused time is never put
//! on the timeline; pause mixes everything captured before it (and cuts the not-yet-delivered
//! rest with the pause, so resume joins without silence — except before any device delivered
//! its first sample: that start-up silence is kept up to the pause, so audio does not fall
//! behind video); stop and EOF mix up to "now" so nothing captured
//! before them is lost; a segment write failure (disk full) ends the recording with an error
//! event, keeping every finished segment.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use crate::clock::{monotonic_ns, ns_to_samples, SessionClock, SAMPLE_RATE};
use crate::emit::Emitter;
use crate::encode::opus::OpusEncoder;
use crate::error_code::ErrorCode;
use crate::mix::{mix_into, Limiter};
use crate::protocol::{
    ChildState, DeviceState, Fraction, HealthEvent, Level, NonNeg, Output, PerSource, RequestId, TimelineKind,
};
use crate::ring::FillWatch;
use crate::segment::{SegmentError, Segmenter};
use crate::slot::{Slot, SlotKind, SILENT_AFTER_NS};

const TICK: Duration = Duration::from_millis(20);
/// Media is mixed at least this far behind "now", so a device's late buffer — or a capture
/// thread the scheduler held back on a loaded machine — still lands in place; a device that
/// delivers bigger blocks gets its block size plus `LOOK_BEHIND_MARGIN`, up to `LOOK_BEHIND_MAX`.
pub const LOOK_BEHIND_FRAMES: u64 = SAMPLE_RATE as u64 * 250 / 1000;
const LOOK_BEHIND_MARGIN: u64 = SAMPLE_RATE as u64 * 40 / 1000;
const LOOK_BEHIND_MAX: u64 = SAMPLE_RATE as u64 / 2;
const HEALTH_EVERY_NS: u64 = 1_000_000_000;
const WATCH_EVERY_NS: u64 = 500_000_000;
const DEFAULT_CHECK_EVERY_NS: u64 = 2_000_000_000;
const RETRY_EVERY_NS: u64 = 1_000_000_000;
pub const OPUS_BITRATE: i32 = 96_000;
pub const OPUS_COMPLEXITY: i32 = 5;

/// Messages from the control thread. `None` ids come from stdin EOF.
#[derive(Debug)]
pub enum Control {
    Pause(RequestId),
    Resume(RequestId),
    Stop(Option<RequestId>),
}

pub struct PipelineConfig {
    pub clock: SessionClock,
    /// CLOCK_MONOTONIC ns at which the start command arrived (before any device was opened).
    pub requested_ns: u64,
    pub spool_dir: PathBuf,
    pub segment_seconds: u32,
}

pub struct Pipeline {
    clock: SessionClock,
    emitter: Emitter,
    slots: Vec<Slot>,
    segmenter: Segmenter<OpusEncoder>,
    limiter: Limiter,
    start_ns: u64,
    paused_total_ns: u64,
    paused_since: Option<u64>,
    /// Frames mixed since the start.
    mixed: u64,
    /// Whether any device has delivered a sample since the start.
    heard: bool,
    mix: Vec<f32>,
    scratch: Vec<f32>,
    fill: FillWatch,
    next_health: u64,
    next_watch: u64,
    next_default_check: u64,
}

/// Why a pipeline could not start.
#[derive(Debug)]
pub struct StartError {
    pub code: ErrorCode,
    pub message: String,
}

impl Pipeline {
    /// Opens the devices and the spool. The media timeline starts where the clock says (the
    /// origin, or the request), not after the devices opened; `run` mixes from there on.
    pub fn new(cfg: PipelineConfig, mut slots: Vec<Slot>, emitter: Emitter) -> Result<Self, StartError> {
        for slot in &mut slots {
            slot.open().map_err(|e| StartError { code: ErrorCode::SourceUnavailable, message: e.to_string() })?;
        }
        let encoder = OpusEncoder::new(OPUS_BITRATE, OPUS_COMPLEXITY)
            .map_err(|e| StartError { code: ErrorCode::EncoderFailed, message: e.to_string() })?;
        let start_ns = cfg.clock.media_start_ns(cfg.requested_ns);
        let first_sample = ns_to_samples(cfg.clock.ns_at(start_ns));
        let segmenter = Segmenter::new(encoder, cfg.spool_dir, cfg.segment_seconds, first_sample)
            .map_err(|e| StartError { code: segment_error_code(&e), message: e.to_string() })?;
        Ok(Self {
            clock: cfg.clock,
            emitter,
            slots,
            segmenter,
            limiter: Limiter::default(),
            start_ns,
            paused_total_ns: 0,
            paused_since: None,
            mixed: 0,
            heard: false,
            mix: Vec::with_capacity(SAMPLE_RATE as usize),
            scratch: Vec::with_capacity(SAMPLE_RATE as usize),
            fill: FillWatch::new(0.9, 0.7),
            next_health: start_ns + HEALTH_EVERY_NS,
            next_watch: start_ns + WATCH_EVERY_NS,
            next_default_check: start_ns + DEFAULT_CHECK_EVERY_NS,
        })
    }

    /// Media frames due by `now` (paused time excluded).
    fn due(&self, now: u64) -> u64 {
        let paused = self.paused_total_ns + self.paused_since.map_or(0, |p| now.saturating_sub(p));
        ns_to_samples(now.saturating_sub(self.start_ns).saturating_sub(paused) as u128)
    }

    fn ts(&self, now: u64) -> u64 {
        self.clock.us_at(now)
    }

    fn emit(&self, out: Output) {
        self.emitter.emit(&out);
    }

    /// Runs until stop, EOF or a fatal error. Returns when the last segment event is out.
    pub fn run(mut self, control: Receiver<Control>) {
        loop {
            match control.recv_timeout(TICK) {
                Ok(Control::Pause(id)) => {
                    if let Err(e) = self.pause(id) {
                        return self.fail(e);
                    }
                }
                Ok(Control::Resume(id)) => self.resume(id),
                Ok(Control::Stop(id)) => return self.stop(id),
                Err(RecvTimeoutError::Disconnected) => return self.stop(None),
                Err(RecvTimeoutError::Timeout) => {}
            }
            if let Err(e) = self.tick() {
                return self.fail(e);
            }
        }
    }

    fn tick(&mut self) -> Result<(), SegmentError> {
        let now = monotonic_ns();
        if self.paused_since.is_some() {
            for slot in &mut self.slots {
                slot.discard();
            }
        } else {
            let due = self.due(now);
            self.pull(due);
            let burst = self.slots.iter().map(Slot::max_block_frames).max().unwrap_or(0);
            let look_behind = (burst + LOOK_BEHIND_MARGIN).clamp(LOOK_BEHIND_FRAMES, LOOK_BEHIND_MAX);
            let target = due.saturating_sub(look_behind);
            self.mix_until(target)?;
        }
        if now >= self.next_watch {
            self.next_watch = now + WATCH_EVERY_NS;
            self.watch_devices(now);
        }
        if now >= self.next_health {
            self.next_health = now + HEALTH_EVERY_NS;
            if self.paused_since.is_none() {
                self.report_health(now);
            }
        }
        Ok(())
    }

    fn pull(&mut self, due: u64) {
        let ideal = due.saturating_sub(self.mixed) as usize;
        for i in 0..self.slots.len() {
            if let Err(e) = self.slots[i].pull(ideal) {
                eprintln!("sessions-audio: resampling failed, reopening the device: {e}");
                self.slots[i].close();
            }
        }
        self.heard |= self.slots.iter().any(|s| s.buffered_frames() > 0);
    }

    fn mix_until(&mut self, target: u64) -> Result<(), SegmentError> {
        while self.mixed < target {
            let n = (target - self.mixed).min(SAMPLE_RATE as u64 / 10) as usize;
            self.mix.clear();
            self.mix.resize(n * 2, 0.0);
            for slot in &mut self.slots {
                slot.take(n, &mut self.scratch);
                mix_into(&mut self.mix, &self.scratch, slot.gain);
            }
            self.limiter.process(&mut self.mix);
            let emitter = &self.emitter;
            self.segmenter.push(&self.mix, &mut |ev| emitter.emit(&Output::Segment(ev)))?;
            self.mixed += n as u64;
        }
        Ok(())
    }

    /// Mixes the media up to now (no look-behind), silence where a source has nothing.
    fn drain_to_now(&mut self) -> Result<(), SegmentError> {
        let due = self.due(monotonic_ns());
        self.pull(due);
        self.mix_until(due)
    }

    /// Mixes everything captured so far (no look-behind), up to the newest sample any source
    /// delivered — not further, so a pause adds no silence. Returns the frames between that
    /// point and "now" (audio not captured yet), which the pause cuts out with itself.
    fn drain_captured(&mut self, now: u64) -> Result<u64, SegmentError> {
        let due = self.due(now);
        self.pull(due);
        let newest = if self.heard {
            self.slots.iter().map(Slot::buffered_frames).max().unwrap_or(0) as u64
        } else {
            // Nothing was captured yet: no audio waits to join after resume, and cutting the
            // start-up silence would put the audio that much ahead of the video.
            due.saturating_sub(self.mixed)
        };
        let target = (self.mixed + newest).min(due);
        self.mix_until(target)?;
        Ok(due - target)
    }

    fn pause(&mut self, id: RequestId) -> Result<(), SegmentError> {
        if self.paused_since.is_some() {
            self.emit(Output::error(Some(id.as_str()), ErrorCode::InvalidState, "already paused"));
            return Ok(());
        }
        let now = monotonic_ns();
        let uncaptured = self.drain_captured(now)?;
        // The pause starts where the captured audio ends, so resume continues seamlessly.
        self.paused_since = Some(now.saturating_sub(uncaptured * 1_000_000_000 / SAMPLE_RATE as u64));
        self.emit(Output::Ok { id });
        self.emit(Output::State { state: ChildState::Paused, ts: self.ts(now) });
        let at = self.segmenter.position();
        self.emit(Output::timeline(self.ts(now), TimelineKind::Pause, format!("paused at media sample {at}")));
        Ok(())
    }

    fn resume(&mut self, id: RequestId) {
        let Some(since) = self.paused_since.take() else {
            return self.emit(Output::error(Some(id.as_str()), ErrorCode::InvalidState, "not paused"));
        };
        let now = monotonic_ns();
        self.paused_total_ns += now.saturating_sub(since);
        for slot in &mut self.slots {
            slot.discard();
        }
        self.emit(Output::Ok { id });
        self.emit(Output::State { state: ChildState::Recording, ts: self.ts(now) });
        let cut = (now - since) / 1_000;
        self.emit(Output::timeline(
            self.ts(now),
            TimelineKind::Resume,
            format!("resumed; {cut} µs of pause cut from the media"),
        ));
    }

    fn stop(mut self, id: Option<RequestId>) {
        // Stop covers the media up to now: what the devices delivered, then silence for a
        // source that is late or idle (nothing after the stop can fill it in anyway).
        let result = if self.paused_since.is_some() { Ok(()) } else { self.drain_to_now() };
        let result = result.and_then(|_| self.segmenter.flush());
        match result {
            Ok(last) => {
                if let Some(ev) = last {
                    self.emit(Output::Segment(ev));
                }
                if let Some(id) = id {
                    self.emit(Output::Ok { id });
                }
            }
            Err(e) => {
                let code = segment_error_code(&e);
                self.emit(Output::error(id.as_ref().map(|i| i.as_str()), code, e.to_string()));
            }
        }
        for slot in &mut self.slots {
            slot.close();
        }
        self.emit(Output::State { state: ChildState::Stopped, ts: self.ts(monotonic_ns()) });
    }

    fn fail(mut self, e: SegmentError) {
        eprintln!("sessions-audio: recording stops: {e}");
        self.emit(Output::error(None, segment_error_code(&e), format!("recording stopped: {e}")));
        for slot in &mut self.slots {
            slot.close();
        }
        self.emit(Output::State { state: ChildState::Stopped, ts: self.ts(monotonic_ns()) });
    }

    fn watch_devices(&mut self, now: u64) {
        let check_default = now >= self.next_default_check;
        if check_default {
            self.next_default_check = now + DEFAULT_CHECK_EVERY_NS;
        }
        let ts = self.ts(now);
        for i in 0..self.slots.len() {
            let mut events = Vec::new();
            let slot = &mut self.slots[i];
            let label = match slot.kind {
                SlotKind::Mic(_) => "microphone",
                SlotKind::System => "system audio",
            };
            if slot.failed() {
                events.push((TimelineKind::DeviceLost, format!("{label} '{}' is gone", slot.name())));
                slot.close();
                slot.state = DeviceState::Missing;
                slot.last_retry_ns = 0;
            } else if slot.is_open()
                && !slot.silent_reported
                && self.paused_since.is_none()
                && now.saturating_sub(slot.last_activity_ns()) > SILENT_AFTER_NS
            {
                slot.silent_reported = true;
                slot.state = DeviceState::Silent;
                events
                    .push((TimelineKind::DeviceSilent, format!("{label} '{}' delivered nothing for 2 s", slot.name())));
                // A default mic that stops calling back is replaced by whatever is default now.
                // A sink monitor legitimately stops while nothing plays (PulseAudio's idle
                // sinks render nothing), so system audio only follows default-sink changes.
                if matches!(slot.kind, SlotKind::Mic(_)) && slot.follows_default() {
                    slot.close();
                    slot.last_retry_ns = 0;
                }
            } else if slot.silent_reported && now.saturating_sub(slot.last_activity_ns()) <= SILENT_AFTER_NS {
                slot.silent_reported = false;
                slot.state = DeviceState::Ok;
            }
            if slot.is_open() && check_default && slot.follows_default() {
                let current = slot.current_default();
                if current.is_some() && current != slot.default_ident {
                    let old = slot.name();
                    match slot.open() {
                        Ok(()) => {
                            slot.state = DeviceState::Switched;
                            events.push((
                                TimelineKind::DeviceSwitched,
                                format!("{label}: default changed from '{old}' to '{}'", slot.name()),
                            ));
                        }
                        Err(e) => {
                            slot.state = DeviceState::Missing;
                            events.push((TimelineKind::DeviceLost, format!("{label}: new default unusable: {e}")));
                        }
                    }
                }
            }
            if !slot.is_open() && now.saturating_sub(slot.last_retry_ns) >= RETRY_EVERY_NS {
                slot.last_retry_ns = now;
                if slot.open().is_ok() {
                    slot.state = DeviceState::Switched;
                    events.push((TimelineKind::DeviceSwitched, format!("{label} now records from '{}'", slot.name())));
                } else if slot.state == DeviceState::Ok {
                    slot.state = DeviceState::Missing;
                }
            }
            for (kind, detail) in events {
                eprintln!("sessions-audio: {detail}");
                self.emit(Output::timeline(ts, kind, detail));
            }
        }
    }

    fn report_health(&mut self, now: u64) {
        let mut fill: f64 = 0.0;
        let (mut overruns, mut dropped) = (0, 0);
        let mut jitter: f64 = 0.0;
        let mut levels = PerSource { mic: None, system: None };
        let mut devices = PerSource { mic: None, system: None };
        for slot in &mut self.slots {
            fill = fill.max(slot.max_fill);
            slot.max_fill = 0.0;
            overruns += slot.overruns();
            dropped += slot.dropped_frames();
            jitter = jitter.max(slot.take_jitter_us().unwrap_or(0.0));
            let (rms, peak) = slot.meter.take();
            let level = Level { rms: NonNeg::clamped(rms), peak: NonNeg::clamped(peak) };
            match slot.kind {
                SlotKind::Mic(_) => {
                    levels.mic = Some(level);
                    devices.mic = Some(slot.state);
                }
                SlotKind::System => {
                    levels.system = Some(level);
                    devices.system = Some(slot.state);
                }
            }
            // "switched" is reported once, in the next health event.
            if slot.state == DeviceState::Switched {
                slot.state = DeviceState::Ok;
            }
        }
        if let Some(on) = self.fill.update(fill) {
            let detail = if on { "capture buffer above 90 %" } else { "capture buffer back below 70 %" };
            self.emit(Output::timeline(self.ts(now), TimelineKind::Warning, detail));
        }
        let lag_frames =
            self.due(now).saturating_sub(self.segmenter.encoded_until().saturating_sub(self.first_sample()));
        let health = HealthEvent {
            ts: self.ts(now),
            buffer_fill: Fraction::clamped(fill),
            buffer_warning: self.fill.warning,
            overruns,
            dropped_samples: dropped,
            callback_jitter_us: NonNeg::clamped(jitter),
            encoder_lag_ms: NonNeg::clamped(lag_frames as f64 * 1000.0 / SAMPLE_RATE as f64),
            levels,
            devices,
        };
        self.emit(Output::Health(health));
    }

    fn first_sample(&self) -> u64 {
        self.segmenter.position() - self.mixed
    }
}

pub fn segment_error_code(e: &SegmentError) -> ErrorCode {
    match e {
        SegmentError::DiskFull(_) => ErrorCode::DiskFull,
        SegmentError::Io { .. } => ErrorCode::Internal,
        SegmentError::Encode(_) => ErrorCode::EncoderFailed,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{self, Sender};
    use std::thread::JoinHandle;
    use std::time::Duration;

    use serde_json::Value;

    use super::*;
    use crate::capture::synthetic::{Signal, Synthetic};
    use crate::capture::MicSpec;
    use crate::clock::samples_to_us;
    use crate::emit::Captured;

    /// A running pipeline with a synthetic tone, whose start request came `origin_ago_ms` after
    /// the session origin.
    struct Run {
        control: Sender<Control>,
        thread: JoinHandle<()>,
        captured: Captured,
        clock: SessionClock,
        dir: PathBuf,
    }

    impl Run {
        fn start(name: &str, origin_ago_ms: u64) -> Self {
            let dir = std::env::temp_dir().join(format!("sessions-audio-pipeline-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let captured = Captured::default();
            let now = monotonic_ns();
            let clock = SessionClock::new((now - origin_ago_ms * 1_000_000) as u128);
            let cfg = PipelineConfig { clock, requested_ns: now, spool_dir: dir.clone(), segment_seconds: 1 };
            let spec = MicSpec::Synthetic(Synthetic { signal: Signal::Tone(440.0), fault: None });
            let slots = vec![Slot::new(SlotKind::Mic(spec), 1.0)];
            let pipeline = Pipeline::new(cfg, slots, Emitter::new(Box::new(captured.clone()))).unwrap();
            let (control, rx) = mpsc::channel();
            let thread = std::thread::spawn(move || pipeline.run(rx));
            Self { control, thread, captured, clock, dir }
        }

        /// Stops; returns the segment events and the session ns of the stop.
        fn stop(self) -> (Vec<Value>, u128) {
            let stopped = self.clock.ns_at(monotonic_ns());
            self.control.send(Control::Stop(None)).unwrap();
            self.thread.join().unwrap();
            let _ = std::fs::remove_dir_all(&self.dir);
            (self.captured.lines().into_iter().filter(|v| v["type"] == "segment").collect(), stopped)
        }
    }

    fn sleep_ms(ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    fn id(s: &str) -> RequestId {
        RequestId::try_from(s.to_string()).unwrap()
    }

    /// Checks the segments are contiguous with exact µs stamps; returns the samples they cover.
    fn contiguous_units(segments: &[Value]) -> u64 {
        let first = segments[0]["firstSample"].as_u64().unwrap();
        let mut next = first;
        for s in segments {
            assert_eq!(s["firstSample"].as_u64().unwrap(), next, "{s}");
            let units = s["units"].as_u64().unwrap();
            assert_eq!(s["startUs"].as_u64().unwrap(), samples_to_us(next));
            assert_eq!(s["endUs"].as_u64().unwrap(), samples_to_us(next + units));
            next += units;
        }
        next - first
    }

    #[test]
    fn the_start_up_delay_is_silence_from_session_time_zero() {
        // The start request arrives 400 ms after the origin (the host launched the child then).
        let run = Run::start("startup", 400);
        sleep_ms(1_300);
        let (segments, stopped) = run.stop();
        let first = &segments[0];
        assert_eq!((first["firstSample"].as_u64(), first["startUs"].as_u64()), (Some(0), Some(0)), "{first}");
        assert_eq!((first["units"].as_u64(), first["endUs"].as_u64()), (Some(48_000), Some(1_000_000)));
        let covered = contiguous_units(&segments) as i64;
        let elapsed = ns_to_samples(stopped) as i64;
        assert!((covered - elapsed).abs() < 48 * 40, "covered {covered} samples of {elapsed}");
    }

    #[test]
    fn a_restarted_child_begins_at_its_request() {
        let run = Run::start("restart", 5_000);
        sleep_ms(600);
        let (segments, stopped) = run.stop();
        let first = segments[0]["firstSample"].as_u64().unwrap();
        assert!((first as i64 - 240_000).abs() < 48, "first sample {first}: the request, 5 s in");
        let covered = contiguous_units(&segments) as i64;
        let elapsed = ns_to_samples(stopped) as i64 - first as i64;
        assert!((covered - elapsed).abs() < 48 * 40, "covered {covered} samples of {elapsed}");
    }

    #[test]
    fn a_pause_before_the_first_sample_keeps_the_start_up_silence() {
        let run = Run::start("pause-first", 400);
        run.control.send(Control::Pause(id("p"))).unwrap();
        sleep_ms(300);
        let resumed = run.clock.ns_at(monotonic_ns());
        run.control.send(Control::Resume(id("r"))).unwrap();
        sleep_ms(500);
        let (segments, stopped) = run.stop();
        assert_eq!(segments[0]["firstSample"], 0);
        let covered = contiguous_units(&segments) as i64;
        // The 400 ms of start-up silence before the pause, then the time since the resume.
        let want = ns_to_samples(400_000_000 + stopped - resumed) as i64;
        assert!((covered - want).abs() < 48 * 40, "covered {covered} samples, want {want}");
    }
}
