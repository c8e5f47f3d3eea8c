// Runs commands one at a time against at most one RecordingSession and forwards its events.
// Every command gets exactly one reply (`ok`, `sources` or `error` with the command's id); the
// process never exits because of a bad command.
import CaptureCore
import CaptureFFmpeg
import CaptureProtocol
import Foundation

actor Controller {
  private let out: OutputChannel
  private let factory: any SourceFactory
  private var session: RecordingSession?
  private var runLoop: Task<Void, Never>?
  private var forwarder: Task<Void, Never>?

  init(out: OutputChannel, factory: any SourceFactory) {
    self.out = out
    self.factory = factory
  }

  func handle(_ command: CaptureCommand) async {
    do {
      switch command {
      case .listSources(let id):
        let list = try factory.listSources()
        out.send(.sources(id: id, list))
        return
      case .start(let start):
        try await startSession(start)
      case .addSource(_, let source):
        try await active().addSource(source.ref)
      case .removeSource(_, let sourceId):
        try await active().removeSource(sourceId)
      case .setLayout(_, let layout):
        try await active().setLayout(layout)
      case .pause:
        try await active().pause()
      case .resume:
        try await active().resume()
      case .stop:
        try await stopSession()
      }
      out.send(.ok(id: command.id))
    } catch let error as CaptureError {
      out.send(.error(id: command.id, code: error.code, message: error.message))
    } catch {
      out.send(.error(id: command.id, code: .internal, message: "\(error)"))
    }
  }

  /// stdin closed: finish the current segment and stop, as `stop` does.
  func shutdown() async {
    if let session, await session.isActive {
      try? await stopSession()
    }
  }

  private func active() async throws -> RecordingSession {
    guard let session, await session.isActive else { throw CaptureError(.invalidState, "no recording session") }
    return session
  }

  private func startSession(_ start: StartCommand) async throws {
    if let session, await session.isActive {
      throw CaptureError(.invalidState, "a session is already recording; stop it first")
    }
    if let previous = session {
      // It ended on its own (encoder failure): let its last events out before the new one starts.
      await previous.close()
      await forwarder?.value
      await runLoop?.value
      session = nil
    }
    let config = RecordingSession.Configuration(
      sessionId: start.sessionId, spoolDir: start.spoolDir, layout: start.video.layout, fps: start.video.fps,
      maxSize: PixelSize(width: start.video.maxWidth, height: start.video.maxHeight),
      segmentSeconds: start.segmentSeconds, screenshotSeconds: start.screenshotSeconds)
    let clock = MonotonicClock(originNs: start.clock.nanoseconds)
    let session = RecordingSession(
      configuration: config, clock: clock, encoder: try Platform.encoder(), thumbnails: Platform.thumbnails(),
      factory: factory)
    let out = self.out
    forwarder = Task {
      for await event in session.events { out.send(CaptureOutput(event)) }
    }
    do {
      try await session.start(sources: start.video.sources.map(\.ref))
    } catch {
      await session.close()
      await forwarder?.value
      forwarder = nil
      throw error
    }
    self.session = session
    runLoop = Task.detached { await session.run() }
    Log.info("recording \(start.sessionId): \(start.video.sources.count) source(s), \(start.video.layout.rawValue), \(start.video.fps) fps")
  }

  private func stopSession() async throws {
    let session = try await active()
    try await session.stop()
    await runLoop?.value
    await session.close()
    await forwarder?.value
    runLoop = nil
    forwarder = nil
    Log.info("stopped")
  }
}
