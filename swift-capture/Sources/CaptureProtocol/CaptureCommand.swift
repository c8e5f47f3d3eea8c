// Commands the host sends on stdin (shared/src/protocol/child.ts, "swift-capture" part), decoded
// with the schema's limits. `CommandDecoder` turns a line into a command or a protocol error with
// the right code: MALFORMED_JSON, UNKNOWN_TYPE or BAD_REQUEST.
import CaptureCore
import Foundation

public struct VideoSourceRefDTO: Codable, Equatable, Sendable {
  public var id: String
  public var kind: SourceKind

  enum CodingKeys: String, CodingKey { case id, kind }
  public init(id: String, kind: SourceKind) {
    self.id = id
    self.kind = kind
  }
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.string(.id, min: 1, max: 256)
    kind = try c.decode(SourceKind.self, forKey: .kind)
  }
  public var ref: SourceRef { SourceRef(id: id, kind: kind) }
}

public struct VideoConfigDTO: Codable, Equatable, Sendable {
  public var sources: [VideoSourceRefDTO]
  public var layout: LayoutKind
  public var fps: Int
  public var maxWidth: Int
  public var maxHeight: Int

  enum CodingKeys: String, CodingKey { case sources, layout, fps, maxWidth, maxHeight }
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    sources = try c.decode([VideoSourceRefDTO].self, forKey: .sources)
    guard (1...9).contains(sources.count) else { throw Check.fail(CodingKeys.sources, "1 to 9 sources", c.codingPath) }
    layout = try c.decode(LayoutKind.self, forKey: .layout)
    fps = try c.int(.fps, min: 1, max: 60)
    maxWidth = try c.int(.maxWidth, min: 16, max: 7680)
    maxHeight = try c.int(.maxHeight, min: 16, max: 4320)
  }
}

public struct StartCommand: Codable, Equatable, Sendable {
  public var type = "start"
  public var id: String
  public var sessionId: String
  public var clock: Clock
  public var spoolDir: String
  public var segmentSeconds: Int
  public var video: VideoConfigDTO
  public var screenshotSeconds: Int

  public struct Clock: Codable, Equatable, Sendable {
    public var originNs: String
    enum CodingKeys: String, CodingKey { case originNs }
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      originNs = try c.matching(.originNs, "^[0-9]{1,20}$")
      guard UInt64(originNs) != nil else { throw Check.fail(CodingKeys.originNs, "out of range", c.codingPath) }
    }
    public var nanoseconds: UInt64 { UInt64(originNs) ?? 0 }
  }

  enum CodingKeys: String, CodingKey { case type, id, sessionId, clock, spoolDir, segmentSeconds, video, screenshotSeconds }
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try c.literal(.type, "start")
    id = try c.string(.id, min: 1, max: 64)
    sessionId = try c.matching(.sessionId, "^[A-Za-z0-9_-]{1,64}$")
    clock = try c.decode(Clock.self, forKey: .clock)
    spoolDir = try c.string(.spoolDir, min: 1)
    segmentSeconds = try c.int(.segmentSeconds, min: 1, max: 60)
    video = try c.decode(VideoConfigDTO.self, forKey: .video)
    screenshotSeconds = try c.int(.screenshotSeconds, min: 1, max: 600)
  }
}

public enum CaptureCommand: Equatable, Sendable {
  case listSources(id: String)
  case start(StartCommand)
  case addSource(id: String, source: VideoSourceRefDTO)
  case removeSource(id: String, sourceId: String)
  case setLayout(id: String, layout: LayoutKind)
  case pause(id: String)
  case resume(id: String)
  case stop(id: String)

  public var id: String {
    switch self {
    case .listSources(let id), .addSource(let id, _), .removeSource(let id, _), .setLayout(let id, _),
      .pause(let id), .resume(let id), .stop(let id):
      id
    case .start(let s): s.id
    }
  }

  public static let types: Set<String> = ["list-sources", "start", "add-source", "remove-source", "set-layout", "pause", "resume", "stop"]
}

extension CaptureCommand: Codable {
  enum Keys: String, CodingKey { case type, id, source, sourceId, layout }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    let type = try c.decode(String.self, forKey: .type)
    if type == "start" {
      self = .start(try StartCommand(from: decoder))
      return
    }
    let id = try c.string(.id, min: 1, max: 64)
    switch type {
    case "list-sources": self = .listSources(id: id)
    case "add-source": self = .addSource(id: id, source: try c.decode(VideoSourceRefDTO.self, forKey: .source))
    case "remove-source": self = .removeSource(id: id, sourceId: try c.string(.sourceId, min: 1))
    case "set-layout": self = .setLayout(id: id, layout: try c.decode(LayoutKind.self, forKey: .layout))
    case "pause": self = .pause(id: id)
    case "resume": self = .resume(id: id)
    case "stop": self = .stop(id: id)
    default: throw Check.fail(Keys.type, "unknown type \(type)", c.codingPath)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    if case .start(let s) = self {
      try s.encode(to: encoder)
      return
    }
    var c = encoder.container(keyedBy: Keys.self)
    try c.encode(id, forKey: .id)
    switch self {
    case .listSources: try c.encode("list-sources", forKey: .type)
    case .addSource(_, let source):
      try c.encode("add-source", forKey: .type)
      try c.encode(source, forKey: .source)
    case .removeSource(_, let sourceId):
      try c.encode("remove-source", forKey: .type)
      try c.encode(sourceId, forKey: .sourceId)
    case .setLayout(_, let layout):
      try c.encode("set-layout", forKey: .type)
      try c.encode(layout, forKey: .layout)
    case .pause: try c.encode("pause", forKey: .type)
    case .resume: try c.encode("resume", forKey: .type)
    case .stop: try c.encode("stop", forKey: .type)
    case .start: break
    }
  }
}

/// A line that could not become a command: the error reply to send.
public struct CommandRejection: Error, Equatable, Sendable {
  public var id: String?
  public var code: ErrorCode
  public var message: String
}

public enum CommandDecoder {
  public static func decode(_ line: Data) -> Result<CaptureCommand, CommandRejection> {
    guard let value = try? JSONDecoder().decode(JSONValue.self, from: line) else {
      return .failure(CommandRejection(id: nil, code: .malformedJSON, message: "the line is not JSON"))
    }
    guard case .object = value else {
      return .failure(CommandRejection(id: nil, code: .malformedJSON, message: "a command must be a JSON object"))
    }
    var id: String? = nil
    if let s = value["id"]?.stringValue, (1...64).contains(s.count) { id = s }
    guard let type = value["type"]?.stringValue else {
      return .failure(CommandRejection(id: id, code: .badRequest, message: "missing string field \"type\""))
    }
    guard CaptureCommand.types.contains(type) else {
      return .failure(CommandRejection(id: id, code: .unknownType, message: "unknown command type \"\(type)\""))
    }
    do {
      return .success(try JSONDecoder().decode(CaptureCommand.self, from: line))
    } catch {
      return .failure(CommandRejection(id: id, code: .badRequest, message: "invalid \(type): \(describe(error))"))
    }
  }

  static func describe(_ error: any Error) -> String {
    func path(_ p: [any CodingKey]) -> String { p.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
    switch error as? DecodingError {
    case .keyNotFound(let key, let ctx): return "missing \(path(ctx.codingPath + [key]))"
    case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx): return "\(path(ctx.codingPath)) has the wrong type"
    case .dataCorrupted(let ctx): return "\(path(ctx.codingPath)) \(ctx.debugDescription)"
    default: return "\(error)"
    }
  }
}
