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
}

public struct SourceHealth: Sendable, Equatable {
  public enum State: String, Sendable { case ok, `static`, lost }
  public var id: String
  public var fps: Double
  public var dropped: Int
  public var duplicated: Int
  public var state: State
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
}

public struct ScreenshotRecord: Sendable, Equatable {
  public var tsUs: Int64
  public var path: String
  public var mime: String
  public var width: Int
  public var height: Int
  public var phash: String
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
