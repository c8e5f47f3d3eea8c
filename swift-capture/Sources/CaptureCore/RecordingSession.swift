// The orchestrator: sources → synchronizer → compositor → encoder, one output frame per tick.
// Guarantees:
// - Output tick n has media time n·10⁶/fps exactly (integer arithmetic on the session clock's
//   grid): no drift. The first tick is the grid point at or just before the moment `start` was
//   called (not after the sources and encoder are up), or session time 0 when that moment is
//   within `startSnapUs` of it (process start-up), so video starts with the audio child; the
//   first frame stands in for those first ticks.
// - Pause cuts time out of the media timeline: the first tick after resume follows the last one
//   before pause, and segments keep running across it (no gap, no frozen frames).
// - Segment boundaries fall on multiples of segmentSeconds of media time (the first segment is
//   shorter when recording starts mid-way), like the audio child's, so `sync` can pair them by seq;
//   each ends as one file and one `segment` event, in order; `stop` ends the current one early
//   and returns after its event.
// - A late tick is never skipped: when ticks fall behind by more than half a second, they repeat
//   the last composite instead of rendering, so the timeline keeps every frame.
// Time is read from the injected clock, so tests step `tick()` by hand.
import Foundation

public actor RecordingSession {
  public struct Configuration: Sendable {
    public var sessionId: String
    public var spoolDir: String
    public var layout: LayoutKind
    public var fps: Int
    public var maxSize: PixelSize
    public var segmentSeconds: Int
    public var screenshotSeconds: Int
    public var healthIntervalUs: Int64 = 1_000_000
    /// Frames are aligned to a tick within this; ticks run this much behind the clock.
    public var alignmentToleranceUs: Int64 = 16_000

    public init(
      sessionId: String, spoolDir: String, layout: LayoutKind, fps: Int, maxSize: PixelSize,
      segmentSeconds: Int, screenshotSeconds: Int
    ) {
      self.sessionId = sessionId
      self.spoolDir = spoolDir
      self.layout = layout
      self.fps = fps
      self.maxSize = maxSize
      self.segmentSeconds = segmentSeconds
      self.screenshotSeconds = screenshotSeconds
    }
  }

  private enum State {
    case idle
    case recording
    case paused(sinceUs: Int64)
    case stopping
    case stopped
  }

  public static let maxSources = 9
  /// A start this close to session time 0 starts the media timeline at 0 (see the header).
  public static let startSnapUs: Int64 = 250_000

  public let configuration: Configuration
  public nonisolated let events: AsyncStream<SessionEvent>
  private let emit: AsyncStream<SessionEvent>.Continuation
  private let clock: any SessionClock
  private let encoder: any VideoEncoder
  private let thumbnails: (any ThumbnailWriter)?
  private let factory: any SourceFactory
  private let synchronizer: FrameSynchronizer

  private var state: State = .idle
  private var sources: [String: any RecordingSource] = [:]
  private var order: [String] = []
  private var lostSources: [String] = []
  private var compositor: any FrameCompositor
  private var renderer: CompositeRenderer?
  private var settings: EncoderSettings?

  // Timeline.
  private var firstTick = 0
  private var pausedTotalUs: Int64 = 0
  private var nextTick = 0

  // Segments.
  private var writer: (any SegmentWriter)?
  private var segmentSeq = -1
  private var segmentStartTick = 0
  private var pendingRepeats = 0
  private var finishing: Task<Void, Never>?

  // Output and statistics.
  /// Copies of the composite for encoders that keep frames (an encoder that copies on append is
  /// lent the canvas itself, and this stays empty): the last one and the one being made are in
  /// flight, one idle block covers the steady state; more in flight allocate and are freed again.
  private let outputs = PixelBufferPool(maxIdle: 1)
  private var lastOutput: PixelBuffer?
  private var lastRects: [PixelRect?] = []
  private var framesOut = 0
  private var droppedOut = 0
  private var nextHealthUs: Int64 = 0
  private var healthWindowStartUs: Int64 = 0
  private var healthWindowFrames = 0
  private var shownAtWindowStart: [String: Int] = [:]
  private var screenshotSeq = 0
  private var nextScreenshotMediaUs: Int64 = 0
  private var screenshots: [Task<Void, Never>] = []

  public init(
    configuration: Configuration, clock: any SessionClock, encoder: any VideoEncoder,
    thumbnails: (any ThumbnailWriter)?, factory: any SourceFactory
  ) {
    self.configuration = configuration
    self.clock = clock
    self.encoder = encoder
    self.thumbnails = thumbnails
    self.factory = factory
    self.compositor = makeCompositor(configuration.layout)
    self.synchronizer = FrameSynchronizer(toleranceUs: min(configuration.alignmentToleranceUs, 500_000 / Int64(configuration.fps)))
    (events, emit) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .unbounded)
  }

  // MARK: - Time

  var framesPerSegment: Int { configuration.segmentSeconds * configuration.fps }

  /// Media time of tick n (pauses removed).
  public func mediaUs(_ n: Int) -> Int64 {
    Int64(n) * 1_000_000 / Int64(configuration.fps)
  }

  /// Session-clock time of tick n.
  func wallUs(_ n: Int) -> Int64 { mediaUs(n) + pausedTotalUs }

  var latencyUs: Int64 { min(configuration.alignmentToleranceUs, 500_000 / Int64(configuration.fps)) }

  private func now() -> Int64 { clock.nowUs() }
  private func eventTs() -> Int64 { max(0, clock.nowUs()) }

  public var isActive: Bool {
    switch state {
    case .recording, .paused: true
    default: false
    }
  }

  public var isPaused: Bool {
    if case .paused = state { return true }
    return false
  }

  public var sourceIds: [String] { order }
  public var canvasSize: PixelSize? { settings?.size }

  // MARK: - Commands

  public func start(sources refs: [SourceRef]) async throws {
    guard case .idle = state else { throw CaptureError(.invalidState, "the session was already started") }
    guard (1...Self.maxSources).contains(refs.count) else {
      throw CaptureError(.badRequest, "a session records 1 to \(Self.maxSources) sources")
    }
    guard Set(refs.map(\.id)).count == refs.count else { throw CaptureError(.badRequest, "duplicate source id") }
    let requestedAt = max(0, now())
    try Self.prepareSpool(configuration.spoolDir)
    var started: [any RecordingSource] = []
    do {
      for ref in refs {
        let source = try factory.makeSource(ref)
        let sink = await synchronizer.addSource(ref.id)
        try source.start(clock: clock, fps: configuration.fps, sink: sink)
        started.append(source)
        sources[ref.id] = source
        order.append(ref.id)
      }
      let canvas = Self.canvasSize(layout: configuration.layout, first: started[0].size, max: configuration.maxSize)
      settings = EncoderSettings(size: canvas, fps: configuration.fps)
      renderer = CompositeRenderer(canvas: canvas)
      firstTick = requestedAt < Self.startSnapUs ? 0 : Int(requestedAt * Int64(configuration.fps) / 1_000_000)
      nextTick = firstTick
      try openSegment(atTick: firstTick)
    } catch {
      for s in started { s.stop() }
      for id in order { await synchronizer.removeSource(id) }
      sources = [:]
      order = []
      throw Self.asCaptureError(error)
    }
    state = .recording
    nextHealthUs = mediaUs(firstTick) + configuration.healthIntervalUs
    healthWindowStartUs = mediaUs(firstTick)
    nextScreenshotMediaUs = mediaUs(firstTick)
    emit.yield(.state(.recording, tsUs: eventTs()))
  }

  public func addSource(_ ref: SourceRef) async throws {
    guard isActive else { throw CaptureError(.invalidState, "not recording") }
    guard sources[ref.id] == nil else { throw CaptureError(.invalidState, "source \(ref.id) is already recorded") }
    guard order.count < Self.maxSources else {
      throw CaptureError(.invalidState, "already \(Self.maxSources) sources; remove one first")
    }
    let source = try factory.makeSource(ref)
    let sink = await synchronizer.addSource(ref.id)
    do {
      try source.start(clock: clock, fps: configuration.fps, sink: sink)
    } catch {
      await synchronizer.removeSource(ref.id)
      throw Self.asCaptureError(error)
    }
    sources[ref.id] = source
    order.append(ref.id)
    lostSources.removeAll { $0 == ref.id }
    emit.yield(.timeline(kind: "source-added", detail: "\(ref.kind.rawValue) \(ref.id)", tsUs: eventTs()))
  }

  public func removeSource(_ id: String) async throws {
    guard isActive else { throw CaptureError(.invalidState, "not recording") }
    guard let source = sources[id] else { throw CaptureError(.notFound, "no source \(id) in this session") }
    guard order.count > 1 else { throw CaptureError(.invalidState, "cannot remove the last source; stop instead") }
    source.stop()
    sources[id] = nil
    order.removeAll { $0 == id }
    await synchronizer.removeSource(id)
    emit.yield(.timeline(kind: "source-removed", detail: "\(source.kind.rawValue) \(id)", tsUs: eventTs()))
  }

  public func setLayout(_ layout: LayoutKind) throws {
    guard isActive else { throw CaptureError(.invalidState, "not recording") }
    compositor = makeCompositor(layout)
    renderer?.invalidate()
  }

  public func pause() throws {
    guard case .recording = state else { throw CaptureError(.invalidState, "pause needs a recording session") }
    let t = now()
    state = .paused(sinceUs: t)
    emit.yield(.timeline(kind: "pause", detail: "paused at media \(mediaUs(nextTick)) µs", tsUs: max(0, t)))
    emit.yield(.state(.paused, tsUs: max(0, t)))
  }

  public func resume() async throws {
    guard case .paused = state else { throw CaptureError(.invalidState, "resume needs a paused session") }
    let t = now()
    // The next tick happens now; everything between it and the previous tick is cut out.
    pausedTotalUs = max(pausedTotalUs, t - mediaUs(nextTick))
    await synchronizer.discardWhilePaused()
    for id in order { shownAtWindowStart[id] = await synchronizer.counters(id)?.shown ?? 0 }
    state = .recording
    nextHealthUs = t + configuration.healthIntervalUs
    healthWindowStartUs = t
    healthWindowFrames = 0
    emit.yield(.timeline(kind: "resume", detail: "resumed at media \(mediaUs(nextTick)) µs", tsUs: max(0, t)))
    emit.yield(.state(.recording, tsUs: max(0, t)))
  }

  /// Ends the current segment, waits for every segment and screenshot event, emits `stopped`.
  public func stop() async throws {
    guard isActive else { throw CaptureError(.invalidState, "not recording") }
    state = .stopping
    for id in order { sources[id]?.stop() }
    if let w = writer {
      finishSegment(w, seq: segmentSeq, fromTick: segmentStartTick, toTick: nextTick)
      writer = nil
    }
    await finishing?.value
    for t in screenshots { await t.value }
    screenshots = []
    state = .stopped
    emit.yield(.state(.stopped, tsUs: eventTs()))
  }

  /// Ends the event stream (after stop, when nothing more will be said).
  public func close() {
    emit.finish()
  }

  // MARK: - Ticks

  /// When the next tick is due (session clock), or nil when not recording.
  public func nextDueUs() -> Int64? {
    guard case .recording = state else { return nil }
    return wallUs(nextTick) + latencyUs
  }

  /// Runs every tick that is due now. Call it repeatedly (run() does) or step it in tests.
  public func tick() async {
    while case .recording = state, wallUs(nextTick) + latencyUs <= now() {
      let behind = now() - (wallUs(nextTick) + latencyUs)
      await processTick(render: behind < 500_000 || lastOutput == nil)
    }
  }

  /// Ticks in real time until stopped. The first ticks wait (up to a quarter second) for every
  /// source's first frame, which then fills them.
  public func run() async {
    let startWait = now()
    while case .recording = state, now() - startWait < 250_000, !(await synchronizer.everySourceHasAFrame()) {
      await clock.sleep(untilUs: now() + 5_000)
    }
    while true {
      switch state {
      case .recording:
        if let due = nextDueUs() { await clock.sleep(untilUs: due) }
        await tick()
      case .paused:
        await synchronizer.discardWhilePaused()
        await clock.sleep(untilUs: now() + 5_000)
      default:
        return
      }
    }
  }

  private func processTick(render: Bool) async {
    let n = nextTick
    let wall = wallUs(n)
    if n > segmentStartTick && n % framesPerSegment == 0 {
      do {
        try rotateSegment(atTick: n)
      } catch {
        await fail(Self.asCaptureError(error))
        return
      }
    }
    var output: PixelBuffer
    if render, let renderer {
      let selections = await synchronizer.tick(atUs: wall)
      guard case .recording = state else { return }
      await handleLostSources()
      let shown = selections.filter { sources[$0.sourceId] != nil }
      let sizes = shown.map { $0.frame?.buffer.size ?? sources[$0.sourceId]?.size ?? PixelSize(width: 16, height: 16) }
      let rects = compositor.layout(sourceSizes: sizes, canvas: renderer.canvas.size)
      if let last = lastOutput, rects == lastRects, !shown.contains(where: \.fresh) {
        output = last  // nothing changed: no render, no copy
      } else {
        renderer.render(frames: shown.map { $0.frame?.buffer }, rects: rects)
        output = writer?.keepsFrames == false ? renderer.canvas : renderer.canvas.copy(using: outputs)
      }
      lastRects = rects
    } else if let last = lastOutput {
      output = last
      droppedOut += 1
    } else {
      return
    }
    guard case .recording = state, let writer else { return }
    do {
      if try writer.append(output, count: 1 + pendingRepeats) {
        pendingRepeats = 0
      } else {
        pendingRepeats += 1
        droppedOut += 1
      }
    } catch {
      await fail(Self.asCaptureError(error))
      return
    }
    lastOutput = output
    nextTick = n + 1
    framesOut += 1
    healthWindowFrames += 1
    if thumbnails != nil, mediaUs(n) >= nextScreenshotMediaUs {
      nextScreenshotMediaUs = mediaUs(n) + Int64(configuration.screenshotSeconds) * 1_000_000
      // Shrunk here, on the tick: the canvas is redrawn in place, and a full-size copy for later
      // would briefly be one more canvas of memory (8 MB at 1080p) where the thumbnail is 230 kB.
      takeScreenshot(PerceptualHash.thumbnail(output))
    }
    if wall >= nextHealthUs {
      await emitHealth(at: wall)
    }
  }

  private func handleLostSources() async {
    for (id, reason) in await synchronizer.takeLost() {
      guard let source = sources[id] else { continue }
      source.stop()
      sources[id] = nil
      order.removeAll { $0 == id }
      lostSources.append(id)
      await synchronizer.removeSource(id)
      emit.yield(.timeline(kind: "source-lost", detail: "\(source.kind.rawValue) \(id): \(reason)", tsUs: eventTs()))
    }
  }

  // MARK: - Segments

  private func openSegment(atTick n: Int) throws {
    guard let settings else { throw CaptureError(.internal, "no encoder settings") }
    let seq = segmentSeq + 1
    let path = (configuration.spoolDir as NSString).appendingPathComponent(String(format: "video-%06d.mp4", seq))
    writer = try encoder.openSegment(seq: seq, path: path, settings: settings, startTick: n)
    segmentSeq = seq
    segmentStartTick = n
  }

  private func rotateSegment(atTick n: Int) throws {
    if let w = writer {
      finishSegment(w, seq: segmentSeq, fromTick: segmentStartTick, toTick: n)
      writer = nil
    }
    pendingRepeats = 0
    try openSegment(atTick: n)
  }

  private func finishSegment(_ w: any SegmentWriter, seq: Int, fromTick: Int, toTick: Int) {
    let previous = finishing
    let startUs = mediaUs(fromTick), endUs = mediaUs(toTick)
    let mime = encoder.mime(for: settings ?? EncoderSettings(size: PixelSize(width: 2, height: 2), fps: 1))
    finishing = Task { [emit] in
      await previous?.value
      do {
        let done = try await w.finish()
        emit.yield(.segment(SegmentRecord(
          seq: seq, path: done.path, mime: mime, startUs: startUs, endUs: endUs, bytes: done.bytes,
          frames: done.frames)))
      } catch {
        emit.yield(.error(Self.asCaptureError(error)))
      }
    }
  }

  private func fail(_ error: CaptureError) async {
    emit.yield(.error(error))
    guard isActive else { return }
    state = .stopping
    for id in order { sources[id]?.stop() }
    writer?.abort()
    writer = nil
    await finishing?.value
    state = .stopped
    emit.yield(.state(.stopped, tsUs: eventTs()))
  }

  // MARK: - Screenshots and health

  private func takeScreenshot(_ thumb: PixelBuffer) {
    guard let thumbnails else { return }
    screenshotSeq += 1
    let path = (configuration.spoolDir as NSString).appendingPathComponent(
      String(format: "shot-%06d.%@", screenshotSeq, thumbnails.fileExtension))
    let ts = eventTs()
    let previous = screenshots.last
    // Hashed and written off the tick, one after another so their events stay in order.
    screenshots.append(Task.detached { [emit] in
      let hash = PerceptualHash.dHash(thumb)
      await previous?.value
      do {
        try await thumbnails.write(thumb, to: path)
        emit.yield(.screenshot(ScreenshotRecord(
          tsUs: ts, path: path, mime: thumbnails.mime, width: thumb.width, height: thumb.height, phash: hash)))
      } catch {
        emit.yield(.error(Self.asCaptureError(error)))
      }
    })
    if screenshots.count > 8 { screenshots.removeFirst(screenshots.count - 8) }
  }

  private func emitHealth(at wall: Int64) async {
    let elapsed = max(1, wall - healthWindowStartUs)
    var report = HealthReport(
      tsUs: max(0, wall), fps: Double(healthWindowFrames) * 1_000_000 / Double(elapsed), framesOut: framesOut,
      dropped: droppedOut, duplicated: 0,
      encodeLagMs: Double(writer?.queuedFrames ?? 0) * 1000 / Double(configuration.fps), sources: [])
    for id in order {
      guard let c = await synchronizer.counters(id) else { continue }
      let shownBefore = shownAtWindowStart[id] ?? 0
      let fresh = c.shown - shownBefore
      shownAtWindowStart[id] = c.shown
      report.duplicated += c.duplicated
      report.sources.append(SourceHealth(
        id: id, fps: Double(fresh) * 1_000_000 / Double(elapsed), dropped: c.dropped, duplicated: c.duplicated,
        state: fresh == 0 ? .static : .ok))
    }
    for id in lostSources {
      report.sources.append(SourceHealth(id: id, fps: 0, dropped: 0, duplicated: 0, state: .lost))
    }
    healthWindowStartUs = wall
    healthWindowFrames = 0
    nextHealthUs = wall + configuration.healthIntervalUs
    emit.yield(.health(report))
  }

  /// The composite buffers' pool (tests check that a steady recording allocates none).
  public nonisolated var outputBuffers: PixelBufferPool.Statistics { outputs.statistics }

  public func statistics() async -> SessionStatistics {
    var stats = SessionStatistics(framesOut: framesOut, droppedOut: droppedOut, segments: segmentSeq + 1)
    stats.firstTick = firstTick
    for id in order {
      if let c = await synchronizer.counters(id) { stats.sources[id] = c }
    }
    return stats
  }

  // MARK: - Helpers

  static func canvasSize(layout: LayoutKind, first: PixelSize, max: PixelSize) -> PixelSize {
    switch layout {
    case .grid, .sideBySide:
      return max.even
    case .passthrough:
      // The source's own size when it fits; scaled down (aspect kept) when it does not.
      if first.width <= max.width && first.height <= max.height { return first.even }
      return aspectFit(first, in: PixelRect(x: 0, y: 0, width: max.width, height: max.height)).size.even
    }
  }

  static func prepareSpool(_ dir: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
      if posix?.code == Int(ENOSPC) { throw CaptureError(.diskFull, "no space to create \(dir)") }
      throw CaptureError(.badRequest, "cannot create spool folder \(dir): \(error.localizedDescription)")
    }
    guard FileManager.default.isWritableFile(atPath: dir) else {
      throw CaptureError(.badRequest, "spool folder \(dir) is not writable")
    }
  }

  static func asCaptureError(_ error: any Error) -> CaptureError {
    if let e = error as? CaptureError { return e }
    return CaptureError(.internal, "\(error)")
  }
}

public struct SessionStatistics: Sendable, Equatable {
  public var framesOut: Int
  public var droppedOut: Int
  public var segments: Int
  public var sources: [String: SourceCounters] = [:]
  /// Grid index of the first output tick (media time firstTick·10⁶/fps).
  public var firstTick = 0
}
