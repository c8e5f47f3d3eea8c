//! The control side: turns decoded commands into replies and drives at most one recording.
//! Guarantees: every command gets exactly one reply (`ok`, `sources` or a coded `error`) — from
//! here, or from the pipeline thread for pause/resume/stop, which must answer after the events
//! they cause; commands that make no sense now get INVALID_STATE and change nothing; a device
//! that cannot be opened answers SOURCE_UNAVAILABLE and leaves the process ready for the next
//! command. `finish` (stdin EOF) closes the current segment and returns once it is written.

use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use crate::capture::{self, MicSpec};
use crate::clock::{monotonic_ns, SessionClock};
use crate::emit::Emitter;
use crate::error_code::ErrorCode;
use crate::pipeline::{Control, Pipeline, PipelineConfig};
use crate::protocol::{ChildState, Command, Output, RequestId, StartCommand};
use crate::slot::{Slot, SlotKind};

struct Running {
    control: Sender<Control>,
    thread: JoinHandle<()>,
}

pub struct Session {
    emitter: Emitter,
    running: Option<Running>,
}

impl Session {
    pub fn new(emitter: Emitter) -> Self {
        Self { emitter, running: None }
    }

    fn emit(&self, out: Output) {
        self.emitter.emit(&out);
    }

    /// A recording that ended by itself (disk full) no longer counts as running.
    fn reap(&mut self) {
        if self.running.as_ref().is_some_and(|r| r.thread.is_finished()) {
            if let Some(r) = self.running.take() {
                let _ = r.thread.join();
            }
        }
    }

    pub fn handle(&mut self, cmd: Command) {
        self.reap();
        match cmd {
            Command::ListSources(c) => self.list_sources(c.id),
            Command::Start(c) => self.start(c),
            Command::Pause(c) => {
                self.forward(c.id.clone(), Control::Pause(c.id));
            }
            Command::Resume(c) => {
                self.forward(c.id.clone(), Control::Resume(c.id));
            }
            Command::Stop(c) => {
                if self.forward(c.id.clone(), Control::Stop(Some(c.id))) {
                    self.join();
                }
            }
        }
    }

    fn list_sources(&self, id: RequestId) {
        let inputs = capture::cpal_mic::list_inputs();
        let system = capture::system::info();
        self.emit(Output::Sources { id, inputs, system });
    }

    fn forward(&mut self, id: RequestId, msg: Control) -> bool {
        match &self.running {
            Some(r) if r.control.send(msg).is_ok() => true,
            _ => {
                self.emit(Output::error(Some(id.as_str()), ErrorCode::InvalidState, "not recording"));
                false
            }
        }
    }

    fn join(&mut self) {
        if let Some(r) = self.running.take() {
            drop(r.control);
            let _ = r.thread.join();
        }
    }

    fn start(&mut self, c: StartCommand) {
        let requested_ns = monotonic_ns();
        let id = c.id.as_str().to_string();
        if self.running.is_some() {
            return self.emit(Output::error(Some(&id), ErrorCode::InvalidState, "already recording"));
        }
        if c.mic.is_none() && c.system.is_none() {
            return self.emit(Output::error(
                Some(&id),
                ErrorCode::BadRequest,
                "neither mic nor system audio requested",
            ));
        }
        let mut slots = Vec::new();
        if let Some(mic) = &c.mic {
            match MicSpec::parse(mic.device.as_str()) {
                Ok(spec) => slots.push(Slot::new(SlotKind::Mic(spec), mic.gain.value())),
                Err(e) => return self.emit(Output::error(Some(&id), ErrorCode::SourceUnavailable, e.to_string())),
            }
        }
        if let Some(sys) = &c.system {
            slots.push(Slot::new(SlotKind::System, sys.gain.value()));
        }
        let clock = SessionClock::new(c.clock.origin_ns.nanos());
        let cfg = PipelineConfig {
            clock,
            requested_ns,
            spool_dir: PathBuf::from(c.spool_dir.as_str()),
            segment_seconds: c.segment_seconds.get(),
        };
        let pipeline = match Pipeline::new(cfg, slots, self.emitter.clone()) {
            Ok(p) => p,
            Err(e) => return self.emit(Output::error(Some(&id), e.code, e.message)),
        };
        let (tx, rx) = mpsc::channel();
        let thread = match std::thread::Builder::new().name("pipeline".into()).spawn(move || pipeline.run(rx)) {
            Ok(t) => t,
            Err(e) => {
                return self.emit(Output::error(
                    Some(&id),
                    ErrorCode::Internal,
                    format!("cannot start the pipeline: {e}"),
                ))
            }
        };
        self.running = Some(Running { control: tx, thread });
        self.emit(Output::Ok { id: c.id });
        self.emit(Output::State { state: ChildState::Recording, ts: clock.us_at(monotonic_ns()) });
    }

    /// stdin reached EOF: close the current segment, then return.
    pub fn finish(&mut self) {
        if let Some(r) = &self.running {
            let _ = r.control.send(Control::Stop(None));
        }
        self.join();
    }
}
