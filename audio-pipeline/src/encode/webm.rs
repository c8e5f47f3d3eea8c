//! A minimal WebM (Matroska) writer for one Opus track, enough for a file that plays on its own
//! in ffmpeg and in Chromium's MediaSource: EBML header, Segment with Info (1 ms timestamps,
//! Duration), Tracks (A_OPUS with OpusHead CodecPrivate, CodecDelay, SeekPreRoll) and Clusters
//! of SimpleBlocks. The last block may carry DiscardPadding so the file decodes to an exact sample
//! count. Sizes are all known when `finish` runs (the file is built in memory), so no element has
//! an unknown size. Buffers are reused from one segment to the next.

/// Matroska element ids.
mod id {
    pub const EBML: u32 = 0x1A45_DFA3;
    pub const EBML_VERSION: u32 = 0x4286;
    pub const EBML_READ_VERSION: u32 = 0x42F7;
    pub const EBML_MAX_ID_LENGTH: u32 = 0x42F2;
    pub const EBML_MAX_SIZE_LENGTH: u32 = 0x42F3;
    pub const DOC_TYPE: u32 = 0x4282;
    pub const DOC_TYPE_VERSION: u32 = 0x4287;
    pub const DOC_TYPE_READ_VERSION: u32 = 0x4285;
    pub const SEGMENT: u32 = 0x1853_8067;
    pub const INFO: u32 = 0x1549_A966;
    pub const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
    pub const DURATION: u32 = 0x4489;
    pub const MUXING_APP: u32 = 0x4D80;
    pub const WRITING_APP: u32 = 0x5741;
    pub const TRACKS: u32 = 0x1654_AE6B;
    pub const TRACK_ENTRY: u32 = 0xAE;
    pub const TRACK_NUMBER: u32 = 0xD7;
    pub const TRACK_UID: u32 = 0x73C5;
    pub const TRACK_TYPE: u32 = 0x83;
    pub const FLAG_LACING: u32 = 0x9C;
    pub const CODEC_ID: u32 = 0x86;
    pub const CODEC_PRIVATE: u32 = 0x63A2;
    pub const CODEC_DELAY: u32 = 0x56AA;
    pub const SEEK_PRE_ROLL: u32 = 0x56BB;
    pub const AUDIO: u32 = 0xE1;
    pub const SAMPLING_FREQUENCY: u32 = 0xB5;
    pub const CHANNELS: u32 = 0x9F;
    pub const CLUSTER: u32 = 0x1F43_B675;
    pub const TIMESTAMP: u32 = 0xE7;
    pub const SIMPLE_BLOCK: u32 = 0xA3;
    pub const BLOCK_GROUP: u32 = 0xA0;
    pub const BLOCK: u32 = 0xA1;
    pub const DISCARD_PADDING: u32 = 0x75A2;
}

/// Blocks per cluster: 50 × 20 ms = 1 s, well inside the ±32 s a block's relative time can reach.
const BLOCKS_PER_CLUSTER: usize = 50;
const SAMPLE_RATE: f64 = 48_000.0;
const TRACK: u8 = 1;

fn put_id(out: &mut Vec<u8>, id: u32) {
    let bytes = id.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.extend_from_slice(&bytes[skip..]);
}

/// EBML variable-length size, shortest form (all-ones patterns are reserved, hence the `- 1`).
fn put_size(out: &mut Vec<u8>, size: u64) {
    let mut len = 1;
    while len < 8 && size >= (1u64 << (7 * len)) - 1 {
        len += 1;
    }
    let marked = size | (1u64 << (7 * len));
    out.extend_from_slice(&marked.to_be_bytes()[8 - len..]);
}

fn put_uint(out: &mut Vec<u8>, id: u32, v: u64) {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    put_id(out, id);
    put_size(out, (8 - skip) as u64);
    out.extend_from_slice(&bytes[skip..]);
}

fn put_int(out: &mut Vec<u8>, id: u32, v: i64) {
    let bytes = v.to_be_bytes();
    // Drop leading bytes that only repeat the sign.
    let mut skip = 0;
    while skip < 7 {
        let (b, next) = (bytes[skip], bytes[skip + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0) {
            skip += 1;
        } else {
            break;
        }
    }
    put_id(out, id);
    put_size(out, (8 - skip) as u64);
    out.extend_from_slice(&bytes[skip..]);
}

fn put_float(out: &mut Vec<u8>, id: u32, v: f64) {
    put_id(out, id);
    put_size(out, 8);
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_bytes(out: &mut Vec<u8>, id: u32, data: &[u8]) {
    put_id(out, id);
    put_size(out, data.len() as u64);
    out.extend_from_slice(data);
}

fn put_master(out: &mut Vec<u8>, id: u32, body: &[u8]) {
    put_bytes(out, id, body);
}

/// The OpusHead identification header (RFC 7845 §5.1), channel mapping family 0.
pub fn opus_head(channels: u8, pre_skip: u16) -> Vec<u8> {
    let mut h = b"OpusHead".to_vec();
    h.push(1);
    h.push(channels);
    h.extend_from_slice(&pre_skip.to_le_bytes());
    h.extend_from_slice(&48_000u32.to_le_bytes());
    h.extend_from_slice(&0i16.to_le_bytes());
    h.push(0);
    h
}

fn samples_to_ns(samples: u64) -> u64 {
    ((samples as u128 * 1_000_000_000 + 24_000) / 48_000) as u64
}

/// Builds one WebM file from Opus packets.
#[derive(Default)]
pub struct WebmWriter {
    pre_skip: u16,
    start_ms: u64,
    clusters: Vec<u8>,
    cluster: Vec<u8>,
    cluster_ts: u64,
    blocks_in_cluster: usize,
    file: Vec<u8>,
    scratch: Vec<u8>,
}

impl WebmWriter {
    /// Starts a new file whose first packet is presented at `start_ms`.
    pub fn begin(&mut self, pre_skip: u16, start_ms: u64) {
        self.pre_skip = pre_skip;
        self.start_ms = start_ms;
        self.clusters.clear();
        self.cluster.clear();
        self.blocks_in_cluster = 0;
        self.cluster_ts = start_ms;
    }

    /// Changes the codec delay written in the header (a segment re-encoded with more pre-skip).
    pub fn set_pre_skip(&mut self, pre_skip: u16) {
        self.pre_skip = pre_skip;
    }

    fn close_cluster(&mut self) {
        if self.blocks_in_cluster == 0 {
            return;
        }
        self.scratch.clear();
        put_uint(&mut self.scratch, id::TIMESTAMP, self.cluster_ts);
        self.scratch.extend_from_slice(&self.cluster);
        put_master(&mut self.clusters, id::CLUSTER, &self.scratch);
        self.cluster.clear();
        self.blocks_in_cluster = 0;
    }

    /// Adds a packet at `ts_ms`. `discard_padding_samples` > 0 marks samples to drop at its end.
    pub fn push(&mut self, ts_ms: u64, packet: &[u8], discard_padding_samples: u64) {
        if self.blocks_in_cluster >= BLOCKS_PER_CLUSTER {
            self.close_cluster();
        }
        if self.blocks_in_cluster == 0 {
            self.cluster_ts = ts_ms;
        }
        let rel = (ts_ms - self.cluster_ts) as i16;
        let mut header = [0u8; 4];
        header[0] = 0x80 | TRACK;
        header[1..3].copy_from_slice(&rel.to_be_bytes());
        if discard_padding_samples == 0 {
            header[3] = 0x80; // keyframe
            put_id(&mut self.cluster, id::SIMPLE_BLOCK);
            put_size(&mut self.cluster, (4 + packet.len()) as u64);
            self.cluster.extend_from_slice(&header);
            self.cluster.extend_from_slice(packet);
        } else {
            header[3] = 0x00;
            self.scratch.clear();
            put_id(&mut self.scratch, id::BLOCK);
            put_size(&mut self.scratch, (4 + packet.len()) as u64);
            self.scratch.extend_from_slice(&header);
            self.scratch.extend_from_slice(packet);
            put_int(&mut self.scratch, id::DISCARD_PADDING, samples_to_ns(discard_padding_samples) as i64);
            put_master(&mut self.cluster, id::BLOCK_GROUP, &self.scratch);
        }
        self.blocks_in_cluster += 1;
    }

    /// Completes the file; `samples` is the decoded length after pre-skip and padding.
    pub fn finish(&mut self, samples: u64) -> &[u8] {
        self.close_cluster();
        let mut info = Vec::new();
        put_uint(&mut info, id::TIMESTAMP_SCALE, 1_000_000);
        put_float(&mut info, id::DURATION, samples as f64 * 1000.0 / SAMPLE_RATE);
        put_bytes(&mut info, id::MUXING_APP, b"sessions-audio");
        put_bytes(&mut info, id::WRITING_APP, b"sessions-audio");

        let mut audio = Vec::new();
        put_float(&mut audio, id::SAMPLING_FREQUENCY, SAMPLE_RATE);
        put_uint(&mut audio, id::CHANNELS, 2);
        let mut entry = Vec::new();
        put_uint(&mut entry, id::TRACK_NUMBER, TRACK as u64);
        put_uint(&mut entry, id::TRACK_UID, 1);
        put_uint(&mut entry, id::TRACK_TYPE, 2);
        put_uint(&mut entry, id::FLAG_LACING, 0);
        put_bytes(&mut entry, id::CODEC_ID, b"A_OPUS");
        put_bytes(&mut entry, id::CODEC_PRIVATE, &opus_head(2, self.pre_skip));
        put_uint(&mut entry, id::CODEC_DELAY, samples_to_ns(self.pre_skip as u64));
        put_uint(&mut entry, id::SEEK_PRE_ROLL, 80_000_000);
        put_master(&mut entry, id::AUDIO, &audio);
        let mut tracks = Vec::new();
        put_master(&mut tracks, id::TRACK_ENTRY, &entry);

        let mut segment = Vec::with_capacity(self.clusters.len() + 256);
        put_master(&mut segment, id::INFO, &info);
        put_master(&mut segment, id::TRACKS, &tracks);
        segment.extend_from_slice(&self.clusters);

        let mut header = Vec::new();
        put_uint(&mut header, id::EBML_VERSION, 1);
        put_uint(&mut header, id::EBML_READ_VERSION, 1);
        put_uint(&mut header, id::EBML_MAX_ID_LENGTH, 4);
        put_uint(&mut header, id::EBML_MAX_SIZE_LENGTH, 8);
        put_bytes(&mut header, id::DOC_TYPE, b"webm");
        put_uint(&mut header, id::DOC_TYPE_VERSION, 4);
        put_uint(&mut header, id::DOC_TYPE_READ_VERSION, 2);

        self.file.clear();
        put_master(&mut self.file, id::EBML, &header);
        put_master(&mut self.file, id::SEGMENT, &segment);
        &self.file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_the_shortest_vint() {
        let enc = |n| {
            let mut v = Vec::new();
            put_size(&mut v, n);
            v
        };
        assert_eq!(enc(0), vec![0x80]);
        assert_eq!(enc(126), vec![0xFE]);
        assert_eq!(enc(127), vec![0x40, 0x7F], "0xFF is reserved");
        assert_eq!(enc(300), vec![0x41, 0x2C]);
    }

    #[test]
    fn signed_ints_keep_their_sign() {
        let mut v = Vec::new();
        put_int(&mut v, 0x75A2, -1);
        assert_eq!(v, vec![0x75, 0xA2, 0x81, 0xFF]);
        v.clear();
        put_int(&mut v, 0x75A2, 200);
        assert_eq!(v, vec![0x75, 0xA2, 0x82, 0x00, 0xC8]);
    }

    #[test]
    fn opus_head_is_19_bytes() {
        let h = opus_head(2, 312);
        assert_eq!(h.len(), 19);
        assert_eq!(&h[..8], b"OpusHead");
        assert_eq!(u16::from_le_bytes([h[10], h[11]]), 312);
    }

    #[test]
    fn file_starts_with_ebml_and_holds_clusters() {
        let mut w = WebmWriter::default();
        w.begin(312, 1000);
        for i in 0..120 {
            w.push(1000 + i * 20, &[0xFC, 0xFF, 0xFE], if i == 119 { 100 } else { 0 });
        }
        let file = w.finish(120 * 960 - 312 - 100).to_vec();
        assert_eq!(&file[..4], &[0x1A, 0x45, 0xDF, 0xA3]);
        let clusters = file.windows(4).filter(|w| *w == [0x1F, 0x43, 0xB6, 0x75]).count();
        assert_eq!(clusters, 3, "50 blocks per cluster");
        assert!(file.windows(6).any(|w| w == b"A_OPUS"));
    }
}
