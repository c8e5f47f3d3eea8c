// Screenshots of the composite as JPEG through libjpeg-turbo in this process (the Linux default:
// no ffmpeg child every few seconds), written under a temporary name and renamed, like segments.
// The work runs on its own thread so the caller's task never blocks.
import CTurboJPEG
import CaptureCore
import Foundation

public struct JPEGThumbnailWriter: ThumbnailWriter {
  public let quality: Int
  public var mime: String { "image/jpeg" }
  public var fileExtension: String { "jpg" }

  public init(quality: Int = 80) {
    self.quality = quality
  }

  public func write(_ image: PixelBuffer, to path: String) async throws {
    let quality = quality
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
      let thread = Thread {
        do {
          try Self.write(image, to: path, quality: quality)
          c.resume()
        } catch {
          c.resume(throwing: error)
        }
      }
      thread.name = "jpeg"
      thread.start()
    }
  }

  static func write(_ image: PixelBuffer, to path: String, quality: Int) throws {
    var err = [CChar](repeating: 0, count: 512)
    let part = path + ".part"
    let rc = cjpeg_write_bgra(
      image.bytes.assumingMemoryBound(to: UInt8.self), Int32(image.width), Int32(image.height), Int32(image.stride),
      Int32(quality), part, &err, Int32(err.count))
    guard rc == Int32(CJPEG_OK) else {
      let code = errno
      try? FileManager.default.removeItem(atPath: part)
      let message = String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw CaptureError(rc == Int32(CJPEG_WRITE_FAILED) && code == ENOSPC ? .diskFull : .encoderFailed,
                         "screenshot \(path): \(message)")
    }
    try? FileManager.default.removeItem(atPath: path)
    do {
      try FileManager.default.moveItem(atPath: part, toPath: path)
    } catch {
      throw CaptureError(.diskFull, "cannot rename screenshot \(path): \(error)")
    }
  }
}
