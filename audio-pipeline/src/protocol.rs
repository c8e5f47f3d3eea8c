//! Host ⇄ sessions-audio protocol (JSON lines), mirroring the zod schemas in
//! `shared/src/protocol/child.ts`. Every value that crosses stdin is validated here — ids,
//! session ids, clock origin, segment length, gains — so the rest of the pipeline only ever sees
//! well-formed commands. `decode_command` never panics: any line gets either a command or an
//! error code with the request id when one could be read. Encoding an output and decoding it
//! again yields the same JSON value (the fixtures in `shared/fixtures` check this).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error_code::ErrorCode;

pub const MIN_SEGMENT_SECONDS: u32 = 1;
pub const MAX_SEGMENT_SECONDS: u32 = 60;
pub const MAX_GAIN: f64 = 4.0;

/// A caller-chosen request id: 1–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestId(String);

impl TryFrom<String> for RequestId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let n = s.chars().count();
        if (1..=64).contains(&n) {
            Ok(Self(s))
        } else {
            Err(format!("id must be 1–64 characters, got {n}"))
        }
    }
}
impl From<RequestId> for String {
    fn from(r: RequestId) -> String {
        r.0
    }
}
impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A session id: `[A-Za-z0-9_-]{1,64}`, safe in file names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl TryFrom<String> for SessionId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(s))
        } else {
            Err("sessionId must match [A-Za-z0-9_-]{1,64}".into())
        }
    }
}
impl From<SessionId> for String {
    fn from(s: SessionId) -> String {
        s.0
    }
}
impl SessionId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// CLOCK_MONOTONIC nanoseconds at session time 0, as a decimal string of 1–20 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OriginNs(String);

impl TryFrom<String> for OriginNs {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if (1..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err("clock.originNs must be 1–20 decimal digits".into())
        }
    }
}
impl From<OriginNs> for String {
    fn from(o: OriginNs) -> String {
        o.0
    }
}
impl OriginNs {
    /// The origin in ns; 20 digits can exceed u64, so this is u128 (cannot fail after validation).
    pub fn nanos(&self) -> u128 {
        self.0.parse().unwrap_or(0)
    }
}

/// A gain in 0..=4.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Gain(f64);

impl TryFrom<f64> for Gain {
    type Error = String;
    fn try_from(g: f64) -> Result<Self, String> {
        if (0.0..=MAX_GAIN).contains(&g) {
            Ok(Self(g))
        } else {
            Err(format!("gain must be within 0..4, got {g}"))
        }
    }
}
impl From<Gain> for f64 {
    fn from(g: Gain) -> f64 {
        g.0
    }
}
impl Default for Gain {
    fn default() -> Self {
        Self(1.0)
    }
}
impl Gain {
    pub fn value(self) -> f32 {
        self.0 as f32
    }
}

/// Segment length in whole seconds, 1..=60.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct SegmentSeconds(u32);

impl TryFrom<u32> for SegmentSeconds {
    type Error = String;
    fn try_from(s: u32) -> Result<Self, String> {
        if (MIN_SEGMENT_SECONDS..=MAX_SEGMENT_SECONDS).contains(&s) {
            Ok(Self(s))
        } else {
            Err(format!("segmentSeconds must be within 1..60, got {s}"))
        }
    }
}
impl From<SegmentSeconds> for u32 {
    fn from(s: SegmentSeconds) -> u32 {
        s.0
    }
}
impl SegmentSeconds {
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A device id of 1–256 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

impl TryFrom<String> for DeviceId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let n = s.chars().count();
        if (1..=256).contains(&n) {
            Ok(Self(s))
        } else {
            Err("device must be 1–256 characters".into())
        }
    }
}
impl From<DeviceId> for String {
    fn from(d: DeviceId) -> String {
        d.0
    }
}
impl DeviceId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    #[serde(rename = "originNs")]
    pub origin_ns: OriginNs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicConfig {
    pub device: DeviceId,
    #[serde(default)]
    pub gain: Gain,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemConfig {
    #[serde(default)]
    pub gain: Gain,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartCommand {
    pub id: RequestId,
    pub session_id: SessionId,
    pub clock: Clock,
    pub spool_dir: NonEmpty,
    pub segment_seconds: SegmentSeconds,
    pub mic: Option<MicConfig>,
    pub system: Option<SystemConfig>,
}

/// A non-empty string (paths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NonEmpty(String);
impl TryFrom<String> for NonEmpty {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.is_empty() {
            Err("must not be empty".into())
        } else {
            Ok(Self(s))
        }
    }
}
impl From<NonEmpty> for String {
    fn from(s: NonEmpty) -> String {
        s.0
    }
}
impl NonEmpty {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdOnly {
    pub id: RequestId,
}

/// A command on stdin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Command {
    ListSources(IdOnly),
    Start(StartCommand),
    Pause(IdOnly),
    Resume(IdOnly),
    Stop(IdOnly),
}

const COMMAND_TYPES: [&str; 5] = ["list-sources", "start", "pause", "resume", "stop"];

impl Command {
    pub fn id(&self) -> &RequestId {
        match self {
            Command::ListSources(c) | Command::Pause(c) | Command::Resume(c) | Command::Stop(c) => &c.id,
            Command::Start(c) => &c.id,
        }
    }
}

/// Why a line was not a command: the code to answer with and the id, when one could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub id: Option<String>,
    pub code: ErrorCode,
    pub message: String,
}

/// Parses one stdin line into a command, or says which error code to answer with.
pub fn decode_command(line: &str) -> Result<Command, DecodeError> {
    let value: Value = serde_json::from_str(line).map_err(|e| DecodeError {
        id: None,
        code: ErrorCode::MalformedJson,
        message: format!("not JSON: {e}"),
    })?;
    decode_command_value(value)
}

pub fn decode_command_value(value: Value) -> Result<Command, DecodeError> {
    let Some(obj) = value.as_object() else {
        return Err(DecodeError { id: None, code: ErrorCode::MalformedJson, message: "not a JSON object".into() });
    };
    // The id is echoed in the error only when it is itself valid.
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| RequestId::try_from(s.to_string()).is_ok())
        .map(str::to_string);
    match obj.get("type").and_then(Value::as_str) {
        None => {
            return Err(DecodeError { id, code: ErrorCode::BadRequest, message: "missing string field 'type'".into() })
        }
        Some(t) if !COMMAND_TYPES.contains(&t) => {
            return Err(DecodeError {
                id,
                code: ErrorCode::UnknownType,
                message: format!("unknown command type '{t}'"),
            })
        }
        Some(_) => {}
    }
    serde_json::from_value(value).map_err(|e| DecodeError { id, code: ErrorCode::BadRequest, message: e.to_string() })
}

// ── outputs ─────────────────────────────────────────────────────────────────

/// A number ≥ 0 (levels, jitter, lag).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct NonNeg(f64);
impl TryFrom<f64> for NonNeg {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        if v >= 0.0 && v.is_finite() {
            Ok(Self(v))
        } else {
            Err(format!("must be a finite number ≥ 0, got {v}"))
        }
    }
}
impl From<NonNeg> for f64 {
    fn from(v: NonNeg) -> f64 {
        v.0
    }
}
impl NonNeg {
    /// Clamps negatives and NaN to 0 (for values the pipeline computes itself).
    pub fn clamped(v: f64) -> Self {
        Self(if v.is_finite() && v > 0.0 { v } else { 0.0 })
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

/// A fraction in 0..=1 (buffer fill).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Fraction(f64);
impl TryFrom<f64> for Fraction {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        if (0.0..=1.0).contains(&v) {
            Ok(Self(v))
        } else {
            Err(format!("must be within 0..1, got {v}"))
        }
    }
}
impl From<Fraction> for f64 {
    fn from(v: Fraction) -> f64 {
        v.0
    }
}
impl Fraction {
    pub fn clamped(v: f64) -> Self {
        Self(if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 })
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioInputInfo {
    pub id: String,
    pub name: String,
    pub is_default: bool,
    pub channels: u32,
    pub sample_rate: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemAudioInfo {
    pub available: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChildState {
    Recording,
    Paused,
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrackKind {
    Video,
    Audio,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimelineKind {
    Pause,
    Resume,
    SourceAdded,
    SourceRemoved,
    SourceLost,
    DeviceLost,
    DeviceSwitched,
    DeviceSilent,
    ChildRestarted,
    Gap,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceState {
    Ok,
    Silent,
    Missing,
    Switched,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub rms: NonNeg,
    pub peak: NonNeg,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PerSource<T> {
    pub mic: Option<T>,
    pub system: Option<T>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentEvent {
    pub track: TrackKind,
    pub seq: u64,
    pub path: NonEmpty,
    pub mime: NonEmpty,
    pub start_us: u64,
    pub end_us: u64,
    pub bytes: u64,
    pub units: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_sample: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthEvent {
    pub ts: u64,
    pub buffer_fill: Fraction,
    pub buffer_warning: bool,
    pub overruns: u64,
    pub dropped_samples: u64,
    pub callback_jitter_us: NonNeg,
    pub encoder_lag_ms: NonNeg,
    pub levels: PerSource<Level>,
    pub devices: PerSource<DeviceState>,
}

/// The timeline detail is at most 4096 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Detail(String);
impl TryFrom<String> for Detail {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.chars().count() <= 4096 {
            Ok(Self(s))
        } else {
            Err("text longer than 4096 characters".into())
        }
    }
}
impl From<Detail> for String {
    fn from(d: Detail) -> String {
        d.0
    }
}
impl Detail {
    /// Cuts text to the 4096-character limit rather than failing (for texts we make ourselves).
    pub fn truncated(s: impl Into<String>) -> Self {
        let s: String = s.into();
        Self(s.chars().take(4096).collect())
    }
}

/// A line on stdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Output {
    Ok { id: RequestId },
    Error { id: Option<RequestId>, code: ErrorCode, message: Detail },
    Sources { id: RequestId, inputs: Vec<AudioInputInfo>, system: SystemAudioInfo },
    State { state: ChildState, ts: u64 },
    Segment(SegmentEvent),
    Timeline { ts: u64, kind: TimelineKind, detail: Detail },
    Health(HealthEvent),
}

impl Output {
    pub fn error(id: Option<&str>, code: ErrorCode, message: impl Into<String>) -> Self {
        Output::Error {
            id: id.and_then(|s| RequestId::try_from(s.to_string()).ok()),
            code,
            message: Detail::truncated(message),
        }
    }
    pub fn timeline(ts: u64, kind: TimelineKind, detail: impl Into<String>) -> Self {
        Output::Timeline { ts, kind, detail: Detail::truncated(detail) }
    }
    /// One JSON line without the newline. Serialising these types cannot fail (no maps with
    /// non-string keys, no NaN: every float went through a validating newtype).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!("{{\"type\":\"error\",\"id\":null,\"code\":\"INTERNAL\",\"message\":\"encode failed: {e}\"}}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_and_unknown_lines_get_their_codes() {
        assert_eq!(decode_command("{nope").unwrap_err().code, ErrorCode::MalformedJson);
        assert_eq!(decode_command("[1,2]").unwrap_err().code, ErrorCode::MalformedJson);
        let e = decode_command(r#"{"type":"explode","id":"9"}"#).unwrap_err();
        assert_eq!((e.code, e.id.as_deref()), (ErrorCode::UnknownType, Some("9")));
        let e = decode_command(r#"{"id":"3"}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadRequest);
        let e = decode_command(r#"{"type":"stop","id":""}"#).unwrap_err();
        assert_eq!((e.code, e.id), (ErrorCode::BadRequest, None));
    }

    #[test]
    fn gain_defaults_to_one() {
        let c = decode_command(
            r#"{"type":"start","id":"1","sessionId":"a","clock":{"originNs":"5"},"spoolDir":"/t","segmentSeconds":2,"mic":{"device":"x"},"system":{}}"#,
        )
        .unwrap();
        let Command::Start(s) = c else { panic!("not a start") };
        assert_eq!(s.mic.unwrap().gain.value(), 1.0);
        assert_eq!(s.system.unwrap().gain.value(), 1.0);
        assert_eq!(s.clock.origin_ns.nanos(), 5);
    }

    #[test]
    fn origin_beyond_u64_is_kept_exactly() {
        let o = OriginNs::try_from("99999999999999999999".to_string()).unwrap();
        assert_eq!(o.nanos(), 99_999_999_999_999_999_999u128);
    }
}
