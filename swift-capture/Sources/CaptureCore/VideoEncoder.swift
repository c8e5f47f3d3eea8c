// How the session hands composited frames to an encoder: one SegmentWriter per segment, each
// producing a file that plays on its own (fragmented MP4 starting with a keyframe). Appending never
// blocks the tick: a writer with a full queue refuses the frame and the session repeats the next
// one instead, so the media timeline keeps every tick.

public struct EncoderSettings: Sendable, Equatable {
  public var size: PixelSize
  public var fps: Int
  public init(size: PixelSize, fps: Int) {
    self.size = size
    self.fps = fps
  }

  /// H.264 level for this size and rate (Table A-1 limits on macroblocks per second and frame size).
  public var h264Level: (name: String, idc: Int) {
    let mbs = ((size.width + 15) / 16) * ((size.height + 15) / 16)
    let rate = mbs * fps
    let levels: [(String, Int, Int, Int)] = [  // name, idc, max MB/s, max frame MBs
      ("3.0", 30, 40_500, 1_620), ("3.1", 31, 108_000, 3_600), ("3.2", 32, 216_000, 5_120),
      ("4.0", 40, 245_760, 8_192), ("4.2", 42, 522_240, 8_704), ("5.0", 50, 589_824, 22_080),
      ("5.1", 51, 983_040, 36_864), ("5.2", 52, 2_073_600, 36_864), ("6.0", 60, 4_177_920, 139_264),
    ]
    for l in levels where rate <= l.2 && mbs <= l.3 { return (l.0, l.1) }
    return ("6.2", 62)
  }

  /// `video/mp4;codecs=avc1.PPCCLL` for High profile (0x64) at this level.
  public var mime: String {
    let hex = String(h264Level.idc, radix: 16, uppercase: false)
    return "video/mp4;codecs=avc1.6400" + (hex.count < 2 ? "0" + hex : hex)
  }

  /// Average bitrate in bits/s: 0.07 bits per pixel per frame (screen content compresses well),
  /// at least 500 kbit/s.
  public var bitrate: Int { max(500_000, Int(Double(size.area * fps) * 0.07)) }
}

public struct EncodedSegment: Sendable, Equatable {
  public var seq: Int
  public var path: String
  public var bytes: Int
  /// Frames in the file (repeats included).
  public var frames: Int
  public init(seq: Int, path: String, bytes: Int, frames: Int) {
    self.seq = seq
    self.path = path
    self.bytes = bytes
    self.frames = frames
  }
}

public protocol SegmentWriter: AnyObject, Sendable {
  /// Queues `frame` to be written `count` times. False when the queue is full (frame not taken).
  /// Throws ENCODER_FAILED when the encoder has died.
  func append(_ frame: PixelBuffer, count: Int) throws -> Bool
  /// False when `append` copies what it needs before returning and keeps no reference: the
  /// session then lends it its canvas instead of a copy (a canvas repeated without a redraw has
  /// the same `generation`). True by default.
  var keepsFrames: Bool { get }
  /// Frames queued but not yet handed to the encoder.
  var queuedFrames: Int { get }
  /// Closes the segment: returns once the file is complete under its final name.
  func finish() async throws -> EncodedSegment
  /// Stops at once and deletes the unfinished file (used when the session fails).
  func abort()
}

extension SegmentWriter {
  public var keepsFrames: Bool { true }
}

public protocol VideoEncoder: Sendable {
  func mime(for settings: EncoderSettings) -> String
  /// Starts segment `seq`, written to `path` (under a temporary name until finished).
  func openSegment(seq: Int, path: String, settings: EncoderSettings) throws -> any SegmentWriter
  /// The same, for a segment whose first frame is media tick `startTick` (time startTick/fps s):
  /// an encoder that can stamps the frames inside the file with their media time, as the audio
  /// child does, so players place segments without an offset. By default frames start at 0.
  func openSegment(seq: Int, path: String, settings: EncoderSettings, startTick: Int) throws -> any SegmentWriter
}

extension VideoEncoder {
  public func openSegment(seq: Int, path: String, settings: EncoderSettings, startTick: Int) throws -> any SegmentWriter {
    try openSegment(seq: seq, path: path, settings: settings)
  }
}

/// Writes a small still image (the periodic screenshot of the composite).
public protocol ThumbnailWriter: Sendable {
  var mime: String { get }
  var fileExtension: String { get }
  func write(_ image: PixelBuffer, to path: String) async throws
}
