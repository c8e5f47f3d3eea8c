//! Encoding behind one small trait: a `PacketEncoder` turns fixed-size blocks of 48 kHz stereo
//! frames into packets, and `webm` wraps packets into a self-contained WebM file. The segmenter
//! only talks to the trait, so tests and benchmarks can swap the codec.

pub mod opus;
pub mod webm;

use thiserror::Error;

#[derive(Debug, Error)]
#[error("encoder failed: {0}")]
pub struct EncodeError(pub String);

pub trait PacketEncoder: Send {
    /// Frames (samples per channel) per packet.
    fn frame_size(&self) -> usize;
    /// Samples the decoder must skip at the start of a stream (codec delay).
    fn pre_skip(&self) -> u16;
    /// Starts a fresh, independently decodable stream (a new segment).
    fn reset(&mut self) -> Result<(), EncodeError>;
    /// Encodes exactly `frame_size` interleaved stereo frames, appending one packet to `out`.
    fn encode(&mut self, pcm: &[f32], out: &mut Vec<u8>) -> Result<(), EncodeError>;
}
