// The synthetic source: `test-pattern:<W>x<H>[:<tag>]`, at the session's frame rate, on its own
// thread, stamping each frame with its number and capture time. Tag "static" sends one frame and
// then nothing (like an unchanged window under ScreenCaptureKit); a number 0–15 picks the colour
// and the 4-bit tag read back from composites.
import Foundation

public final class TestPatternSource: RecordingSource, @unchecked Sendable {
  public let id: String
  public let kind: SourceKind = .testPattern
  public let size: PixelSize
  public let tag: Int
  public let isStatic: Bool
  private let lock = NSLock()
  private var running = false
  private var thread: Thread?
  /// Frames come from here, so a running pattern reuses a few buffers instead of allocating. One
  /// idle buffer covers the steady state (the synchronizer holds the shown frame, this one is
  /// drawn next), as for X11 sources; more idle ones only stayed resident after a late tick.
  public let buffers = PixelBufferPool(maxIdle: 1)

  public init(id: String) throws {
    let parts = id.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count >= 2, parts.count <= 3, parts[0] == "test-pattern" else {
      throw CaptureError(.badRequest, "test pattern id must be test-pattern:<W>x<H>[:<tag>], got \(id)")
    }
    let dims = parts[1].split(separator: "x").compactMap { Int($0) }
    guard dims.count == 2, (16...7680).contains(dims[0]), (16...4320).contains(dims[1]) else {
      throw CaptureError(.badRequest, "test pattern size must be <W>x<H> within 16…7680 × 16…4320, got \(parts[1])")
    }
    self.id = id
    self.size = PixelSize(width: dims[0], height: dims[1])
    let tagText = parts.count == 3 ? parts[2] : ""
    self.isStatic = tagText == "static"
    if let n = Int(tagText), (0...15).contains(n) {
      self.tag = n
    } else {
      // A stable tag from the id, so two patterns without explicit tags still differ.
      self.tag = Int(id.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 } & 0xF)
    }
  }

  /// Draws frame `n` stamped `timestampUs` (used by the thread and by tests and benchmarks).
  public func makeFrame(_ n: Int, timestampUs: Int64, template: PixelBuffer? = nil) -> VideoFrame {
    let buffer = buffers.take(size)
    let stamp = TestPatternStamp(frame: n, tag: tag, timestampMs: timestampUs / 1000)
    if let template {
      buffer.bytes.copyMemory(from: template.bytes, byteCount: buffer.byteCount)
      TestPattern.drawDynamicParts(stamp, into: buffer)
    } else {
      TestPattern.draw(stamp, into: buffer)
    }
    return VideoFrame(sourceId: id, sequence: n, timestampUs: timestampUs, buffer: buffer)
  }

  public func start(clock: any SessionClock, fps: Int, sink: FrameSink) throws {
    lock.lock()
    defer { lock.unlock() }
    guard !running else { return }
    running = true
    let interval = Int64(1_000_000 / max(1, fps))
    let t = Thread { [self] in
      var n = 0
      var next = clock.nowUs()
      while isRunning() {
        let now = clock.nowUs()
        if now < next {
          usleep(UInt32(min(next - now, 100_000)))
          continue
        }
        if !isStatic || n == 0 {
          // Drawn whole, not copied from a filled template: filling costs about what copying
          // does, and a template would be one more frame of memory per source.
          sink.deliver(makeFrame(n, timestampUs: now))
          n += 1
        }
        next += interval
        if next < now - interval * 4 { next = now + interval }  // overloaded: do not burst
      }
    }
    t.name = "test-pattern \(id)"
    thread = t
    t.start()
  }

  private func isRunning() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return running
  }

  public func stop() {
    lock.lock()
    running = false
    lock.unlock()
  }
}
