// X11 sources: `x11:root` (the whole screen) and `x11:0x<window id>` (one window), listed from the
// display named by DISPLAY. Each source opens its own connection and uses it from one thread.
import CX11
import CaptureCore
import Foundation

public struct X11SourceFactory: SourceFactory {
  public let displayName: String

  public init(displayName: String) { self.displayName = displayName }

  static func withConnection<T>(_ display: String, _ body: (OpaquePointer) throws -> T) throws -> T {
    var err = [CChar](repeating: 0, count: 256)
    guard let conn = cx11_open(display, &err, Int32(err.count)) else {
      throw CaptureError(.sourceUnavailable, String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    defer { cx11_close(conn) }
    return try body(conn)
  }

  /// Parses `x11:root` → 0 and `x11:0x1a00004` → the window id.
  static func windowId(_ id: String) -> UInt? {
    guard id.hasPrefix("x11:") else { return nil }
    let rest = id.dropFirst(4)
    if rest == "root" { return 0 }
    guard rest.hasPrefix("0x"), let v = UInt(rest.dropFirst(2), radix: 16) else { return nil }
    return v
  }

  public func makeSource(_ ref: SourceRef) throws -> any RecordingSource {
    guard ref.kind == .display || ref.kind == .window else {
      throw CaptureError(.sourceUnavailable, "no \(ref.kind.rawValue) capture on X11")
    }
    guard let window = Self.windowId(ref.id) else {
      throw CaptureError(.notFound, "not an X11 source id: \(ref.id) (expected x11:root or x11:0x<hex>)")
    }
    let size = try Self.withConnection(displayName) { conn -> PixelSize in
      var w: Int32 = 0, h: Int32 = 0
      if window == 0 {
        cx11_screen_size(conn, &w, &h)
      } else if cx11_window_size(conn, window, &w, &h) == 0 {
        throw CaptureError(.notFound, "no window \(ref.id) on display \(displayName)")
      }
      return PixelSize(width: Int(w), height: Int(h))
    }
    guard size.width > 0, size.height > 0 else { throw CaptureError(.sourceUnavailable, "\(ref.id) has no area") }
    return X11Source(id: ref.id, kind: ref.kind, window: window, displayName: displayName, size: size)
  }

  public func listSources() throws -> SourceList {
    try Self.withConnection(displayName) { conn in
      var w: Int32 = 0, h: Int32 = 0
      cx11_screen_size(conn, &w, &h)
      var infos = [cx11_window_info](repeating: cx11_window_info(), count: 256)
      let n = Int(cx11_list_windows(conn, &infos, Int32(infos.count)))
      let windows = infos.prefix(n).map { info -> WindowInfo in
        var i = info
        let title = withUnsafeBytes(of: &i.title) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let app = withUnsafeBytes(of: &i.app) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return WindowInfo(
          id: "x11:0x" + String(info.id, radix: 16), title: title, app: app,
          bounds: PixelRect(x: Int(info.x), y: Int(info.y), width: Int(info.width), height: Int(info.height)))
      }
      return SourceList(
        displays: [DisplayInfo(id: "x11:root", name: "Screen 0 (\(displayName))", width: Int(w), height: Int(h))],
        windows: windows)
    }
  }
}
