// What every video source provides (X11 window, ScreenCaptureKit display, test pattern…): it is
// started with a sink and pushes frames stamped on the session clock from any thread. A source
// that has nothing new sends nothing; the synchronizer holds its last frame.
import Foundation

public enum SourceKind: String, Codable, Sendable, CaseIterable {
  case display
  case window
  case webcam
  case testPattern = "test-pattern"
}

public struct SourceRef: Hashable, Sendable {
  public var id: String
  public var kind: SourceKind
  public init(id: String, kind: SourceKind) {
    self.id = id
    self.kind = kind
  }
}

public protocol RecordingSource: AnyObject, Sendable {
  var id: String { get }
  var kind: SourceKind { get }
  /// Size of the frames it delivers now (before the first frame: its expected size).
  var size: PixelSize { get }
  /// Starts delivery into `sink`. Throws `CaptureError` (SOURCE_UNAVAILABLE, PERMISSION_DENIED).
  func start(clock: any SessionClock, fps: Int, sink: FrameSink) throws
  /// Stops delivery (a frame in flight may still arrive; the session ignores it).
  func stop()
}

/// What `list-sources` reports.
public struct DisplayInfo: Sendable, Equatable {
  public var id: String, name: String, width: Int, height: Int
  public init(id: String, name: String, width: Int, height: Int) {
    self.id = id
    self.name = name
    self.width = width
    self.height = height
  }
}

public struct WindowInfo: Sendable, Equatable {
  public var id: String, title: String, app: String, bounds: PixelRect
  public init(id: String, title: String, app: String, bounds: PixelRect) {
    self.id = id
    self.title = title
    self.app = app
    self.bounds = bounds
  }
}

public struct WebcamInfo: Sendable, Equatable {
  public var id: String, name: String
  public init(id: String, name: String) {
    self.id = id
    self.name = name
  }
}

public struct SourceList: Sendable, Equatable {
  public var displays: [DisplayInfo] = []
  public var windows: [WindowInfo] = []
  public var webcams: [WebcamInfo] = []
  public init(displays: [DisplayInfo] = [], windows: [WindowInfo] = [], webcams: [WebcamInfo] = []) {
    self.displays = displays
    self.windows = windows
    self.webcams = webcams
  }
}

/// Makes sources from their references; one per platform, combined with the test pattern.
public protocol SourceFactory: Sendable {
  func makeSource(_ ref: SourceRef) throws -> any RecordingSource
  func listSources() throws -> SourceList
}

/// The test pattern everywhere, everything else from the platform's factory (if any).
public struct DefaultSourceFactory: SourceFactory {
  let platform: (any SourceFactory)?
  public init(platform: (any SourceFactory)?) { self.platform = platform }

  public func makeSource(_ ref: SourceRef) throws -> any RecordingSource {
    if ref.kind == .testPattern { return try TestPatternSource(id: ref.id) }
    guard let platform else {
      throw CaptureError(.sourceUnavailable, "no \(ref.kind.rawValue) capture on this platform")
    }
    return try platform.makeSource(ref)
  }

  public func listSources() throws -> SourceList { try platform?.listSources() ?? SourceList() }
}
