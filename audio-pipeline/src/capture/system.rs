//! System audio per platform, behind one pair of functions: `info` (is it available, what is it
//! called, for `list-sources`) and `open`. Linux: the PulseAudio/PipeWire monitor of the default
//! sink. Windows: WASAPI loopback on the default output device through cpal. macOS: system audio
//! is meant to come from a CoreAudio tap or from swift-capture; that hand-over is not built yet,
//! so it reports itself unavailable (and `open` fails with SOURCE_UNAVAILABLE) rather than
//! pretending. Each platform's code is a few lines under `cfg`.

use super::{CaptureError, OpenSource};
use crate::protocol::SystemAudioInfo;

/// An identity for the current default system-audio device, to notice when it changes.
pub fn current_default() -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        super::pulse::default_sink().ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        info().name
    }
}

#[cfg(target_os = "linux")]
pub fn info() -> SystemAudioInfo {
    match super::pulse::default_monitor() {
        Ok(name) => SystemAudioInfo { available: true, name: Some(name) },
        Err(e) => {
            eprintln!("sessions-audio: system audio unavailable: {e}");
            SystemAudioInfo { available: false, name: None }
        }
    }
}

#[cfg(target_os = "linux")]
pub fn open() -> Result<OpenSource, CaptureError> {
    super::pulse::open()
}

#[cfg(target_os = "windows")]
pub fn info() -> SystemAudioInfo {
    use cpal::traits::{DeviceTrait, HostTrait};
    let name = cpal::default_host().default_output_device().and_then(|d| d.name().ok());
    SystemAudioInfo { available: name.is_some(), name }
}

#[cfg(target_os = "windows")]
pub fn open() -> Result<OpenSource, CaptureError> {
    use cpal::traits::{DeviceTrait, HostTrait};
    let device = cpal::default_host()
        .default_output_device()
        .ok_or_else(|| CaptureError::Unavailable("no default output device for loopback".into()))?;
    let cfg = device.default_output_config().map_err(|e| CaptureError::Unavailable(format!("loopback format: {e}")))?;
    let name = device.name().unwrap_or_else(|_| "loopback".into());
    // WASAPI: an input stream on an output device is a loopback capture.
    super::cpal_mic::open_device(device, cfg.sample_format(), cfg.config(), name)
}

#[cfg(not(any(target_os = "linux", target_os = "windows")))]
pub fn info() -> SystemAudioInfo {
    SystemAudioInfo { available: false, name: None }
}

#[cfg(not(any(target_os = "linux", target_os = "windows")))]
pub fn open() -> Result<OpenSource, CaptureError> {
    Err(CaptureError::Unavailable(
        "system audio on this platform comes from swift-capture, which is not wired up yet".into(),
    ))
}
