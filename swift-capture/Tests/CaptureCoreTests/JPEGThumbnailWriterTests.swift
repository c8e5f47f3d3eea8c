// The in-process JPEG screenshot writer (the Linux default): a real JPEG of the right size and
// colours, decoded back with ffmpeg; a missing folder is an error, not a crash. No child process.
#if canImport(CaptureJPEG)
import CaptureCore
import CaptureFFmpeg
import CaptureJPEG
import Foundation
import XCTest

final class JPEGThumbnailWriterTests: XCTestCase {
  func testWritesAJPEGThatDecodesToTheImage() async throws {
    let dir = NSTemporaryDirectory() + "swift-capture-jpeg-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let image = PixelBuffer(width: 320, height: 180)
    image.fill(PixelBuffer.pack(r: 20, g: 200, b: 60))
    image.fill(PixelRect(x: 160, y: 0, width: 160, height: 180), PixelBuffer.pack(r: 230, g: 30, b: 200))
    let writer = JPEGThumbnailWriter()
    XCTAssertEqual(writer.mime, "image/jpeg")
    let path = dir + "/shot-000001.jpg"
    try await writer.write(image, to: path)
    XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".part"))
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    XCTAssertEqual(Array(data.prefix(3)), [0xFF, 0xD8, 0xFF])
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try FFmpegLocator.find())
    p.arguments = ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let rgb = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    XCTAssertEqual(rgb.count, 320 * 180 * 3, "320×180 decoded")
    guard rgb.count == 320 * 180 * 3 else { return }
    func pixel(_ x: Int, _ y: Int) -> [Int] { (0..<3).map { Int(rgb[(y * 320 + x) * 3 + $0]) } }
    for (got, want) in [(pixel(40, 90), [20, 200, 60]), (pixel(280, 90), [230, 30, 200])] {
      for c in 0..<3 { XCTAssertEqual(got[c], want[c], accuracy: 12, "\(got) vs \(want)") }
    }
    XCTAssertEqual(
      ((try? String(contentsOfFile: "/proc/self/task/\(getpid())/children", encoding: .utf8)) ?? "")
        .trimmingCharacters(in: .whitespaces), "", "no child process left")
  }

  func testAMissingFolderIsAnError() async {
    let image = PixelBuffer(width: 16, height: 16)
    image.fill(0)
    do {
      try await JPEGThumbnailWriter().write(image, to: "/nonexistent-\(UUID().uuidString)/shot.jpg")
      XCTFail("must fail")
    } catch {
      XCTAssertEqual((error as? CaptureError)?.code, .encoderFailed, "\(error)")
    }
  }
}
#endif
