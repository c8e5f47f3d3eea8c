// Fragmented MP4 (ISO BMFF) boxes for one H.264 video track, the layout MSE and ffprobe expect and
// ffmpeg's `-movflags +frag_keyframe+empty_moov+default_base_moof` writes: `ftyp`, an empty `moov`
// (with `mvex`, no samples), then one `moof` + `mdat` per fragment, a fragment starting at each
// keyframe. Every sample lasts exactly one frame (timescale / fps ticks), so frame n of the
// recording starts at n·timescale/fps (`firstFrame` of a fragment counts from the recording's
// start, so a segment's media carries its own place in time). Pure byte building.

public enum FragmentedMP4 {
  /// Ticks per second: 90 kHz when the rate divides it (every common rate), else 1000 per frame.
  public static func timescale(fps: Int) -> Int { 90_000 % fps == 0 ? 90_000 : fps * 1000 }

  /// `ftyp` + `moov` for a `width`×`height` AVC track described by its SPS and PPS.
  public static func header(width: Int, height: Int, fps: Int, sps: [UInt8], pps: [UInt8]) -> [UInt8] {
    var b = BoxBuilder()
    b.box("ftyp") {
      $0.fourcc("iso5")
      $0.u32(512)
      for brand in ["iso5", "iso6", "mp41"] { $0.fourcc(brand) }
    }
    b.box("moov") { b in
      b.fullBox("mvhd", version: 0, flags: 0) {
        $0.u32(0); $0.u32(0)  // creation, modification
        $0.u32(1000); $0.u32(0)  // timescale, duration (unknown: fragmented)
        $0.u32(0x0001_0000); $0.u16(0x0100); $0.zeros(10)  // rate 1.0, volume 1.0, reserved
        $0.matrix()
        $0.zeros(24)  // pre_defined
        $0.u32(2)  // next track id
      }
      b.box("trak") { b in
        b.fullBox("tkhd", version: 0, flags: 3) {  // enabled, in movie
          $0.u32(0); $0.u32(0); $0.u32(1); $0.u32(0); $0.u32(0)  // times, track 1, reserved, duration
          $0.zeros(8); $0.u16(0); $0.u16(0); $0.u16(0); $0.u16(0)  // reserved, layer, group, volume, reserved
          $0.matrix()
          $0.u32(UInt32(width) << 16); $0.u32(UInt32(height) << 16)
        }
        b.box("mdia") { b in
          b.fullBox("mdhd", version: 0, flags: 0) {
            $0.u32(0); $0.u32(0); $0.u32(UInt32(timescale(fps: fps))); $0.u32(0)
            $0.u16(0x55C4); $0.u16(0)  // language "und"
          }
          b.fullBox("hdlr", version: 0, flags: 0) {
            $0.u32(0); $0.fourcc("vide"); $0.zeros(12); $0.bytes(Array("VideoHandler".utf8) + [0])
          }
          b.box("minf") { b in
            b.fullBox("vmhd", version: 0, flags: 1) { $0.zeros(8) }
            b.box("dinf") { b in
              b.fullBox("dref", version: 0, flags: 0) { b in
                b.u32(1)
                b.fullBox("url ", version: 0, flags: 1) { _ in }  // media in this file
              }
            }
            b.box("stbl") { b in
              b.fullBox("stsd", version: 0, flags: 0) { b in
                b.u32(1)
                b.box("avc1") { b in
                  b.zeros(6); b.u16(1)  // reserved, data reference index
                  b.zeros(16)  // pre_defined, reserved
                  b.u16(UInt16(width)); b.u16(UInt16(height))
                  b.u32(0x0048_0000); b.u32(0x0048_0000)  // 72 dpi
                  b.u32(0); b.u16(1)  // reserved, frame count
                  b.zeros(32)  // compressor name
                  b.u16(0x0018); b.u16(0xFFFF)  // depth, pre_defined -1
                  b.box("avcC") { b in
                    b.u8(1); b.u8(sps.count > 1 ? sps[1] : 0x64); b.u8(sps.count > 2 ? sps[2] : 0)
                    b.u8(sps.count > 3 ? sps[3] : 0)  // profile, compatibility, level (from the SPS)
                    b.u8(0xFF)  // 4-byte NAL lengths
                    b.u8(0xE1); b.u16(UInt16(sps.count)); b.bytes(sps)
                    b.u8(1); b.u16(UInt16(pps.count)); b.bytes(pps)
                    // High profile: chroma 4:2:0, 8-bit luma and chroma, no SPS extensions.
                    b.u8(0xFC | 1); b.u8(0xF8); b.u8(0xF8); b.u8(0)
                  }
                }
              }
              for empty in ["stts", "stsc"] { b.fullBox(empty, version: 0, flags: 0) { $0.u32(0) } }
              b.fullBox("stsz", version: 0, flags: 0) { $0.u32(0); $0.u32(0) }
              b.fullBox("stco", version: 0, flags: 0) { $0.u32(0) }
            }
          }
        }
      }
      b.box("mvex") { b in
        b.fullBox("trex", version: 0, flags: 0) {
          $0.u32(1); $0.u32(1); $0.u32(0); $0.u32(0); $0.u32(0)  // track, description, defaults
        }
      }
    }
    return b.bytes
  }

  /// Sample flags: a sync sample, and a sample that depends on others and is not sync.
  static let syncFlags: UInt32 = 0x0200_0000
  static let nonSyncFlags: UInt32 = 0x0101_0000

  /// `moof` + `mdat` header for samples of the given sizes, the first being a keyframe when
  /// `startsWithKeyframe`, starting at frame `firstFrame` of the file. The samples' bytes follow
  /// the returned header directly (the `mdat` payload).
  public static func fragmentHeader(
    sequence: Int, firstFrame: Int, fps: Int, sampleSizes: [Int], startsWithKeyframe: Bool
  ) -> [UInt8] {
    let duration = UInt32(timescale(fps: fps) / fps)
    var b = BoxBuilder()
    var dataOffsetAt = 0
    b.box("moof") { b in
      b.fullBox("mfhd", version: 0, flags: 0) { $0.u32(UInt32(sequence)) }
      b.box("traf") { b in
        // default-base-is-moof, default sample duration, default sample flags
        b.fullBox("tfhd", version: 0, flags: 0x02_0028) {
          $0.u32(1); $0.u32(duration); $0.u32(nonSyncFlags)
        }
        b.fullBox("tfdt", version: 1, flags: 0) { $0.u64(UInt64(firstFrame) * UInt64(duration)) }
        // data offset, first sample flags, sample sizes
        b.fullBox("trun", version: 0, flags: 0x00_0205) { b in
          b.u32(UInt32(sampleSizes.count))
          dataOffsetAt = b.bytes.count
          b.u32(0)
          b.u32(startsWithKeyframe ? syncFlags : nonSyncFlags)
          for s in sampleSizes { b.u32(UInt32(s)) }
        }
      }
    }
    let payload = sampleSizes.reduce(0, +)
    // The data offset counts from the start of the moof to the first sample byte.
    b.patch(at: dataOffsetAt, UInt32(b.bytes.count + 8))
    b.u32(UInt32(8 + payload))
    b.fourcc("mdat")
    return b.bytes
  }
}

/// Big-endian box building with sizes filled in when each box closes.
struct BoxBuilder {
  var bytes: [UInt8] = []

  mutating func u8(_ v: UInt8) { bytes.append(v) }
  mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xFF)] }
  mutating func u32(_ v: UInt32) {
    bytes += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
  }
  mutating func u64(_ v: UInt64) {
    u32(UInt32(v >> 32))
    u32(UInt32(v & 0xFFFF_FFFF))
  }
  mutating func zeros(_ n: Int) { bytes += [UInt8](repeating: 0, count: n) }
  mutating func bytes(_ b: [UInt8]) { bytes += b }
  mutating func fourcc(_ s: String) {
    precondition(s.utf8.count == 4)
    bytes += Array(s.utf8)
  }
  /// The unity transformation matrix of mvhd/tkhd.
  mutating func matrix() {
    for v: UInt32 in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] { u32(v) }
  }
  mutating func patch(at offset: Int, _ v: UInt32) {
    bytes[offset] = UInt8(v >> 24)
    bytes[offset + 1] = UInt8((v >> 16) & 0xFF)
    bytes[offset + 2] = UInt8((v >> 8) & 0xFF)
    bytes[offset + 3] = UInt8(v & 0xFF)
  }

  mutating func box(_ type: String, _ body: (inout BoxBuilder) -> Void) {
    let start = bytes.count
    u32(0)
    fourcc(type)
    body(&self)
    patch(at: start, UInt32(bytes.count - start))
  }

  mutating func fullBox(_ type: String, version: UInt8, flags: UInt32, _ body: (inout BoxBuilder) -> Void) {
    box(type) { b in
      b.u32(UInt32(version) << 24 | (flags & 0xFF_FFFF))
      body(&b)
    }
  }
}
