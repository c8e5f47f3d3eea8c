// A source whose frames a test pushes by hand (test-pattern pixels, chosen timestamps).
import CaptureCore
import Foundation

public final class ManualSource: RecordingSource, @unchecked Sendable {
  public let id: String
  public let kind: SourceKind = .testPattern
  public let size: PixelSize
  public let tag: Int
  private let lock = NSLock()
  private var sink: FrameSink?
  private var sequence = 0
  public private(set) var stopped = false

  public init(id: String, size: PixelSize, tag: Int) {
    self.id = id
    self.size = size
    self.tag = tag
  }

  public func start(clock: any SessionClock, fps: Int, sink: FrameSink) throws {
    lock.lock()
    self.sink = sink
    lock.unlock()
  }

  public func stop() {
    lock.lock()
    stopped = true
    sink = nil
    lock.unlock()
  }

  /// Pushes one test-pattern frame stamped `timestampUs`; returns its sequence number.
  @discardableResult
  public func emit(atUs timestampUs: Int64) -> Int {
    lock.lock()
    let n = sequence
    sequence += 1
    let sink = self.sink
    lock.unlock()
    let buffer = PixelBuffer(size: size)
    TestPattern.draw(TestPatternStamp(frame: n, tag: tag, timestampMs: timestampUs / 1000), into: buffer)
    sink?.deliver(VideoFrame(sourceId: id, sequence: n, timestampUs: timestampUs, buffer: buffer))
    return n
  }

  public func markLost(_ reason: String) {
    lock.lock()
    let sink = self.sink
    lock.unlock()
    sink?.markLost(reason)
  }
}

/// Hands out ManualSources by id (test-pattern:WxH:tag style ids) and remembers them.
public final class ManualSourceFactory: SourceFactory, @unchecked Sendable {
  private let lock = NSLock()
  private var made: [String: ManualSource] = [:]
  public init() {}

  public func makeSource(_ ref: SourceRef) throws -> any RecordingSource {
    let probe = try TestPatternSource(id: ref.id)
    let s = ManualSource(id: ref.id, size: probe.size, tag: probe.tag)
    lock.lock()
    made[ref.id] = s
    lock.unlock()
    return s
  }

  public func listSources() throws -> SourceList { SourceList() }

  public func source(_ id: String) -> ManualSource? {
    lock.lock()
    defer { lock.unlock() }
    return made[id]
  }
}
