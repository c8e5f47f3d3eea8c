// The shared fixtures (shared/fixtures/capture-command and capture-output), loaded at test time:
// every valid file decodes and re-encodes to the same JSON value; every invalid one is rejected.
import CaptureCore
import CaptureProtocol
import Foundation
import XCTest

final class FixtureTests: XCTestCase {
  static let fixtures: URL = {
    if let dir = ProcessInfo.processInfo.environment["SESSIONS_FIXTURES_DIR"] { return URL(fileURLWithPath: dir) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures")
  }()

  func files(_ channel: String, _ validity: String) throws -> [URL] {
    let dir = Self.fixtures.appendingPathComponent(channel).appendingPathComponent(validity)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
    XCTAssertFalse(names.isEmpty, "no fixtures in \(dir.path)")
    return names.map { dir.appendingPathComponent($0) }
  }

  func assertRoundTrip<T: Codable>(_ type: T.Type, _ url: URL, file: StaticString = #filePath, line: UInt = #line) throws {
    let data = try Data(contentsOf: url)
    let decoded: T
    do {
      decoded = try JSONDecoder().decode(T.self, from: data)
    } catch {
      return XCTFail("\(url.lastPathComponent) should decode: \(error)", file: file, line: line)
    }
    let again = try JSONEncoder().encode(decoded)
    XCTAssertEqual(
      try JSONDecoder().decode(JSONValue.self, from: again), try JSONDecoder().decode(JSONValue.self, from: data),
      "\(url.lastPathComponent) re-encodes differently: \(String(decoding: again, as: UTF8.self))", file: file, line: line)
  }

  func testValidCommandsRoundTrip() throws {
    for url in try files("capture-command", "valid") {
      try assertRoundTrip(CaptureCommand.self, url)
      guard case .success = CommandDecoder.decode(try Data(contentsOf: url)) else {
        return XCTFail("\(url.lastPathComponent) rejected by the line decoder")
      }
    }
  }

  func testInvalidCommandsAreRejectedWithACode() throws {
    for url in try files("capture-command", "invalid") {
      let data = try Data(contentsOf: url)
      XCTAssertThrowsError(try JSONDecoder().decode(CaptureCommand.self, from: data), url.lastPathComponent)
      guard case .failure(let rejection) = CommandDecoder.decode(data) else {
        return XCTFail("\(url.lastPathComponent) accepted")
      }
      XCTAssert([.badRequest, .unknownType].contains(rejection.code), "\(url.lastPathComponent): \(rejection)")
    }
  }

  func testValidOutputsRoundTrip() throws {
    for url in try files("capture-output", "valid") { try assertRoundTrip(CaptureOutput.self, url) }
  }

  func testInvalidOutputsAreRejected() throws {
    for url in try files("capture-output", "invalid") {
      XCTAssertThrowsError(try JSONDecoder().decode(CaptureOutput.self, from: try Data(contentsOf: url)), url.lastPathComponent)
    }
  }

  func testLineDecoderErrorCodes() {
    func code(_ s: String) -> (ErrorCode, String?)? {
      if case .failure(let r) = CommandDecoder.decode(Data(s.utf8)) { return (r.code, r.id) }
      return nil
    }
    XCTAssertEqual(code("not json")?.0, .malformedJSON)
    XCTAssertEqual(code("[1,2]")?.0, .malformedJSON)
    XCTAssertEqual(code(#"{"id":"1"}"#)?.0, .badRequest)
    XCTAssertEqual(code(#"{"type":"dance","id":"9"}"#)?.0, .unknownType)
    XCTAssertEqual(code(#"{"type":"dance","id":"9"}"#)?.1, "9")
    XCTAssertEqual(code(#"{"type":"pause","id":""}"#)?.0, .badRequest)
    XCTAssertNil(code(#"{"type":"pause","id":"1","extra":true}"#), "unknown extra fields are ignored")
  }

  func testEventsEncodeAsSchemaValidLines() throws {
    let events: [SessionEvent] = [
      .state(.recording, tsUs: 5),
      .segment(SegmentRecord(seq: 0, path: "/tmp/x/video-000000.mp4", mime: "video/mp4;codecs=avc1.640028", startUs: 0, endUs: 10, bytes: 3, frames: 3)),
      .timeline(kind: "source-lost", detail: "window x11:0x1 closed", tsUs: 9),
      .health(HealthReport(tsUs: 1, fps: 29.971, framesOut: 3, dropped: 0, duplicated: 1, encodeLagMs: 33.33,
                           sources: [SourceHealth(id: "a", fps: 30, dropped: 0, duplicated: 1, state: .static)])),
      .screenshot(ScreenshotRecord(tsUs: 2, path: "/tmp/x/shot-000001.jpg", mime: "image/jpeg", width: 320, height: 180, phash: "00ff00ff00ff00ff")),
      .error(CaptureError(.encoderFailed, "ffmpeg exited")),
    ]
    for e in events {
      let line = CaptureOutput(e).line()
      XCTAssertFalse(line.contains("\n"))
      XCTAssertFalse(line.contains("\\/"), "slashes are not escaped: \(line)")
      let back = try JSONDecoder().decode(CaptureOutput.self, from: Data(line.utf8))
      XCTAssertEqual(back, CaptureOutput(e))
    }
    XCTAssertEqual(
      try JSONDecoder().decode(JSONValue.self, from: Data(CaptureOutput(.error(CaptureError(.diskFull, "x"))).line().utf8)),
      try JSONDecoder().decode(JSONValue.self, from: Data(#"{"type":"error","id":null,"code":"DISK_FULL","message":"x"}"#.utf8)))
  }
}
