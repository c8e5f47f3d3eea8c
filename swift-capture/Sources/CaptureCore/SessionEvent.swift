// What a recording session reports, in the order it happens; the CLI maps each case to one
// protocol line (shared/src/protocol/child.ts).

public enum SessionPhase: String, Sendable {
  case recording, paused, stopped
}

public struct SegmentRecord: Sendable, Equatable {
  public var seq: Int
  public var path: String
  public var mime: String
  /// Media time (session clock with pauses removed), µs.
  public var startUs: Int64
  public var endUs: Int64
  public var bytes: Int
  public var frames: Int

  public init(seq: Int, path: String, mime: String, startUs: Int64, endUs: Int64, bytes: Int, frames: Int) {
    self.seq = seq
    self.path = path
    self.mime = mime
    self.startUs = startUs
    self.endUs = endUs
    self.bytes = bytes
    self.frames = frames
  }
}

public struct SourceHealth: Sendable, Equatable {
  public enum State: String, Sendable { case ok, `static`, lost }
  public var id: String
  public var fps: Double
  public var dropped: Int
  public var duplicated: Int
  public var state: State

  public init(id: String, fps: Double, dropped: Int, duplicated: Int, state: State) {
    self.id = id
    self.fps = fps
    self.dropped = dropped
    self.duplicated = duplicated
    self.state = state
  }
}

public struct HealthReport: Sendable, Equatable {
  public var tsUs: Int64
  /// Output frames per second over the last interval.
  public var fps: Double
  public var framesOut: Int
  /// Output frames the encoder could not take in time (the next frame was repeated in their place).
  public var dropped: Int
  /// Sum over sources of ticks that held a source's previous frame.
  public var duplicated: Int
  public var encodeLagMs: Double
  public var sources: [SourceHealth]

  public init(tsUs: Int64, fps: Double, framesOut: Int, dropped: Int, duplicated: Int, encodeLagMs: Double, sources: [SourceHealth]) {
    self.tsUs = tsUs
    self.fps = fps
    self.framesOut = framesOut
    self.dropped = dropped
    self.duplicated = duplicated
    self.encodeLagMs = encodeLagMs
    self.sources = sources
  }
}

public struct ScreenshotRecord: Sendable, Equatable {
  public var tsUs: Int64
  public var path: String
  public var mime: String
  public var width: Int
  public var height: Int
  public var phash: String

  public init(tsUs: Int64, path: String, mime: String, width: Int, height: Int, phash: String) {
    self.tsUs = tsUs
    self.path = path
    self.mime = mime
    self.width = width
    self.height = height
    self.phash = phash
  }
}

public enum SessionEvent: Sendable {
  case state(SessionPhase, tsUs: Int64)
  case segment(SegmentRecord)
  case timeline(kind: String, detail: String, tsUs: Int64)
  case health(HealthReport)
  case screenshot(ScreenshotRecord)
  /// A failure not tied to a command (encoder died, disk full).
  case error(CaptureError)
}
