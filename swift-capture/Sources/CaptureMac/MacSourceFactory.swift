// macOS sources: ScreenCaptureKit displays (`sck:display:<id>`) and windows (`sck:window:<id>`),
// AVFoundation webcams (`avf:<uniqueID>`). Thin: pixels are handed to CaptureCore as BGRA.
// UNCOMPILED on the Linux machines of this project (no macOS SDK there); written against the
// macOS 14 SDK's ScreenCaptureKit and AVFoundation APIs.
#if os(macOS)
import AVFoundation
import CaptureCore
import Foundation
import ScreenCaptureKit

public struct MacSourceFactory: SourceFactory {
  public init() {}

  /// ScreenCaptureKit's shareable content, fetched synchronously (commands run one at a time).
  static func shareableContent() throws -> SCShareableContent {
    final class Box: @unchecked Sendable {
      var content: SCShareableContent?
      var error: (any Error)?
    }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    SCShareableContent.getExcludingDesktopWindows(true, onScreenWindowsOnly: true) { content, error in
      box.content = content
      box.error = error
      done.signal()
    }
    done.wait()
    if let content = box.content { return content }
    // The usual failure is the Screen Recording permission (TCC) not granted.
    throw CaptureError(.permissionDenied, "screen recording is not permitted: \(box.error?.localizedDescription ?? "unknown error")")
  }

  public func listSources() throws -> SourceList {
    let content = try Self.shareableContent()
    let displays = content.displays.map {
      DisplayInfo(id: "sck:display:\($0.displayID)", name: "Display \($0.displayID)", width: $0.width, height: $0.height)
    }
    let windows = content.windows.filter { $0.isOnScreen && $0.windowLayer == 0 && $0.frame.width > 1 }.map {
      WindowInfo(
        id: "sck:window:\($0.windowID)", title: $0.title ?? "", app: $0.owningApplication?.applicationName ?? "",
        bounds: PixelRect(x: Int($0.frame.minX), y: Int($0.frame.minY), width: Int($0.frame.width), height: Int($0.frame.height)))
    }
    let cameras = AVCaptureDevice.DiscoverySession(
      deviceTypes: [.builtInWideAngleCamera, .external], mediaType: .video, position: .unspecified
    ).devices.map { WebcamInfo(id: "avf:\($0.uniqueID)", name: $0.localizedName) }
    return SourceList(displays: displays, windows: windows, webcams: cameras)
  }

  public func makeSource(_ ref: SourceRef) throws -> any RecordingSource {
    switch ref.kind {
    case .display:
      guard ref.id.hasPrefix("sck:display:"), let n = UInt32(ref.id.dropFirst("sck:display:".count)) else {
        throw CaptureError(.notFound, "not a display id: \(ref.id)")
      }
      let content = try Self.shareableContent()
      guard let display = content.displays.first(where: { $0.displayID == n }) else {
        throw CaptureError(.notFound, "no display \(ref.id)")
      }
      let filter = SCContentFilter(display: display, excludingWindows: [])
      let scale = Int(max(1, filter.pointPixelScale))
      return ScreenCaptureSource(
        id: ref.id, kind: .display, filter: filter, size: PixelSize(width: display.width * scale, height: display.height * scale))
    case .window:
      guard ref.id.hasPrefix("sck:window:"), let n = UInt32(ref.id.dropFirst("sck:window:".count)) else {
        throw CaptureError(.notFound, "not a window id: \(ref.id)")
      }
      let content = try Self.shareableContent()
      guard let window = content.windows.first(where: { $0.windowID == n }) else {
        throw CaptureError(.notFound, "no window \(ref.id)")
      }
      let filter = SCContentFilter(desktopIndependentWindow: window)
      // Backing pixels: points × the display's scale (2 on Retina), the filter knows it.
      let scale = Int(max(1, filter.pointPixelScale))
      let size = PixelSize(width: max(2, Int(window.frame.width) * scale), height: max(2, Int(window.frame.height) * scale))
      return ScreenCaptureSource(id: ref.id, kind: .window, filter: filter, size: size)
    case .webcam:
      guard ref.id.hasPrefix("avf:"), let device = AVCaptureDevice(uniqueID: String(ref.id.dropFirst(4))) else {
        throw CaptureError(.notFound, "no camera \(ref.id)")
      }
      return try WebcamSource(id: ref.id, device: device)
    case .testPattern:
      return try TestPatternSource(id: ref.id)
    }
  }
}

/// Copies a BGRA CVPixelBuffer into a PixelBuffer (rows may be padded in the source).
func copyPixels(_ image: CVPixelBuffer) -> PixelBuffer? {
  guard CVPixelBufferGetPixelFormatType(image) == kCVPixelFormatType_32BGRA else { return nil }
  CVPixelBufferLockBaseAddress(image, .readOnly)
  defer { CVPixelBufferUnlockBaseAddress(image, .readOnly) }
  let width = CVPixelBufferGetWidth(image), height = CVPixelBufferGetHeight(image)
  guard width > 0, height > 0, let base = CVPixelBufferGetBaseAddress(image) else { return nil }
  let stride = CVPixelBufferGetBytesPerRow(image)
  let out = PixelBuffer(width: width, height: height)
  for row in 0..<height {
    (out.bytes + row * out.stride).copyMemory(from: base + row * stride, byteCount: out.stride)
  }
  return out
}
#endif
