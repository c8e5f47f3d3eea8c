// The session on a manual clock: segment boundaries, pause/resume with no gap in media time,
// sources added/removed/lost mid-session, encoder back-pressure, health and screenshots.
import CaptureCore
import CaptureTestSupport
import Foundation
import XCTest

final class MemoryThumbnails: ThumbnailWriter, @unchecked Sendable {
  let lock = NSLock()
  var written: [(String, PixelSize)] = []
  var mime: String { "image/x-test" }
  var fileExtension: String { "raw" }
  func write(_ image: PixelBuffer, to path: String) async throws {
    lock.withLock { written.append((path, image.size)) }
  }
}

final class RecordingSessionTests: XCTestCase {
  let clock = ManualClock(startUs: 1_000_000)
  let factory = ManualSourceFactory()
  let encoder = RecordingEncoder()
  let thumbs = MemoryThumbnails()
  var spool = ""

  override func setUp() {
    spool = NSTemporaryDirectory() + "swift-capture-tests-\(UUID().uuidString)"
  }

  override func tearDown() {
    try? FileManager.default.removeItem(atPath: spool)
  }

  func makeSession(fps: Int = 10, segmentSeconds: Int = 1, layout: LayoutKind = .grid) -> RecordingSession {
    var config = RecordingSession.Configuration(
      sessionId: "t", spoolDir: spool, layout: layout, fps: fps, maxSize: PixelSize(width: 640, height: 360),
      segmentSeconds: segmentSeconds, screenshotSeconds: 2)
    config.alignmentToleranceUs = 16_000
    return RecordingSession(configuration: config, clock: clock, encoder: encoder, thumbnails: thumbs, factory: factory)
  }

  /// Moves the clock to the capture time of the next tick, lets every live source capture a frame
  /// there, then runs the tick once its alignment window has passed.
  func step(_ session: RecordingSession, sources: [String], captureOffsetUs: Int64 = 0) async {
    let due = await session.nextDueUs()!
    let tickTime = due - 16_000
    clock.set(tickTime + captureOffsetUs)
    for id in sources { factory.source(id)?.emit(atUs: tickTime + captureOffsetUs) }
    clock.set(due)
    await session.tick()
  }

  func collect(_ session: RecordingSession) async -> [SessionEvent] {
    await session.close()
    var out: [SessionEvent] = []
    for await e in session.events { out.append(e) }
    return out
  }

  func segments(_ events: [SessionEvent]) -> [SegmentRecord] {
    events.compactMap { if case .segment(let s) = $0 { s } else { nil } }
  }

  func decode(_ frame: PixelBuffer, cell: Int, of count: Int) -> TestPatternStamp? {
    let rects = GridCompositor().layout(sourceSizes: Array(repeating: PixelSize(width: 320, height: 180), count: count), canvas: frame.size)
    return TestPattern.decode(frame, in: rects[cell]!)
  }

  func testSegmentBoundariesAreExactAndFramesLandInOrder() async throws {
    let session = makeSession()
    let ids = ["test-pattern:320x180:1", "test-pattern:320x180:2"]
    try await session.start(sources: ids.map { SourceRef(id: $0, kind: .testPattern) })
    for _ in 0..<35 { await step(session, sources: ids) }
    try await session.stop()
    let events = await collect(session)
    let segs = segments(events)
    XCTAssertEqual(segs.map(\.seq), [0, 1, 2, 3])
    XCTAssertEqual(segs.map(\.startUs), [1_000_000, 2_000_000, 3_000_000, 4_000_000])
    XCTAssertEqual(segs.map(\.endUs), [2_000_000, 3_000_000, 4_000_000, 4_500_000])
    XCTAssertEqual(segs.map(\.frames), [10, 10, 10, 5])
    XCTAssertEqual(segs[1].path, spool + "/video-000001.mp4")
    XCTAssertEqual(segs[0].mime, "video/mp4;codecs=avc1.64001e")
    // Tick n shows each source's frame n, in its own cell.
    let frames = encoder.writers.flatMap(\.frames)
    XCTAssertEqual(frames.count, 35)
    for (n, f) in frames.enumerated() {
      XCTAssertEqual(decode(f, cell: 0, of: 2)?.frame, n)
      XCTAssertEqual(decode(f, cell: 0, of: 2)?.tag, 1)
      XCTAssertEqual(decode(f, cell: 1, of: 2)?.frame, n)
      XCTAssertEqual(decode(f, cell: 1, of: 2)?.tag, 2)
    }
    guard case .state(.recording, _) = events.first!, case .state(.stopped, _) = events.last! else {
      return XCTFail("events start with recording and end with stopped: \(events)")
    }
  }

  func testPauseIsCutFromTheMediaTimeline() async throws {
    let session = makeSession(segmentSeconds: 2)
    let id = "test-pattern:320x180:3"
    try await session.start(sources: [SourceRef(id: id, kind: .testPattern)])
    for _ in 0..<15 { await step(session, sources: [id]) }
    // Ticks 0–14 ran at 1.0…2.4 s. Pause at 2.45 s for 5 s; frames captured meanwhile are not shown.
    clock.set(2_450_000)
    try await session.pause()
    do { try await session.pause(); XCTFail("pause twice") } catch { XCTAssertEqual((error as? CaptureError)?.code, .invalidState) }
    for i in 0..<50 {
      clock.set(2_500_000 + Int64(i) * 100_000)
      factory.source(id)?.emit(atUs: clock.nowUs())
      await session.tick()
    }
    XCTAssertEqual(encoder.writers.flatMap(\.frames).count, 15)
    clock.set(7_450_000)
    try await session.resume()
    // The first tick after resume is due now (media 2.5 s ↔ wall 7.45 s).
    let due = await session.nextDueUs()
    XCTAssertEqual(due, 7_450_000 + 16_000)
    for _ in 0..<25 { await step(session, sources: [id]) }
    try await session.stop()
    let events = await collect(session)
    let segs = segments(events)
    // Boundaries on multiples of 2 s of media time; the first segment starts at 1 s.
    XCTAssertEqual(segs.map(\.startUs), [1_000_000, 2_000_000, 4_000_000])
    XCTAssertEqual(segs.map(\.endUs), [2_000_000, 4_000_000, 5_000_000])
    XCTAssertEqual(segs.map(\.frames), [10, 20, 10])
    // Frames after the resume were captured after it: no frozen frame from before the pause.
    let frames = encoder.writers.flatMap(\.frames)
    let stamp15 = decode(frames[15], cell: 0, of: 1)!
    XCTAssertEqual(stamp15.timestampMs, 7_450)
    let stamp14 = decode(frames[14], cell: 0, of: 1)!
    XCTAssertEqual(stamp14.timestampMs, 2_400)
    let kinds = events.compactMap { if case .timeline(let k, _, let ts) = $0 { "\(k)@\(ts)" } else { nil } }
    XCTAssertEqual(kinds, ["pause@2450000", "resume@7450000"])
    let states = events.compactMap { if case .state(let s, let ts) = $0 { "\(s.rawValue)@\(ts)" } else { nil } }
    XCTAssertEqual(states.first, "recording@1000000")
    XCTAssertEqual(Array(states.dropFirst().prefix(2)), ["paused@2450000", "recording@7450000"])
  }

  func testSourcesAddedRemovedAndLostReflowTheGrid() async throws {
    let session = makeSession(segmentSeconds: 10)
    let a = "test-pattern:320x180:1", b = "test-pattern:320x180:2", c = "test-pattern:320x180:3"
    try await session.start(sources: [SourceRef(id: a, kind: .testPattern)])
    for _ in 0..<5 { await step(session, sources: [a]) }
    try await session.addSource(SourceRef(id: b, kind: .testPattern))
    try await session.addSource(SourceRef(id: c, kind: .testPattern))
    do {
      try await session.addSource(SourceRef(id: b, kind: .testPattern))
      XCTFail("adding a source twice must fail")
    } catch { XCTAssertEqual((error as? CaptureError)?.code, .invalidState) }
    for _ in 0..<5 { await step(session, sources: [a, b, c]) }
    try await session.removeSource(a)
    do {
      try await session.removeSource("x11:0x1")
      XCTFail("removing an unknown source must fail")
    } catch { XCTAssertEqual((error as? CaptureError)?.code, .notFound) }
    for _ in 0..<5 { await step(session, sources: [b, c]) }
    factory.source(c)?.markLost("window closed")
    for _ in 0..<5 { await step(session, sources: [b]) }
    do {
      try await session.removeSource(b)
      XCTFail("removing the last source must fail")
    } catch { XCTAssertEqual((error as? CaptureError)?.code, .invalidState) }
    try await session.stop()
    let events = await collect(session)
    let frames = encoder.writers.flatMap(\.frames)
    XCTAssertEqual(frames.count, 20)
    XCTAssertEqual(decode(frames[4], cell: 0, of: 1)?.tag, 1)
    XCTAssertEqual([0, 1, 2].map { decode(frames[9], cell: $0, of: 3)?.tag }, [1, 2, 3])
    XCTAssertEqual([0, 1].map { decode(frames[14], cell: $0, of: 2)?.tag }, [2, 3])
    XCTAssertEqual(decode(frames[19], cell: 0, of: 1)?.tag, 2)
    XCTAssertEqual(decode(frames[19], cell: 0, of: 1)?.frame, 14)
    let kinds = events.compactMap { if case .timeline(let k, _, _) = $0 { k } else { nil } }
    XCTAssertEqual(kinds, ["source-added", "source-added", "source-removed", "source-lost"])
    XCTAssertTrue(factory.source(a)!.stopped)
    XCTAssertTrue(factory.source(c)!.stopped)
  }

  func testEncoderBackPressureRepeatsFramesSoTheTimelineKeepsEveryTick() async throws {
    let session = makeSession(segmentSeconds: 10)
    let id = "test-pattern:320x180:4"
    try await session.start(sources: [SourceRef(id: id, kind: .testPattern)])
    for _ in 0..<5 { await step(session, sources: [id]) }
    encoder.writers[0].refuseNext = 2
    for _ in 0..<5 { await step(session, sources: [id]) }
    try await session.stop()
    _ = await collect(session)
    let frames = encoder.writers[0].frames
    XCTAssertEqual(frames.count, 10)
    XCTAssertEqual(frames.map { decode($0, cell: 0, of: 1)!.frame }, [0, 1, 2, 3, 4, 7, 7, 7, 8, 9])
    let stats = await session.statistics()
    XCTAssertEqual(stats.droppedOut, 2)
    XCTAssertEqual(stats.framesOut, 10)
  }

  func testHealthReportsFpsAndStaticSourcesAndScreenshotsAreTaken() async throws {
    let session = makeSession(segmentSeconds: 10)
    let live = "test-pattern:320x180:5", still = "test-pattern:320x180:6"
    try await session.start(sources: [SourceRef(id: live, kind: .testPattern), SourceRef(id: still, kind: .testPattern)])
    factory.source(still)?.emit(atUs: clock.nowUs())
    for _ in 0..<45 { await step(session, sources: [live]) }
    try await session.stop()
    let events = await collect(session)
    let health = events.compactMap { if case .health(let h) = $0 { h } else { nil } }
    XCTAssertGreaterThanOrEqual(health.count, 3)
    let h = health[1]
    XCTAssertEqual(h.fps, 10, accuracy: 0.5)
    XCTAssertEqual(h.sources.map(\.id), [live, still])
    XCTAssertEqual(h.sources[0].state, .ok)
    XCTAssertEqual(h.sources[0].fps, 10, accuracy: 0.5)
    XCTAssertEqual(h.sources[1].state, .static)
    XCTAssertEqual(h.dropped, 0)
    XCTAssertEqual(h.duplicated, h.sources[1].duplicated)
    XCTAssertGreaterThan(h.sources[1].duplicated, 10)
    let shots = events.compactMap { if case .screenshot(let s) = $0 { s } else { nil } }
    // Every 2 s of media time from the start: at 0, 2 and 4 s.
    XCTAssertEqual(shots.count, 3)
    XCTAssertEqual(shots.first?.path, spool + "/shot-000001.raw")
    XCTAssertEqual(shots.first.map { PixelSize(width: $0.width, height: $0.height) }, PixelSize(width: 320, height: 180))
    XCTAssertNotNil(shots.first?.phash.range(of: "^[0-9a-f]{16}$", options: .regularExpression))
  }

  func testSegmentsAlignToTheMediaGridWhenStartingMidSegment() async throws {
    // Started at 1.234 s with 1 s segments at 10 fps: the first tick is 1.2 s (the grid point at or
    // before the start request), the first segment ends at 2 s (like the audio child's), the next
    // ones are whole seconds.
    clock.set(1_234_000)
    let session = makeSession()
    let id = "test-pattern:320x180:7"
    try await session.start(sources: [SourceRef(id: id, kind: .testPattern)])
    let due = await session.nextDueUs()
    XCTAssertEqual(due, 1_200_000 + 16_000)
    // The source's first frame arrives after the first tick's time: it still fills that tick.
    clock.set(1_250_000)
    factory.source(id)?.emit(atUs: 1_250_000)
    await session.tick()
    for _ in 0..<20 { await step(session, sources: [id]) }
    try await session.stop()
    let segs = segments(await collect(session))
    XCTAssertEqual(segs.map(\.startUs), [1_200_000, 2_000_000, 3_000_000])
    XCTAssertEqual(segs.map(\.endUs), [2_000_000, 3_000_000, 3_300_000])
    XCTAssertEqual(segs.map(\.frames), [8, 10, 3])
    let first = encoder.writers[0].frames[0]
    XCTAssertEqual(decode(first, cell: 0, of: 1)?.timestampMs, 1_250)
    XCTAssertEqual(segs.map(\.seq), [0, 1, 2])
  }

  func testStartJustAfterTheOriginStartsTheMediaTimelineAtZero() async throws {
    // The host sets the origin, then spawns the child; its start arrives 80 ms later.
    clock.set(80_000)
    let session = makeSession()
    let id = "test-pattern:320x180:8"
    try await session.start(sources: [SourceRef(id: id, kind: .testPattern)])
    factory.source(id)?.emit(atUs: 90_000)
    clock.set(120_000)
    await session.tick()  // ticks 0 (0 s) and 1 (0.1 s), both from the first frame
    for _ in 0..<8 { await step(session, sources: [id]) }
    try await session.stop()
    let segs = segments(await collect(session))
    XCTAssertEqual(segs.map(\.startUs), [0])
    XCTAssertEqual(segs.map(\.endUs), [1_000_000])
    XCTAssertEqual(segs.map(\.frames), [10])
    let frames = encoder.writers[0].frames
    XCTAssertEqual(frames.prefix(2).map { decode($0, cell: 0, of: 1)?.timestampMs }, [90, 90])
  }

  func testCommandsOutOfStateAreRefused() async throws {
    let session = makeSession()
    do { try await session.pause(); XCTFail() } catch { XCTAssertEqual((error as? CaptureError)?.code, .invalidState) }
    do { try await session.stop(); XCTFail() } catch { XCTAssertEqual((error as? CaptureError)?.code, .invalidState) }
    do {
      try await session.start(sources: [SourceRef(id: "test-pattern:bad", kind: .testPattern)])
      XCTFail()
    } catch { XCTAssertEqual((error as? CaptureError)?.code, .badRequest) }
    try await session.start(sources: [SourceRef(id: "test-pattern:64x64", kind: .testPattern)])
    do { try await session.resume(); XCTFail() } catch { XCTAssertEqual((error as? CaptureError)?.code, .invalidState) }
    do {
      try await session.start(sources: [SourceRef(id: "test-pattern:64x64", kind: .testPattern)])
      XCTFail()
    } catch { XCTAssertEqual((error as? CaptureError)?.code, .invalidState) }
    try await session.stop()
  }
}
