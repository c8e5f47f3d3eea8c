// Lines swift-capture writes on stdout (CaptureOutput in shared/src/protocol/child.ts): replies
// carrying the command's id, and events. Decodable too, with the schema's limits, so tests check
// the shared fixtures both ways.
import CaptureCore
import Foundation

public struct RectDTO: Codable, Equatable, Sendable {
  public var x: Int, y: Int, width: Int, height: Int
  enum CodingKeys: String, CodingKey { case x, y, width, height }
  public init(_ r: PixelRect) {
    x = r.x
    y = r.y
    width = r.width
    height = r.height
  }
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    x = try c.int(.x)
    y = try c.int(.y)
    width = try c.int(.width, min: 0)
    height = try c.int(.height, min: 0)
  }
}

public struct DisplayDTO: Codable, Equatable, Sendable {
  public var id: String, name: String, width: Int, height: Int
}

public struct WindowDTO: Codable, Equatable, Sendable {
  public var id: String, title: String, app: String, bounds: RectDTO
}

public struct WebcamDTO: Codable, Equatable, Sendable {
  public var id: String, name: String
}

public struct SourceHealthDTO: Codable, Equatable, Sendable {
  public var id: String
  public var fps: Double
  public var dropped: Int
  public var duplicated: Int
  public var state: String
  enum CodingKeys: String, CodingKey { case id, fps, dropped, duplicated, state }
  public init(_ h: SourceHealth) {
    id = h.id
    fps = h.fps
    dropped = h.dropped
    duplicated = h.duplicated
    state = h.state.rawValue
  }
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    fps = try c.double(.fps)
    dropped = try c.int(.dropped, min: 0)
    duplicated = try c.int(.duplicated, min: 0)
    state = try c.decode(String.self, forKey: .state)
    guard ["ok", "static", "lost"].contains(state) else { throw Check.fail(CodingKeys.state, "unknown state", c.codingPath) }
  }
}

public enum CaptureOutput: Equatable, Sendable {
  case ok(id: String)
  case error(id: String?, code: ErrorCode, message: String)
  case sources(id: String, displays: [DisplayDTO], windows: [WindowDTO], webcams: [WebcamDTO])
  case state(state: String, ts: Int64)
  case segment(track: String, seq: Int, path: String, mime: String, startUs: Int64, endUs: Int64, bytes: Int, units: Int, firstSample: Int?)
  case timeline(ts: Int64, kind: String, detail: String)
  case health(ts: Int64, fps: Double, framesOut: Int, dropped: Int, duplicated: Int, encodeLagMs: Double, sources: [SourceHealthDTO])
  case screenshot(ts: Int64, path: String, mime: String, width: Int, height: Int, phash: String)

  public static let timelineKinds: Set<String> = [
    "pause", "resume", "source-added", "source-removed", "source-lost", "device-lost", "device-switched",
    "device-silent", "child-restarted", "gap", "warning",
  ]
}

extension CaptureOutput: Codable {
  enum K: String, CodingKey {
    case type, id, code, message, displays, windows, webcams, state, ts, track, seq, path, mime, startUs, endUs
    case bytes, units, firstSample, kind, detail, fps, framesOut, dropped, duplicated, encodeLagMs, sources
    case width, height, phash
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: K.self)
    let type = try c.decode(String.self, forKey: .type)
    switch type {
    case "ok":
      self = .ok(id: try c.string(.id, min: 1, max: 64))
    case "error":
      let id: String? = try c.decodeNil(forKey: .id) ? nil : try c.string(.id, min: 1, max: 64)
      self = .error(id: id, code: try c.decode(ErrorCode.self, forKey: .code), message: try c.string(.message, max: 4096))
    case "sources":
      self = .sources(
        id: try c.string(.id, min: 1, max: 64), displays: try c.decode([DisplayDTO].self, forKey: .displays),
        windows: try c.decode([WindowDTO].self, forKey: .windows), webcams: try c.decode([WebcamDTO].self, forKey: .webcams))
    case "state":
      let state = try c.decode(String.self, forKey: .state)
      guard ["recording", "paused", "stopped"].contains(state) else { throw Check.fail(K.state, "unknown state", c.codingPath) }
      self = .state(state: state, ts: try c.int64(.ts))
    case "segment":
      let track = try c.decode(String.self, forKey: .track)
      guard ["video", "audio"].contains(track) else { throw Check.fail(K.track, "unknown track", c.codingPath) }
      self = .segment(
        track: track, seq: try c.int(.seq, min: 0), path: try c.string(.path, min: 1), mime: try c.string(.mime, min: 1),
        startUs: try c.int64(.startUs), endUs: try c.int64(.endUs), bytes: try c.int(.bytes, min: 0),
        units: try c.int(.units, min: 0), firstSample: c.contains(.firstSample) ? try c.int(.firstSample, min: 0) : nil)
    case "timeline":
      let kind = try c.decode(String.self, forKey: .kind)
      guard Self.timelineKinds.contains(kind) else { throw Check.fail(K.kind, "unknown kind", c.codingPath) }
      self = .timeline(ts: try c.int64(.ts), kind: kind, detail: try c.string(.detail, max: 4096))
    case "health":
      self = .health(
        ts: try c.int64(.ts), fps: try c.double(.fps), framesOut: try c.int(.framesOut, min: 0),
        dropped: try c.int(.dropped, min: 0), duplicated: try c.int(.duplicated, min: 0),
        encodeLagMs: try c.double(.encodeLagMs), sources: try c.decode([SourceHealthDTO].self, forKey: .sources))
    case "screenshot":
      self = .screenshot(
        ts: try c.int64(.ts), path: try c.string(.path, min: 1), mime: try c.string(.mime, min: 1),
        width: try c.int(.width, min: 1), height: try c.int(.height, min: 1), phash: try c.matching(.phash, "^[0-9a-f]{16}$"))
    default:
      throw Check.fail(K.type, "unknown output type \(type)", c.codingPath)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: K.self)
    switch self {
    case .ok(let id):
      try c.encode("ok", forKey: .type)
      try c.encode(id, forKey: .id)
    case .error(let id, let code, let message):
      try c.encode("error", forKey: .type)
      if let id { try c.encode(id, forKey: .id) } else { try c.encodeNil(forKey: .id) }
      try c.encode(code, forKey: .code)
      try c.encode(String(message.prefix(4096)), forKey: .message)
    case .sources(let id, let displays, let windows, let webcams):
      try c.encode("sources", forKey: .type)
      try c.encode(id, forKey: .id)
      try c.encode(displays, forKey: .displays)
      try c.encode(windows, forKey: .windows)
      try c.encode(webcams, forKey: .webcams)
    case .state(let state, let ts):
      try c.encode("state", forKey: .type)
      try c.encode(state, forKey: .state)
      try c.encode(ts, forKey: .ts)
    case .segment(let track, let seq, let path, let mime, let startUs, let endUs, let bytes, let units, let firstSample):
      try c.encode("segment", forKey: .type)
      try c.encode(track, forKey: .track)
      try c.encode(seq, forKey: .seq)
      try c.encode(path, forKey: .path)
      try c.encode(mime, forKey: .mime)
      try c.encode(startUs, forKey: .startUs)
      try c.encode(endUs, forKey: .endUs)
      try c.encode(bytes, forKey: .bytes)
      try c.encode(units, forKey: .units)
      try c.encodeIfPresent(firstSample, forKey: .firstSample)
    case .timeline(let ts, let kind, let detail):
      try c.encode("timeline", forKey: .type)
      try c.encode(ts, forKey: .ts)
      try c.encode(kind, forKey: .kind)
      try c.encode(String(detail.prefix(4096)), forKey: .detail)
    case .health(let ts, let fps, let framesOut, let dropped, let duplicated, let encodeLagMs, let sources):
      try c.encode("health", forKey: .type)
      try c.encode(ts, forKey: .ts)
      try c.encode(fps, forKey: .fps)
      try c.encode(framesOut, forKey: .framesOut)
      try c.encode(dropped, forKey: .dropped)
      try c.encode(duplicated, forKey: .duplicated)
      try c.encode(encodeLagMs, forKey: .encodeLagMs)
      try c.encode(sources, forKey: .sources)
    case .screenshot(let ts, let path, let mime, let width, let height, let phash):
      try c.encode("screenshot", forKey: .type)
      try c.encode(ts, forKey: .ts)
      try c.encode(path, forKey: .path)
      try c.encode(mime, forKey: .mime)
      try c.encode(width, forKey: .width)
      try c.encode(height, forKey: .height)
      try c.encode(phash, forKey: .phash)
    }
  }

  /// One protocol line (no newline): compact JSON, slashes unescaped.
  public func line() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    guard let data = try? encoder.encode(self) else {
      return #"{"type":"error","id":null,"code":"INTERNAL","message":"could not encode an output line"}"#
    }
    return String(decoding: data, as: UTF8.self)
  }
}

extension CaptureOutput {
  /// The protocol line for a session event.
  public init(_ event: SessionEvent) {
    switch event {
    case .state(let phase, let ts):
      self = .state(state: phase.rawValue, ts: ts)
    case .segment(let s):
      self = .segment(
        track: "video", seq: s.seq, path: s.path, mime: s.mime, startUs: s.startUs, endUs: s.endUs, bytes: s.bytes,
        units: s.frames, firstSample: nil)
    case .timeline(let kind, let detail, let ts):
      self = .timeline(ts: ts, kind: kind, detail: detail)
    case .health(let h):
      self = .health(
        ts: h.tsUs, fps: (h.fps * 100).rounded() / 100, framesOut: h.framesOut, dropped: h.dropped, duplicated: h.duplicated,
        encodeLagMs: (h.encodeLagMs * 10).rounded() / 10, sources: h.sources.map { var s = SourceHealthDTO($0); s.fps = (s.fps * 100).rounded() / 100; return s })
    case .screenshot(let s):
      self = .screenshot(ts: s.tsUs, path: s.path, mime: s.mime, width: s.width, height: s.height, phash: s.phash)
    case .error(let e):
      self = .error(id: nil, code: e.code, message: e.message)
    }
  }

  public static func sources(id: String, _ list: SourceList) -> CaptureOutput {
    .sources(
      id: id,
      displays: list.displays.map { DisplayDTO(id: $0.id, name: $0.name, width: $0.width, height: $0.height) },
      windows: list.windows.map { WindowDTO(id: $0.id, title: $0.title, app: $0.app, bounds: RectDTO($0.bounds)) },
      webcams: list.webcams.map { WebcamDTO(id: $0.id, name: $0.name) })
  }
}
