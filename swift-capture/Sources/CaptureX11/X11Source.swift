// Captures one X11 window (through XComposite, so covered parts are real) or the root window at
// the session's frame rate on its own thread. Like ScreenCaptureKit it sends nothing when the
// content has not changed (compared with the previous grab), so static windows cost no composite
// work. A window that disappears is reported lost once; an unmapped one just sends nothing.
import CX11
import CaptureCore
import Foundation

final class X11Source: RecordingSource, @unchecked Sendable {
  let id: String
  let kind: SourceKind
  let window: UInt
  let displayName: String
  private let lock = NSLock()
  private var running = false
  private var currentSize: PixelSize
  /// Grabs are copied into buffers from here: a steady capture reuses the same few (the last
  /// delivered, the synchronizer's current one, the one being filled; one idle).
  let buffers = PixelBufferPool(maxIdle: 1)

  init(id: String, kind: SourceKind, window: UInt, displayName: String, size: PixelSize) {
    self.id = id
    self.kind = kind
    self.window = window
    self.displayName = displayName
    self.currentSize = size
  }

  var size: PixelSize { lock.withLock { currentSize } }

  func start(clock: any SessionClock, fps: Int, sink: FrameSink) throws {
    var err = [CChar](repeating: 0, count: 256)
    guard let conn = cx11_open(displayName, &err, Int32(err.count)) else {
      throw CaptureError(.sourceUnavailable, "cannot open X display \(displayName)")
    }
    guard let cap = cx11_capture_open(conn, window, &err, Int32(err.count)) else {
      cx11_close(conn)
      throw CaptureError(.sourceUnavailable, String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    lock.withLock { running = true }
    // Raw pointers cross to the capture thread, which alone uses them until it closes them.
    let handles = Handles(conn: conn, cap: cap)
    let thread = Thread { [self] in
      captureLoop(handles: handles, clock: clock, fps: fps, sink: sink)
      cx11_capture_close(handles.cap)
      cx11_close(handles.conn)
    }
    thread.name = "x11 \(id)"
    thread.start()
  }

  func stop() {
    lock.withLock { running = false }
  }

  private var isRunning: Bool { lock.withLock { running } }

  private func captureLoop(handles: Handles, clock: any SessionClock, fps: Int, sink: FrameSink) {
    let interval = Int64(1_000_000 / max(1, fps))
    var next = clock.nowUs()
    var previous: PixelBuffer?
    var sequence = 0
    while isRunning {
      let now = clock.nowUs()
      if now < next {
        usleep(UInt32(min(next - now, 50_000)))
        continue
      }
      next += interval
      if next < now - 4 * interval { next = now + interval }  // fell behind: do not burst
      var pixels: UnsafePointer<UInt8>?
      var w: Int32 = 0, h: Int32 = 0, stride: Int32 = 0
      let rc = cx11_capture_grab(handles.cap, &pixels, &w, &h, &stride)
      if rc == Int32(CX11_GONE) {
        sink.markLost("window closed")
        return
      }
      guard rc == Int32(CX11_OK), let pixels, w > 0, h > 0 else { continue }
      let stamp = clock.nowUs()
      let size = PixelSize(width: Int(w), height: Int(h))
      if let previous, previous.size == size, Self.same(previous, pixels, Int(stride)) { continue }
      let buffer = buffers.take(size)
      for row in 0..<size.height {
        (buffer.bytes + row * buffer.stride).copyMemory(from: pixels + row * Int(stride), byteCount: buffer.stride)
      }
      lock.withLock { currentSize = size }
      sink.deliver(VideoFrame(sourceId: id, sequence: sequence, timestampUs: stamp, buffer: buffer))
      sequence += 1
      previous = buffer
    }
  }

  private static func same(_ a: PixelBuffer, _ pixels: UnsafePointer<UInt8>, _ stride: Int) -> Bool {
    for row in 0..<a.height where memcmp(a.bytes + row * a.stride, pixels + row * stride, a.stride) != 0 {
      return false
    }
    return true
  }
}

private struct Handles: @unchecked Sendable {
  let conn: OpaquePointer
  let cap: OpaquePointer
}
