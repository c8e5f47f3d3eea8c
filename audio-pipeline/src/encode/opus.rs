//! Opus (libopus through the `opus` crate): 20 ms packets of 48 kHz stereo, 96 kbit/s VBR,
//! complexity chosen for a small CPU budget. `reset` restarts the stream state so each segment
//! decodes on its own. The packet buffer is allocated once.

use super::{EncodeError, PacketEncoder};

pub const FRAME_SIZE: usize = 960;
const MAX_PACKET: usize = 4_000;

pub struct OpusEncoder {
    inner: opus::Encoder,
    pre_skip: u16,
    scratch: Vec<u8>,
}

impl OpusEncoder {
    pub fn new(bitrate: i32, complexity: i32) -> Result<Self, EncodeError> {
        let err = |e: opus::Error| EncodeError(e.to_string());
        let mut inner = opus::Encoder::new(48_000, opus::Channels::Stereo, opus::Application::Audio).map_err(err)?;
        inner.set_bitrate(opus::Bitrate::Bits(bitrate)).map_err(err)?;
        inner.set_complexity(complexity).map_err(err)?;
        let pre_skip = inner.get_lookahead().map_err(err)?;
        Ok(Self { inner, pre_skip: pre_skip.clamp(0, u16::MAX as i32) as u16, scratch: vec![0; MAX_PACKET] })
    }
}

impl PacketEncoder for OpusEncoder {
    fn frame_size(&self) -> usize {
        FRAME_SIZE
    }

    fn pre_skip(&self) -> u16 {
        self.pre_skip
    }

    fn reset(&mut self) -> Result<(), EncodeError> {
        self.inner.reset_state().map_err(|e| EncodeError(e.to_string()))
    }

    fn encode(&mut self, pcm: &[f32], out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if pcm.len() != FRAME_SIZE * 2 {
            return Err(EncodeError(format!("expected {} samples, got {}", FRAME_SIZE * 2, pcm.len())));
        }
        let n = self.inner.encode_float(pcm, &mut self.scratch).map_err(|e| EncodeError(e.to_string()))?;
        out.extend_from_slice(&self.scratch[..n]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_20ms_packets_that_libopus_decodes() {
        let mut enc = OpusEncoder::new(96_000, 5).unwrap();
        assert!(enc.pre_skip() > 0 && enc.pre_skip() < 1000);
        let pcm: Vec<f32> = (0..FRAME_SIZE * 2).map(|i| ((i / 2) as f32 * 0.05).sin() * 0.3).collect();
        let mut packet = Vec::new();
        enc.encode(&pcm, &mut packet).unwrap();
        assert!(!packet.is_empty());
        let mut dec = opus::Decoder::new(48_000, opus::Channels::Stereo).unwrap();
        let mut out = vec![0f32; FRAME_SIZE * 2];
        assert_eq!(dec.decode_float(&packet, &mut out, false).unwrap(), FRAME_SIZE);
        assert!(enc.encode(&pcm[..10], &mut packet).is_err(), "wrong block size is refused");
    }
}
