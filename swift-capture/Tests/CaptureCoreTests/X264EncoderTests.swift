// The in-process libx264 encoder (the Linux default): segments decoded back with ffprobe/ffmpeg
// frame by frame (exact counts, order, keyframes, High profile, fragmented MP4), the lean realtime
// settings it is configured with, no child process, and repeats that never fill the queue.
// Needs ffprobe and ffmpeg (installed in the Swift root by scripts/setup/swift.sh): fails without.
#if canImport(CaptureX264)
import CaptureCore
import CaptureFFmpeg
import CaptureTestSupport
import CaptureX264
import Foundation
import XCTest

final class X264EncoderTests: XCTestCase {
  var dir = ""

  override func setUp() {
    dir = NSTemporaryDirectory() + "swift-capture-x264-\(UUID().uuidString)"
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

  func tools() throws -> (ffmpeg: String, ffprobe: String) {
    let ffmpeg = try FFmpegLocator.find()
    let ffprobe = (ffmpeg as NSString).deletingLastPathComponent + "/ffprobe"
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: ffprobe), "ffprobe missing beside \(ffmpeg)")
    return (ffmpeg, ffprobe)
  }

  /// Live child processes of this process (every thread's children).
  func childProcesses() -> [String] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.flatMap { t in
      ((try? String(contentsOfFile: "/proc/self/task/\(t)/children", encoding: .utf8)) ?? "")
        .split(separator: " ").map(String.init)
    }
  }

  func testSettingsAreLeanRealtimeOnes() {
    let encoder = X264Encoder()
    let s = EncoderSettings(size: PixelSize(width: 1280, height: 720), fps: 30)
    XCTAssertEqual(encoder.configuration(for: s), X264Configuration(
      width: 1280, height: 720, fps: 30, bitrateKbps: 1935, maxrateKbps: 2903, bufsizeKbit: 3870, levelIdc: 31,
      keyint: 30, threads: 1, preset: "veryfast"))
    XCTAssertEqual(encoder.mime(for: s), "video/mp4;codecs=avc1.64001f")
    // The queue holds at most 16 MiB of 4:2:0 pictures (12 at 720p), never fewer than 4.
    XCTAssertEqual(encoder.capacity(for: s), 12)
    XCTAssertEqual(encoder.capacity(for: EncoderSettings(size: PixelSize(width: 3840, height: 2160), fps: 30)), 4)
  }

  func testSegmentsHoldExactlyTheirFramesInOrderWithKeyframesEverySecond() async throws {
    let (ffmpeg, ffprobe) = try tools()
    let encoder = X264Encoder()
    let settings = EncoderSettings(size: PixelSize(width: 640, height: 360), fps: 30)
    let source = try TestPatternSource(id: "test-pattern:640x360:5")
    // Segment 0: 45 distinct frames. Segment 1: 20 distinct frames, the 10th written 3 times.
    var expected: [[Int]] = [Array(0..<45), []]
    var paths: [String] = []
    for seq in 0..<2 {
      let path = dir + String(format: "/video-%06d.mp4", seq)
      let writer = try encoder.openSegment(seq: seq, path: path, settings: settings)
      let distinct = seq == 0 ? 45 : 20
      for i in 0..<distinct {
        let n = seq * 100 + i
        let frame = source.makeFrame(n, timestampUs: Int64(n) * 33_333).buffer
        let count = seq == 1 && i == 9 ? 3 : 1
        if seq == 1 { expected[1] += Array(repeating: n, count: count) }
        while try !writer.append(frame, count: count) { try await Task.sleep(nanoseconds: 2_000_000) }
      }
      XCTAssertEqual(childProcesses(), [], "the encoder runs in this process")
      XCTAssertFalse(FileManager.default.fileExists(atPath: path), "visible before it is finished")
      let done = try await writer.finish()
      XCTAssertEqual(done.frames, expected[seq].count)
      XCTAssertEqual(done.path, path)
      XCTAssertEqual(done.bytes, (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue)
      XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".part"))
      paths.append(path)
    }
    XCTAssertEqual(encoder.queuedFrames, 0)
    for (seq, path) in paths.enumerated() {
      let frames = expected[seq].count
      let probe = String(decoding: try run(ffprobe, [
        "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
        "stream=codec_name,profile,level,width,height,pix_fmt,nb_read_frames:format=format_name,duration", "-of", "default=nw=1", path,
      ]), as: UTF8.self)
      XCTAssert(probe.contains("codec_name=h264"), probe)
      XCTAssert(probe.contains("profile=High"), probe)
      XCTAssert(probe.contains("level=30"), probe)
      XCTAssert(probe.contains("pix_fmt=yuv420p"), probe)
      XCTAssert(probe.contains("width=640") && probe.contains("height=360"), probe)
      XCTAssert(probe.contains("nb_read_frames=\(frames)"), probe)
      XCTAssert(probe.contains(String(format: "duration=%.6f", Double(frames) / 30)), probe)
      let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      XCTAssertNotNil(bytes.range(of: Data("mvex".utf8)), "no mvex (not fragmented)")
      XCTAssertNotNil(bytes.range(of: Data("moof".utf8)), "no movie fragments")
      // Keyframes exactly at the start and every 30 frames after; timestamps exactly 1/30 s apart.
      let rows = String(decoding: try run(ffprobe, [
        "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pts_time", "-of", "csv=p=0", path,
      ]), as: UTF8.self).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
      XCTAssertEqual(rows.count, frames)
      for (i, row) in rows.enumerated() {
        XCTAssertEqual(row.first, i % 30 == 0 ? "1" : "0", "segment \(seq) frame \(i) key flag")
        XCTAssertEqual(Double(row.last ?? "") ?? -1, Double(i) / 30, accuracy: 1e-4, "segment \(seq) frame \(i) time")
      }
      // Decode every frame back and read the stamp the test pattern drew into it.
      let raw = try run(ffmpeg, ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgra", "pipe:1"])
      let frameBytes = 640 * 360 * 4
      XCTAssertEqual(raw.count, frameBytes * frames)
      for i in 0..<min(frames, raw.count / frameBytes) {
        let buffer = PixelBuffer(width: 640, height: 360)
        raw.withUnsafeBytes { buffer.bytes.copyMemory(from: $0.baseAddress! + i * frameBytes, byteCount: frameBytes) }
        let stamp = TestPattern.decode(buffer, in: PixelRect(x: 0, y: 0, width: 640, height: 360))
        XCTAssertEqual(stamp?.frame, expected[seq][i], "segment \(seq) frame \(i)")
        XCTAssertEqual(stamp?.tag, 5)
      }
    }
  }

  func testRepeatsOfTheQueuedFrameNeverFillTheQueue() async throws {
    let encoder = X264Encoder(queueCapacity: 2)
    let settings = EncoderSettings(size: PixelSize(width: 320, height: 180), fps: 30)
    let path = dir + "/video-000000.mp4"
    let writer = try encoder.openSegment(seq: 0, path: path, settings: settings)
    let frame = PixelBuffer(width: 320, height: 180)
    frame.fill(PixelBuffer.pack(r: 200, g: 40, b: 40))
    // One buffer being encoded plus one queued is all a stream of repeats can occupy.
    for i in 0..<600 { XCTAssertTrue(try writer.append(frame, count: 1), "repeat \(i) refused") }
    let done = try await writer.finish()
    XCTAssertEqual(done.frames, 600)
    let (_, ffprobe) = try tools()
    let probe = String(decoding: try run(ffprobe, [
      "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of",
      "default=nw=1", path,
    ]), as: UTF8.self)
    XCTAssert(probe.contains("nb_read_frames=600"), probe)
  }

  func testASteadyStreamReusesPictureMemoryAndKeepsNoFrame() async throws {
    let encoder = X264Encoder()
    let settings = EncoderSettings(size: PixelSize(width: 320, height: 180), fps: 30)
    let writer = try encoder.openSegment(seq: 0, path: dir + "/video-000000.mp4", settings: settings)
    let source = try TestPatternSource(id: "test-pattern:320x180:4")
    weak var handedOver: PixelBuffer?
    for n in 0..<90 {
      let frame = source.makeFrame(n, timestampUs: Int64(n) * 33_333).buffer
      XCTAssertTrue(try writer.append(frame, count: 1))
      handedOver = frame
      while encoder.queuedFrames > 0 { try await Task.sleep(nanoseconds: 1_000_000) }
    }
    XCTAssertNil(handedOver, "the encoder keeps no reference to an appended frame")
    XCTAssertLessThanOrEqual(encoder.picturesAllocated, 2, "one picture queued, one being encoded")
    XCTAssertLessThanOrEqual(source.buffers.statistics.allocated, 2)
    let done = try await writer.finish()
    XCTAssertEqual(done.frames, 90)
  }

  func testASessionLendsItsCanvasAndEverySegmentHoldsExactlyItsTicks() async throws {
    let (ffmpeg, ffprobe) = try tools()
    let clock = ManualClock(startUs: 1_000_000)
    let factory = ManualSourceFactory()
    let config = RecordingSession.Configuration(
      sessionId: "x264", spoolDir: dir, layout: .grid, fps: 10, maxSize: PixelSize(width: 640, height: 360),
      segmentSeconds: 1, screenshotSeconds: 60)
    let encoder = X264Encoder()
    let session = RecordingSession(configuration: config, clock: clock, encoder: encoder, thumbnails: nil, factory: factory)
    let ids = ["test-pattern:320x180:1", "test-pattern:320x180:2"]
    try await session.start(sources: ids.map { SourceRef(id: $0, kind: .testPattern) })
    // Source 1 sends a new frame every tick; source 0 only every third, so most ticks change one
    // cell and a few change nothing at all (repeats of the lent canvas, merged by generation).
    for tick in 0..<25 {
      let due = await session.nextDueUs()!
      clock.set(due - 16_000)
      if tick % 3 == 0 { factory.source(ids[0])?.emit(atUs: due - 16_000) }
      if tick % 5 != 4 { factory.source(ids[1])?.emit(atUs: due - 16_000) }
      clock.set(due)
      await session.tick()
      while encoder.queuedFrames > 0 { try await Task.sleep(nanoseconds: 1_000_000) }
    }
    try await session.stop()
    XCTAssertEqual(session.outputBuffers.allocated, 0, "the encoder was lent the canvas: no composite copies")
    await session.close()
    var segments: [SegmentRecord] = []
    for await e in session.events { if case .segment(let s) = e { segments.append(s) } }
    XCTAssertEqual(segments.map(\.frames), [10, 10, 5])
    XCTAssertEqual(segments.map(\.startUs), [1_000_000, 2_000_000, 3_000_000])
    // Decode every frame and read both cells' stamps: cell 0 holds the newest frame of source 0
    // sent at or before that tick, cell 1 the newest of source 1.
    let rects = GridCompositor().layout(sourceSizes: Array(repeating: PixelSize(width: 320, height: 180), count: 2),
                                        canvas: PixelSize(width: 640, height: 360))
    var tick = 0
    var sent = [-1, -1]
    var expected: [(Int, Int)] = []
    for t in 0..<25 {
      if t % 3 == 0 { sent[0] += 1 }
      if t % 5 != 4 { sent[1] += 1 }
      expected.append((sent[0], sent[1]))
    }
    for seg in segments {
      let probe = String(decoding: try run(ffprobe, [
        "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of",
        "default=nw=1", seg.path,
      ]), as: UTF8.self)
      XCTAssert(probe.contains("nb_read_frames=\(seg.frames)"), probe)
      // Stamped on the media timeline: the first frame at the segment's startUs, like audio's.
      let firstPts = String(decoding: try run(ffprobe, [
        "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-read_intervals", "%+#1",
        "-of", "csv=p=0", seg.path,
      ]), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      XCTAssertEqual(Double(firstPts) ?? -1, Double(seg.startUs) / 1e6, accuracy: 1e-6, "segment \(seg.seq) starts at its startUs")
      let raw = try run(ffmpeg, ["-v", "error", "-i", seg.path, "-f", "rawvideo", "-pix_fmt", "bgra", "pipe:1"])
      let frameBytes = 640 * 360 * 4
      XCTAssertEqual(raw.count, frameBytes * seg.frames)
      for i in 0..<min(seg.frames, raw.count / frameBytes) {
        let buffer = PixelBuffer(width: 640, height: 360)
        raw.withUnsafeBytes { buffer.bytes.copyMemory(from: $0.baseAddress! + i * frameBytes, byteCount: frameBytes) }
        let got = (TestPattern.decode(buffer, in: rects[0]!)?.frame, TestPattern.decode(buffer, in: rects[1]!)?.frame)
        XCTAssertEqual(got.0, expected[tick].0, "tick \(tick) cell 0")
        XCTAssertEqual(got.1, expected[tick].1, "tick \(tick) cell 1")
        tick += 1
      }
    }
    XCTAssertEqual(tick, 25)
  }

  func testAnEmptySegmentIsAValidFileAndAnUnwritableOneFails() async throws {
    let encoder = X264Encoder()
    let settings = EncoderSettings(size: PixelSize(width: 64, height: 64), fps: 10)
    let empty = try await encoder.openSegment(seq: 0, path: dir + "/video-000000.mp4", settings: settings).finish()
    XCTAssertEqual(empty.frames, 0)
    XCTAssertGreaterThan(empty.bytes, 100)
    let writer = try encoder.openSegment(seq: 1, path: dir + "/gone/video-000001.mp4", settings: settings)
    let frame = PixelBuffer(width: 64, height: 64)
    frame.fill(0)
    var failure: CaptureError?
    for _ in 0..<200 {
      do { _ = try writer.append(frame, count: 1) } catch { failure = error as? CaptureError; break }
      try await Task.sleep(nanoseconds: 2_000_000)
    }
    do {
      _ = try await writer.finish()
      XCTFail("finish must fail")
    } catch {
      failure = failure ?? (error as? CaptureError)
    }
    XCTAssertEqual(failure?.code, .encoderFailed, "\(String(describing: failure))")
  }
}
#endif
