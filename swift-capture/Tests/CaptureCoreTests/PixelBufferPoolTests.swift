// Frame memory is reused: the pool hands back released memory instead of allocating, bounds what
// it keeps idle, and a steady recording (fresh frames every tick) allocates no composite buffers
// after its first ticks, nor a running test pattern source buffers. A pool drawing on its own
// memory source (X11's shared-memory segments) gets nil, not a crash, when the source has none, and
// gives every block back to it.
import CaptureCore
import CaptureTestSupport
import Foundation
import XCTest

/// Takes frames and lets them go at once (a perfectly fast encoder), counting them.
final class DiscardingEncoder: VideoEncoder, @unchecked Sendable {
  final class Writer: SegmentWriter, @unchecked Sendable {
    let seq: Int, path: String
    private let lock = NSLock()
    private var frames = 0
    init(seq: Int, path: String) {
      self.seq = seq
      self.path = path
    }
    func append(_ frame: PixelBuffer, count: Int) throws -> Bool {
      lock.withLock { frames += count }
      return true
    }
    var queuedFrames: Int { 0 }
    func finish() async throws -> EncodedSegment {
      lock.withLock { EncodedSegment(seq: seq, path: path, bytes: frames, frames: frames) }
    }
    func abort() {}
  }
  func mime(for settings: EncoderSettings) -> String { settings.mime }
  func openSegment(seq: Int, path: String, settings: EncoderSettings) throws -> any SegmentWriter {
    Writer(seq: seq, path: path)
  }
}

/// Pixel memory of at most `budget` blocks out at a time (like shared-memory segments), tracking them.
final class CountingMemory: PixelMemorySource, @unchecked Sendable {
  private let lock = NSLock()
  let budget: Int
  private(set) var out: [UnsafeMutableRawPointer: Int] = [:]
  private(set) var returned = 0
  init(budget: Int) { self.budget = budget }
  var outstanding: Int { lock.withLock { out.count } }
  var returnedCount: Int { lock.withLock { returned } }
  func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
    lock.withLock {
      guard out.count < budget else { return nil }
      let p = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
      out[p] = byteCount
      return p
    }
  }
  func deallocate(_ bytes: UnsafeMutableRawPointer, byteCount: Int) {
    lock.withLock {
      XCTAssertEqual(out.removeValue(forKey: bytes), byteCount, "memory given back with its own size")
      returned += 1
    }
    bytes.deallocate()
  }
}

final class PixelBufferPoolTests: XCTestCase {
  func testAPoolWithAMemorySourceReusesItsBlocksAndGivesEveryOneBack() {
    let memory = CountingMemory(budget: 3)
    var pool: PixelBufferPool? = PixelBufferPool(maxIdle: 1, memory: memory)
    let size = PixelSize(width: 640, height: 480)
    var a: PixelBuffer? = pool!.tryTake(size)
    var b: PixelBuffer? = pool!.tryTake(size)
    var c: PixelBuffer? = pool!.tryTake(size)
    XCTAssertNotNil(a)
    XCTAssertNotNil(b)
    XCTAssertNotNil(c)
    XCTAssertNil(pool!.tryTake(size), "the source has no more: nil, not a crash")
    XCTAssertEqual(pool!.statistics, .init(allocated: 3, live: 3, idle: 0), "a refused take is not counted")
    a = nil
    b = nil
    XCTAssertEqual(memory.returnedCount, 1, "beyond maxIdle, memory goes back to its source")
    var again = pool!.tryTake(size)
    XCTAssertNotNil(again, "the idle block is handed out again")
    XCTAssertEqual(pool!.statistics.allocated, 3)
    again = nil
    c = nil
    XCTAssertEqual(memory.outstanding, 1, "one idle block kept")
    // A new size gives the idle block of the old one back before allocating.
    var bigger = pool!.tryTake(PixelSize(width: 800, height: 600))
    XCTAssertNotNil(bigger)
    XCTAssertEqual(memory.outstanding, 1)
    bigger = nil
    pool = nil
    XCTAssertEqual(memory.outstanding, 0, "every block went back to the source")
  }


  func testReleasedMemoryIsReusedAndIdleMemoryIsBounded() {
    let pool = PixelBufferPool(maxIdle: 2)
    let size = PixelSize(width: 640, height: 360)
    var a: PixelBuffer? = pool.take(size)
    let firstAddress = a!.bytes
    a = nil
    let b = pool.take(size)
    XCTAssertEqual(b.bytes, firstAddress, "released memory is handed out again")
    XCTAssertEqual(pool.statistics, .init(allocated: 1, live: 1, idle: 0))
    var many: [PixelBuffer] = (0..<5).map { _ in pool.take(size) }
    XCTAssertEqual(Set(many.map(\.bytes)).count, 5)
    XCTAssertFalse(many.contains { $0.bytes == b.bytes }, "no live buffer's memory is handed out")
    XCTAssertEqual(pool.statistics, .init(allocated: 6, live: 6, idle: 0))
    many = []
    XCTAssertEqual(pool.statistics, .init(allocated: 6, live: 1, idle: 2), "only maxIdle kept")
    // A new size drops the idle memory of the old one; old-size buffers are not kept on release.
    let other = pool.take(PixelSize(width: 320, height: 180))
    XCTAssertEqual(other.size, PixelSize(width: 320, height: 180))
    XCTAssertEqual(pool.statistics, .init(allocated: 7, live: 2, idle: 0))
    _ = consume b
    XCTAssertEqual(pool.statistics.idle, 0)
  }

  func testARunningTestPatternReusesItsBuffers() throws {
    let source = try TestPatternSource(id: "test-pattern:320x180:3")
    for n in 0..<100 {
      let frame = source.makeFrame(n, timestampUs: Int64(n) * 33_333)
      XCTAssertEqual(TestPattern.decode(frame.buffer, in: PixelRect(x: 0, y: 0, width: 320, height: 180))?.frame, n)
    }
    XCTAssertEqual(source.buffers.statistics.allocated, 1)
  }

  func testASteadyRecordingAllocatesNoCompositeBuffers() async throws {
    let clock = ManualClock(startUs: 1_000_000)
    let factory = ManualSourceFactory()
    let spool = NSTemporaryDirectory() + "swift-capture-pool-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: spool) }
    let config = RecordingSession.Configuration(
      sessionId: "pool", spoolDir: spool, layout: .grid, fps: 10, maxSize: PixelSize(width: 640, height: 360),
      segmentSeconds: 1, screenshotSeconds: 2)
    let session = RecordingSession(
      configuration: config, clock: clock, encoder: DiscardingEncoder(), thumbnails: nil, factory: factory)
    let ids = ["test-pattern:320x180:1", "test-pattern:320x180:2"]
    try await session.start(sources: ids.map { SourceRef(id: $0, kind: .testPattern) })
    var afterWarmUp = 0
    for tick in 0..<300 {
      let due = await session.nextDueUs()!
      clock.set(due - 16_000)
      for id in ids { factory.source(id)?.emit(atUs: due - 16_000) }
      clock.set(due)
      await session.tick()
      if tick == 10 { afterWarmUp = session.outputBuffers.allocated }
    }
    try await session.stop()
    let stats = await session.statistics()
    XCTAssertEqual(stats.framesOut, 300)
    XCTAssertEqual(stats.sources[ids[0]]?.shown, 300, "every tick rendered a fresh frame")
    XCTAssertLessThanOrEqual(afterWarmUp, 2, "the last output and the one being made")
    XCTAssertEqual(session.outputBuffers.allocated, afterWarmUp, "no composite allocated after warm-up")
  }
}
