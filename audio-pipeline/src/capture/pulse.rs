//! System audio on Linux: the monitor source of the default sink, through libpulse — which is
//! also what PipeWire serves via pipewire-pulse. Recording runs in a thread doing blocking 40 ms
//! reads (`pa_simple`) into a preallocated buffer and pushing them into the ring; the blocking
//! read is the "callback". `server_info` asks the server for its default sink (to name the monitor
//! and to notice when the default changes); it gives up after 2 s rather than hang.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use libpulse_binding as pulse;
use libpulse_simple_binding::Simple;
use pulse::context::{Context, FlagSet as ContextFlags, State as ContextState};
use pulse::def::BufferAttr;
use pulse::mainloop::standard::{IterateResult, Mainloop};
use pulse::sample::{Format as PaFormat, Spec};
use pulse::stream::Direction;

use super::{ring_frames, CaptureError, Format, OpenSource, SourceHandle};
use crate::clock::monotonic_ns;
use crate::ring::capture_ring;

const RATE: u32 = 48_000;
/// 40 ms of stereo f32 frames per read: few wake-ups, well inside the pipeline's 250 ms look-behind.
const READ_FRAMES: usize = 1920;
const APP: &str = "sessions-audio";

/// The name of the default sink's monitor source, or why the server cannot be reached.
pub fn default_monitor() -> Result<String, String> {
    let sink = default_sink()?;
    Ok(format!("{sink}.monitor"))
}

/// The server's default sink name.
pub fn default_sink() -> Result<String, String> {
    let mut ml = Mainloop::new().ok_or("cannot create a PulseAudio main loop")?;
    let mut ctx = Context::new(&ml, APP).ok_or("cannot create a PulseAudio context")?;
    ctx.connect(None, ContextFlags::NOAUTOSPAWN, None).map_err(|e| format!("no PulseAudio server: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(2);
    let iterate = |ml: &mut Mainloop| -> Result<(), String> {
        match ml.iterate(false) {
            IterateResult::Success(_) => Ok(()),
            _ => Err("PulseAudio main loop failed".to_string()),
        }
    };
    loop {
        iterate(&mut ml)?;
        match ctx.get_state() {
            ContextState::Ready => break,
            ContextState::Failed | ContextState::Terminated => {
                return Err("cannot connect to the PulseAudio server".into())
            }
            _ => {}
        }
        if Instant::now() > deadline {
            return Err("PulseAudio server did not answer within 2 s".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let answer: Rc<RefCell<Option<Option<String>>>> = Rc::new(RefCell::new(None));
    let a = answer.clone();
    let _op = ctx.introspect().get_server_info(move |info| {
        *a.borrow_mut() = Some(info.default_sink_name.as_ref().map(|s| s.to_string()));
    });
    while answer.borrow().is_none() {
        iterate(&mut ml)?;
        if Instant::now() > deadline {
            return Err("PulseAudio server did not answer within 2 s".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    ctx.disconnect();
    let sink = answer.borrow_mut().take().flatten();
    sink.ok_or_else(|| "PulseAudio has no default sink".to_string())
}

/// Records the monitor of the current default sink.
pub fn open() -> Result<OpenSource, CaptureError> {
    let monitor = default_monitor().map_err(CaptureError::Unavailable)?;
    let spec = Spec { format: PaFormat::F32le, channels: 2, rate: RATE };
    let attr = BufferAttr {
        maxlength: u32::MAX,
        tlength: u32::MAX,
        prebuf: u32::MAX,
        minreq: u32::MAX,
        fragsize: (READ_FRAMES * 2 * 4) as u32,
    };
    let (mut writer, reader) = capture_ring(ring_frames(RATE), 2);
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), CaptureError>>();
    let (stop_t, failed_t, dev) = (stop.clone(), failed.clone(), monitor.clone());
    let thread = std::thread::Builder::new()
        .name("pulse-monitor".into())
        .spawn(move || {
            let simple =
                match Simple::new(None, APP, Direction::Record, Some(&dev), "system audio", &spec, None, Some(&attr)) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(CaptureError::Unavailable(format!("cannot record '{dev}': {e}"))));
                        return;
                    }
                };
            let _ = ready_tx.send(Ok(()));
            crate::rt::promote_current_thread();
            let mut bytes = vec![0u8; READ_FRAMES * 2 * 4];
            let mut samples = vec![0f32; READ_FRAMES * 2];
            while !stop_t.load(Ordering::Relaxed) {
                if let Err(e) = simple.read(&mut bytes) {
                    eprintln!("sessions-audio: system audio stream ended: {e}");
                    failed_t.store(true, Ordering::Relaxed);
                    return;
                }
                writer.stats().note_callback(monotonic_ns());
                for (s, b) in samples.iter_mut().zip(bytes.chunks_exact(4)) {
                    *s = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
                writer.push(&samples);
            }
        })
        .map_err(|e| CaptureError::Unavailable(format!("cannot start a capture thread: {e}")))?;
    match ready_rx.recv_timeout(Duration::from_secs(4)) {
        Ok(Ok(())) => Ok(OpenSource {
            reader,
            format: Format { rate: RATE, channels: 2 },
            name: monitor,
            handle: SourceHandle::new(stop, failed, thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            stop.store(true, Ordering::Relaxed);
            Err(CaptureError::Unavailable("system audio did not start within 4 s".into()))
        }
    }
}
