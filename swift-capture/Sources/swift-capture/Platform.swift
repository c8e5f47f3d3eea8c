// The capture backend of this platform: X11 on Linux (when DISPLAY is set), ScreenCaptureKit on
// macOS; encoding with libx264 and screenshots with libjpeg-turbo in-process on Linux (ffmpeg for
// both with SWIFT_CAPTURE_ENCODER=ffmpeg), AVAssetWriter and ImageIO on macOS.
import CaptureCore
import CaptureFFmpeg
import Foundation
#if os(Linux)
import CaptureJPEG
import CaptureX11
import CaptureX264
#endif
#if os(macOS)
import CaptureMac
#endif

enum Platform {
  static func sourceFactory() -> any SourceFactory {
    #if os(Linux)
    if let display = ProcessInfo.processInfo.environment["DISPLAY"], !display.isEmpty {
      return DefaultSourceFactory(platform: X11SourceFactory(displayName: display))
    }
    return DefaultSourceFactory(platform: nil)
    #elseif os(macOS)
    return DefaultSourceFactory(platform: MacSourceFactory())
    #else
    return DefaultSourceFactory(platform: nil)
    #endif
  }

  static func encoder() throws -> any VideoEncoder {
    #if os(macOS)
    if ProcessInfo.processInfo.environment["SWIFT_CAPTURE_ENCODER"] != "ffmpeg" { return AssetWriterEncoder() }
    #endif
    #if os(Linux)
    if ProcessInfo.processInfo.environment["SWIFT_CAPTURE_ENCODER"] != "ffmpeg" { return X264Encoder() }
    #endif
    return try FFmpegEncoder()
  }

  static func thumbnails() -> (any ThumbnailWriter)? {
    #if os(macOS)
    if ProcessInfo.processInfo.environment["SWIFT_CAPTURE_ENCODER"] != "ffmpeg" { return ImageIOThumbnailWriter() }
    #endif
    #if os(Linux)
    if ProcessInfo.processInfo.environment["SWIFT_CAPTURE_ENCODER"] != "ffmpeg" { return JPEGThumbnailWriter() }
    #endif
    return try? FFmpegThumbnailWriter()
  }
}
