// Screenshots of the composite as JPEG through ffmpeg (mjpeg), written under a temporary name and
// renamed, like segments.
import CaptureCore
import Foundation

public struct FFmpegThumbnailWriter: ThumbnailWriter {
  public let ffmpegPath: String
  public var mime: String { "image/jpeg" }
  public var fileExtension: String { "jpg" }

  public init(ffmpegPath: String? = nil) throws {
    self.ffmpegPath = try ffmpegPath ?? FFmpegLocator.find()
    _ = ignoreSigpipeOnce
  }

  public func write(_ image: PixelBuffer, to path: String) async throws {
    let ffmpeg = ffmpegPath
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
      let thread = Thread {
        do {
          try Self.run(ffmpeg: ffmpeg, image: image, path: path)
          c.resume()
        } catch {
          c.resume(throwing: error)
        }
      }
      thread.name = "thumbnail"
      thread.start()
    }
  }

  static func run(ffmpeg: String, image: PixelBuffer, path: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ffmpeg)
    process.arguments = [
      "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "rawvideo", "-pix_fmt", "bgra",
      "-video_size", "\(image.width)x\(image.height)", "-i", "pipe:0", "-frames:v", "1",
      "-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p", "-f", "image2", "-y", path + ".part",
    ]
    let input = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    do { try process.run() } catch { throw CaptureError(.encoderFailed, "cannot start ffmpeg: \(error)") }
    let ok = writeAll(input.fileHandleForWriting.fileDescriptor, image.bytes, image.byteCount)
    try? input.fileHandleForWriting.close()
    let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard ok, process.terminationStatus == 0 else {
      try? FileManager.default.removeItem(atPath: path + ".part")
      throw ffmpegError(status: process.terminationStatus, log: log, what: "screenshot \(path)")
    }
    try? FileManager.default.removeItem(atPath: path)
    do {
      try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
    } catch {
      throw CaptureError(.diskFull, "cannot rename screenshot \(path): \(error)")
    }
  }
}
