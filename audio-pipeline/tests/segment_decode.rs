//! Every segment length decodes in the real ffmpeg to exactly the sample count its event gives —
//! including segments shorter than one packet or than the codec delay, where the start trim
//! (pre-skip) and the end trim (DiscardPadding) fall in the same packet.

mod common;

use common::*;
use sessions_audio::encode::opus::OpusEncoder;
use sessions_audio::segment::Segmenter;

#[test]
fn any_segment_length_decodes_sample_exact() {
    let dir = temp_dir("lengths");
    let mut wrong = Vec::new();
    for (i, units) in
        [1u64, 100, 311, 312, 313, 647, 648, 649, 959, 960, 961, 1272, 1273, 2000, 47_999].into_iter().enumerate()
    {
        let sub = dir.join(format!("n{i}"));
        let mut s = Segmenter::new(OpusEncoder::new(96_000, 5).unwrap(), sub, 2, 12_345).unwrap();
        let pcm = vec![0.25f32; units as usize * 2];
        s.push(&pcm, &mut |_| panic!("no boundary expected")).unwrap();
        let ev = s.flush().unwrap().unwrap();
        assert_eq!(ev.units, units);
        let decoded = decode_mono(std::path::Path::new(ev.path.as_str()));
        if decoded.len() as u64 != units {
            wrong.push((units, decoded.len()));
        }
    }
    assert!(wrong.is_empty(), "(units, decoded) that differ: {wrong:?}");
    let _ = std::fs::remove_dir_all(dir);
}
