//! Microphones through cpal (ALSA on Linux — which reaches PulseAudio/PipeWire through the ALSA
//! plugin —, CoreAudio on macOS, WASAPI on Windows). The data callback is the feedback.rs shape:
//! convert into a buffer allocated before the stream starts, push into the ring, note the time;
//! no allocation, lock or logging (the first call also asks for real-time scheduling, `crate::rt`). cpal streams are not `Send`, so each stream lives on its own
//! thread, which reports the opened format (or the error) back before `open` returns.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{Device, FromSample, SampleFormat, SizedSample, StreamConfig};

use super::{ring_frames, CaptureError, Format, OpenSource, SourceHandle};
use crate::clock::monotonic_ns;
use crate::protocol::AudioInputInfo;
use crate::ring::{capture_ring, RingWriter};

/// Scratch samples for converting integer formats inside the callback; a multiple of every
/// channel count from 1 to 8, so a chunk never splits a frame.
const SCRATCH: usize = 20_160;

fn host_prefix(host: &cpal::Host) -> String {
    host.id().name().to_lowercase()
}

/// Stable id of a device: `<host>:<name>`.
pub fn device_id(host: &cpal::Host, name: &str) -> String {
    format!("{}:{}", host_prefix(host), name)
}

/// Every input device with its default format.
pub fn list_inputs() -> Vec<AudioInputInfo> {
    let host = cpal::default_host();
    let default = host.default_input_device().and_then(|d| d.name().ok());
    let Ok(devices) = host.input_devices() else { return Vec::new() };
    let mut out = Vec::new();
    for d in devices {
        let (Ok(name), Ok(cfg)) = (d.name(), d.default_input_config()) else { continue };
        out.push(AudioInputInfo {
            id: device_id(&host, &name),
            is_default: default.as_deref() == Some(name.as_str()),
            name,
            channels: cfg.channels().max(1) as u32,
            sample_rate: cfg.sample_rate().0.max(1),
        });
    }
    out
}

/// Name of the current default input device, if any.
pub fn default_input_name() -> Option<String> {
    cpal::default_host().default_input_device().and_then(|d| d.name().ok())
}

fn find_device(id: &str) -> Result<Device, CaptureError> {
    let host = cpal::default_host();
    if id == "default" {
        return host
            .default_input_device()
            .ok_or_else(|| CaptureError::Unavailable("there is no default microphone".into()));
    }
    let prefix = format!("{}:", host_prefix(&host));
    let wanted = id.strip_prefix(&prefix).unwrap_or(id);
    let devices =
        host.input_devices().map_err(|e| CaptureError::Unavailable(format!("cannot list microphones: {e}")))?;
    for d in devices {
        if d.name().ok().as_deref() == Some(wanted) {
            return Ok(d);
        }
    }
    Err(CaptureError::Unavailable(format!("no microphone named '{id}'")))
}

pub fn open(id: &str) -> Result<OpenSource, CaptureError> {
    let device = find_device(id)?;
    let config = device
        .default_input_config()
        .map_err(|e| CaptureError::Unavailable(format!("microphone '{id}' has no usable format: {e}")))?;
    open_device(device, config.sample_format(), config.config(), id.to_string())
}

/// Opens an input stream on `device` (also used for WASAPI loopback on an output device).
pub fn open_device(
    device: Device,
    format: SampleFormat,
    config: StreamConfig,
    name: String,
) -> Result<OpenSource, CaptureError> {
    let fmt = Format { rate: config.sample_rate.0, channels: config.channels.max(1) as usize };
    let (writer, reader) = capture_ring(ring_frames(fmt.rate), fmt.channels);
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), CaptureError>>();
    let (stop_t, failed_t) = (stop.clone(), failed.clone());
    let thread = std::thread::Builder::new()
        .name("mic-stream".into())
        .spawn(move || {
            let stream = match build(&device, format, &config, writer, failed_t.clone()) {
                Ok(s) => s,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            if let Err(e) = stream.play() {
                let _ = ready_tx.send(Err(CaptureError::Unavailable(format!("cannot start the microphone: {e}"))));
                return;
            }
            let _ = ready_tx.send(Ok(()));
            while !stop_t.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
            drop(stream);
        })
        .map_err(|e| CaptureError::Unavailable(format!("cannot start a capture thread: {e}")))?;
    match ready_rx.recv_timeout(Duration::from_secs(4)) {
        Ok(Ok(())) => Ok(OpenSource { reader, format: fmt, name, handle: SourceHandle::new(stop, failed, thread) }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            stop.store(true, Ordering::Relaxed);
            Err(CaptureError::Unavailable(format!("microphone '{name}' did not start within 4 s")))
        }
    }
}

fn build(
    device: &Device,
    format: SampleFormat,
    config: &StreamConfig,
    writer: RingWriter,
    failed: Arc<AtomicBool>,
) -> Result<cpal::Stream, CaptureError> {
    let stats = writer.stats().clone();
    let on_error = move |e: cpal::StreamError| {
        // Not the data callback: logging here is allowed. Only a vanished device ends the
        // stream; anything else (an ALSA xrun, say) is counted and the stream carries on.
        eprintln!("sessions-audio: microphone stream error: {e}");
        match e {
            cpal::StreamError::DeviceNotAvailable => failed.store(true, Ordering::Relaxed),
            cpal::StreamError::BackendSpecific { .. } => {
                stats.overruns.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    let result = match format {
        SampleFormat::F32 => {
            let mut writer = writer;
            let mut promoted = false;
            device.build_input_stream(
                config,
                move |data: &[f32], _: &cpal::InputCallbackInfo| {
                    if !promoted {
                        promoted = true;
                        crate::rt::promote_current_thread();
                    }
                    writer.stats().note_callback(monotonic_ns());
                    writer.push(data);
                },
                on_error,
                None,
            )
        }
        SampleFormat::I16 => build_converting::<i16>(device, config, writer, on_error),
        SampleFormat::I32 => build_converting::<i32>(device, config, writer, on_error),
        SampleFormat::U16 => build_converting::<u16>(device, config, writer, on_error),
        SampleFormat::U8 => build_converting::<u8>(device, config, writer, on_error),
        SampleFormat::F64 => build_converting::<f64>(device, config, writer, on_error),
        other => return Err(CaptureError::Unavailable(format!("unsupported sample format {other}"))),
    };
    result.map_err(|e| match e {
        cpal::BuildStreamError::DeviceNotAvailable => CaptureError::Unavailable("the microphone is gone".into()),
        other => CaptureError::Unavailable(format!("cannot open the microphone: {other}")),
    })
}

fn build_converting<T>(
    device: &Device,
    config: &StreamConfig,
    mut writer: RingWriter,
    on_error: impl FnMut(cpal::StreamError) + Send + 'static,
) -> Result<cpal::Stream, cpal::BuildStreamError>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let mut scratch = vec![0f32; SCRATCH];
    let mut promoted = false;
    device.build_input_stream(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            if !promoted {
                promoted = true;
                crate::rt::promote_current_thread();
            }
            writer.stats().note_callback(monotonic_ns());
            for chunk in data.chunks(SCRATCH) {
                for (d, s) in scratch.iter_mut().zip(chunk) {
                    *d = f32::from_sample_(*s);
                }
                writer.push(&scratch[..chunk.len()]);
            }
        },
        on_error,
        None,
    )
}
