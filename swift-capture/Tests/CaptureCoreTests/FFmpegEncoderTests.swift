// The real encoder: test-pattern composites through ffmpeg/libx264 into fragmented MP4 segments,
// decoded back with ffmpeg and read pixel by pixel, so the test knows exactly which frame is where.
// Needs ffmpeg and ffprobe (installed in the Swift root by scripts/setup/swift.sh): fails without.
import CaptureCore
import CaptureFFmpeg
import Foundation
import XCTest

final class FFmpegEncoderTests: XCTestCase {
  var dir = ""

  override func setUp() {
    dir = NSTemporaryDirectory() + "swift-capture-ffmpeg-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }

  override func tearDown() {
    try? FileManager.default.removeItem(atPath: dir)
  }

  func run(_ tool: String, _ args: [String]) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0, "\(tool) \(args)")
    return data
  }

  func testSegmentsAreStandaloneFragmentedMP4WithEveryFrameInOrder() async throws {
    let ffmpeg = try FFmpegLocator.find()
    let ffprobe = (ffmpeg as NSString).deletingLastPathComponent + "/ffprobe"
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: ffprobe), "ffprobe missing beside \(ffmpeg)")
    let encoder = try FFmpegEncoder()
    let settings = EncoderSettings(size: PixelSize(width: 640, height: 360), fps: 30)
    let source = try TestPatternSource(id: "test-pattern:640x360:5")
    var paths: [String] = []
    for seq in 0..<2 {
      let path = dir + String(format: "/video-%06d.mp4", seq)
      let writer = try encoder.openSegment(seq: seq, path: path, settings: settings)
      for i in 0..<45 {
        let n = seq * 45 + i
        let frame = source.makeFrame(n, timestampUs: Int64(n) * 33_333).buffer
        while try !writer.append(frame, count: 1) { try await Task.sleep(nanoseconds: 2_000_000) }
      }
      XCTAssertFalse(FileManager.default.fileExists(atPath: path), "visible before it is finished")
      let done = try await writer.finish()
      XCTAssertEqual(done.frames, 45)
      XCTAssertEqual(done.path, path)
      XCTAssertGreaterThan(done.bytes, 1000)
      XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".part"))
      paths.append(path)
    }
    for (seq, path) in paths.enumerated() {
      let probe = String(decoding: try run(ffprobe, [
        "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
        "stream=codec_name,profile,width,height,nb_read_frames:format=format_name,duration", "-of", "default=nw=1", path,
      ]), as: UTF8.self)
      XCTAssert(probe.contains("codec_name=h264"), probe)
      XCTAssert(probe.contains("profile=High"), probe)
      XCTAssert(probe.contains("width=640") && probe.contains("height=360"), probe)
      XCTAssert(probe.contains("nb_read_frames=45"), probe)
      XCTAssert(probe.contains("duration=1.5"), probe)
      // Fragmented: an empty moov then moof boxes.
      let head = try Data(contentsOf: URL(fileURLWithPath: path))
      XCTAssertNotNil(head.range(of: Data("moof".utf8)), "no movie fragments")
      XCTAssertNotNil(head.range(of: Data("mvex".utf8)), "no mvex (not fragmented)")
      // The first frame is a keyframe: the segment plays on its own.
      let first = String(decoding: try run(ffprobe, [
        "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pict_type", "-read_intervals", "%+#1",
        "-of", "csv=p=0", path,
      ]), as: UTF8.self)
      XCTAssert(first.hasPrefix("1,I"), "first frame: \(first)")
      // Decode every frame back and read the stamp the test pattern drew into it.
      let raw = try run(ffmpeg, ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgra", "pipe:1"])
      let frameBytes = 640 * 360 * 4
      XCTAssertEqual(raw.count, frameBytes * 45)
      for i in 0..<45 {
        let buffer = PixelBuffer(width: 640, height: 360)
        raw.withUnsafeBytes { buffer.bytes.copyMemory(from: $0.baseAddress! + i * frameBytes, byteCount: frameBytes) }
        let stamp = TestPattern.decode(buffer, in: PixelRect(x: 0, y: 0, width: 640, height: 360))
        XCTAssertEqual(stamp?.frame, seq * 45 + i, "segment \(seq) frame \(i)")
        XCTAssertEqual(stamp?.tag, 5)
      }
    }
  }

  func testDeadEncoderIsReportedAsEncoderFailed() async throws {
    // An output folder that does not exist: ffmpeg cannot open its output and exits.
    let encoder = try FFmpegEncoder()
    let writer = try encoder.openSegment(
      seq: 0, path: dir + "/video-000000.mp4", settings: EncoderSettings(size: PixelSize(width: 64, height: 64), fps: 10))
    try FileManager.default.removeItem(atPath: dir)
    let frame = PixelBuffer(width: 64, height: 64)
    frame.fill(0)
    var failure: CaptureError?
    for _ in 0..<200 {
      do { _ = try writer.append(frame, count: 1) } catch { failure = error as? CaptureError; break }
      try await Task.sleep(nanoseconds: 5_000_000)
    }
    do {
      _ = try await writer.finish()
      XCTFail("finish must fail")
    } catch {
      failure = failure ?? (error as? CaptureError)
    }
    XCTAssert([.encoderFailed, .diskFull].contains(failure?.code), "\(String(describing: failure))")
  }

  func testThumbnailIsAJPEG() async throws {
    let writer = try FFmpegThumbnailWriter()
    let image = PixelBuffer(width: 320, height: 180)
    TestPattern.draw(TestPatternStamp(frame: 1, tag: 2, timestampMs: 3), into: image)
    try await writer.write(image, to: dir + "/shot-000001.jpg")
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/shot-000001.jpg"))
    XCTAssertEqual(Array(data.prefix(3)), [0xFF, 0xD8, 0xFF])
    XCTAssertEqual(writer.mime, "image/jpeg")
  }
}
