// Schema checks shared by the protocol types: the same limits as the zod schemas in
// shared/src/protocol (child.ts, common.ts), reported as DecodingError so one path handles both
// type mismatches and range violations.
import Foundation

struct Check {
  let container: any Any
  static func fail(_ key: some CodingKey, _ message: String, _ path: [any CodingKey]) -> DecodingError {
    .dataCorrupted(DecodingError.Context(codingPath: path + [key], debugDescription: message))
  }
}

extension KeyedDecodingContainer {
  func string(_ key: Key, min: Int = 0, max: Int = Int.max) throws -> String {
    let v = try decode(String.self, forKey: key)
    guard v.count >= min, v.count <= max else {
      throw Check.fail(key, "length must be \(min)…\(max == Int.max ? "" : String(max))", codingPath)
    }
    return v
  }

  func int(_ key: Key, min: Int = Int.min, max: Int = Int.max) throws -> Int {
    let v = try decode(Int.self, forKey: key)
    guard v >= min, v <= max else { throw Check.fail(key, "must be within \(min)…\(max)", codingPath) }
    return v
  }

  func int64(_ key: Key, min: Int64 = 0) throws -> Int64 {
    let v = try decode(Int64.self, forKey: key)
    guard v >= min else { throw Check.fail(key, "must be ≥ \(min)", codingPath) }
    return v
  }

  func double(_ key: Key, min: Double = 0, max: Double = .infinity) throws -> Double {
    let v = try decode(Double.self, forKey: key)
    guard v.isFinite, v >= min, v <= max else { throw Check.fail(key, "must be within \(min)…\(max)", codingPath) }
    return v
  }

  func matching(_ key: Key, _ pattern: String) throws -> String {
    let v = try decode(String.self, forKey: key)
    guard v.range(of: pattern, options: .regularExpression) != nil else {
      throw Check.fail(key, "does not match \(pattern)", codingPath)
    }
    return v
  }

  func literal(_ key: Key, _ expected: String) throws {
    let v = try decode(String.self, forKey: key)
    guard v == expected else { throw Check.fail(key, "must be \"\(expected)\"", codingPath) }
  }
}

/// Any JSON value, for comparing documents by value (tests) and peeking at fields.
public enum JSONValue: Codable, Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let n = try? c.decode(Double.self) {
      self = .number(n)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .null: try c.encodeNil()
    case .bool(let b): try c.encode(b)
    case .number(let n): try c.encode(n)
    case .string(let s): try c.encode(s)
    case .array(let a): try c.encode(a)
    case .object(let o): try c.encode(o)
    }
  }

  public subscript(key: String) -> JSONValue? {
    if case .object(let o) = self { return o[key] }
    return nil
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }
}
