//! sessions-audio: captures microphone and system audio, mixes them to 48 kHz stereo, encodes
//! Opus in self-contained WebM segments on the host's session clock, and reports health — all
//! driven by JSON lines on stdin/stdout (see `shared/PROTOCOL.md`). Module map in README.md.

pub mod capture;
pub mod clock;
pub mod emit;
pub mod encode;
pub mod error_code;
pub mod lines;
pub mod mix;
pub mod pipeline;
pub mod protocol;
pub mod resample;
pub mod ring;
pub mod rt;
pub mod segment;
pub mod session;
pub mod slot;
