//! Conversion of a device's interleaved stream (any channel count, any rate) into interleaved
//! stereo at 48 kHz. Mono is copied to both sides; more than two channels keep the first two.
//! Rates other than 48 kHz go through rubato's synchronous FFT resampler; its fixed latency
//! (`output_delay`) is trimmed off the start, so sample n of the input lands at output sample
//! n × 48000 / rate. At 48 kHz samples pass through untouched. Buffers are allocated once, at
//! construction.

use rubato::{FftFixedIn, Resampler};
use thiserror::Error;

use crate::clock::SAMPLE_RATE;

#[derive(Debug, Error)]
pub enum ResampleError {
    #[error("cannot resample from {0} Hz: {1}")]
    Construction(u32, String),
    #[error("resampler failed: {0}")]
    Process(String),
}

/// Input frames per resampler chunk (about 10 ms at 44.1/48 kHz).
const CHUNK_IN: usize = 480;

pub struct StereoResampler {
    in_channels: usize,
    inner: Option<FftState>,
}

struct FftState {
    resampler: FftFixedIn<f32>,
    /// Planar stereo input waiting for a full chunk.
    pending: [Vec<f32>; 2],
    out: Vec<Vec<f32>>,
    /// Output frames still to trim (the resampler's latency).
    trim: usize,
}

impl StereoResampler {
    pub fn new(rate: u32, in_channels: usize) -> Result<Self, ResampleError> {
        let inner = if rate == SAMPLE_RATE {
            None
        } else {
            let resampler = FftFixedIn::<f32>::new(rate as usize, SAMPLE_RATE as usize, CHUNK_IN, 2, 2)
                .map_err(|e| ResampleError::Construction(rate, e.to_string()))?;
            let out = resampler.output_buffer_allocate(true);
            let trim = resampler.output_delay();
            Some(FftState {
                resampler,
                pending: [Vec::with_capacity(CHUNK_IN * 8), Vec::with_capacity(CHUNK_IN * 8)],
                out,
                trim,
            })
        };
        Ok(Self { in_channels: in_channels.max(1), inner })
    }

    /// Converts `input` (interleaved, `in_channels`) and appends stereo 48 kHz frames to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) -> Result<(), ResampleError> {
        let ch = self.in_channels;
        let frames = input.chunks_exact(ch).map(|f| if ch == 1 { (f[0], f[0]) } else { (f[0], f[1]) });
        match &mut self.inner {
            None => {
                for (l, r) in frames {
                    out.push(l);
                    out.push(r);
                }
                Ok(())
            }
            Some(st) => {
                for (l, r) in frames {
                    st.pending[0].push(l);
                    st.pending[1].push(r);
                }
                loop {
                    let need = st.resampler.input_frames_next();
                    if st.pending[0].len() < need {
                        return Ok(());
                    }
                    let (used, produced) = st
                        .resampler
                        .process_into_buffer(&[&st.pending[0][..need], &st.pending[1][..need]], &mut st.out, None)
                        .map_err(|e| ResampleError::Process(e.to_string()))?;
                    st.pending[0].drain(..used);
                    st.pending[1].drain(..used);
                    let skip = st.trim.min(produced);
                    st.trim -= skip;
                    for i in skip..produced {
                        out.push(st.out[0][i]);
                        out.push(st.out[1][i]);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, freq: f64, secs: f64, channels: usize) -> Vec<f32> {
        let n = (rate as f64 * secs) as usize;
        (0..n)
            .flat_map(|i| {
                let v = (0.5 * (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin()) as f32;
                std::iter::repeat_n(v, channels)
            })
            .collect()
    }

    /// Amplitude of `freq` in one channel of interleaved stereo at 48 kHz (single-bin DFT).
    fn amplitude(stereo: &[f32], freq: f64) -> f64 {
        let (mut re, mut im) = (0.0, 0.0);
        let n = stereo.len() / 2;
        for i in 0..n {
            let w = 2.0 * std::f64::consts::PI * freq * i as f64 / 48_000.0;
            re += stereo[2 * i] as f64 * w.cos();
            im += stereo[2 * i] as f64 * w.sin();
        }
        2.0 * (re * re + im * im).sqrt() / n as f64
    }

    #[test]
    fn passes_48k_stereo_through_bit_exact() {
        let input = tone(48_000, 440.0, 0.1, 2);
        let mut r = StereoResampler::new(48_000, 2).unwrap();
        let mut out = Vec::new();
        r.process(&input, &mut out).unwrap();
        assert_eq!(out, input);
    }

    #[test]
    fn upmixes_mono() {
        let mut r = StereoResampler::new(48_000, 1).unwrap();
        let mut out = Vec::new();
        r.process(&[0.1, 0.2], &mut out).unwrap();
        assert_eq!(out, vec![0.1, 0.1, 0.2, 0.2]);
    }

    #[test]
    fn resamples_44k1_to_48k_keeping_pitch_level_and_length() {
        let input = tone(44_100, 1000.0, 1.0, 1);
        let mut r = StereoResampler::new(44_100, 1).unwrap();
        let mut out = Vec::new();
        // Feed in uneven pieces, as a device would.
        for piece in input.chunks(333) {
            r.process(piece, &mut out).unwrap();
        }
        let frames = out.len() / 2;
        // Everything but the last partial chunk (and the trimmed latency) comes out.
        assert!(frames > 48_000 - 2_000 && frames <= 48_000, "frames {frames}");
        let steady = &out[2 * 4_800..2 * 40_800];
        let a = amplitude(steady, 1000.0);
        assert!((a - 0.5).abs() < 0.01, "1 kHz amplitude {a}");
        assert!(amplitude(steady, 1088.4) < 0.01, "no energy at the unconverted pitch");
    }

    #[test]
    fn trims_latency_so_onsets_stay_in_place() {
        // A click at input sample 4410 (0.1 s) must come out near output sample 4800.
        let mut input = vec![0.0f32; 44_100];
        input[4_410] = 1.0;
        let mut r = StereoResampler::new(44_100, 1).unwrap();
        let mut out = Vec::new();
        r.process(&input, &mut out).unwrap();
        let (pos, _) =
            out.chunks_exact(2)
                .enumerate()
                .fold((0, 0.0f32), |(bi, bv), (i, f)| if f[0].abs() > bv { (i, f[0].abs()) } else { (bi, bv) });
        assert!((pos as i64 - 4_800).abs() <= 2, "click at {pos}");
    }
}
