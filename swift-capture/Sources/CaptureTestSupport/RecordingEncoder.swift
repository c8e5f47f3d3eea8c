// An encoder double that keeps every frame it is given, for session tests (the real one, ffmpeg,
// is tested separately in the integration suite).
import CaptureCore
import Foundation

public final class RecordingEncoder: VideoEncoder, @unchecked Sendable {
  public final class Writer: SegmentWriter, @unchecked Sendable {
    public let seq: Int
    public let path: String
    private let lock = NSLock()
    public private(set) var frames: [PixelBuffer] = []
    public private(set) var finished = false
    public var refuseNext = 0

    init(seq: Int, path: String) {
      self.seq = seq
      self.path = path
    }

    public func append(_ frame: PixelBuffer, count: Int) throws -> Bool {
      lock.lock()
      defer { lock.unlock() }
      if refuseNext > 0 {
        refuseNext -= 1
        return false
      }
      for _ in 0..<count { frames.append(frame) }
      return true
    }

    public var queuedFrames: Int { 0 }

    public func finish() async throws -> EncodedSegment {
      lock.withLock {
        finished = true
        return EncodedSegment(seq: seq, path: path, bytes: frames.count, frames: frames.count)
      }
    }

    public func abort() {}
  }

  private let lock = NSLock()
  public private(set) var writers: [Writer] = []
  public init() {}

  public func mime(for settings: EncoderSettings) -> String { settings.mime }

  public func openSegment(seq: Int, path: String, settings: EncoderSettings) throws -> any SegmentWriter {
    let w = Writer(seq: seq, path: path)
    lock.lock()
    writers.append(w)
    lock.unlock()
    return w
  }
}
