// Captures one X11 window (through XComposite, so covered parts are real) or the root window at
// the session's frame rate on its own thread. Like ScreenCaptureKit it sends nothing when the
// content has not changed (compared with the previous grab), so static windows cost no composite
// work. A window that disappears is reported lost once; an unmapped one just sends nothing.
// With XShm, the X server writes each grab straight into a frame buffer that is itself a
// shared-memory segment (a pool of them per source), so a frame costs no copy and the source holds
// no grab image beside its frames; without XShm, grabs come from XGetImage and are copied.
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
  /// Frames are shared-memory buffers from here, which the X server grabs into directly: no copy,
  /// and no image of the capture's own beside them. A steady capture reuses the same few (the
  /// synchronizer's current one, the one being filled; one idle).
  let shared = SharedPixelMemory()
  let sharedBuffers: PixelBufferPool
  /// Where XShm cannot be had (a remote display), grabs are copied into buffers from here.
  let buffers = PixelBufferPool(maxIdle: 1)

  init(id: String, kind: SourceKind, window: UInt, displayName: String, size: PixelSize) {
    self.id = id
    self.kind = kind
    self.window = window
    self.displayName = displayName
    self.currentSize = size
    sharedBuffers = PixelBufferPool(maxIdle: 1, memory: shared)
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
    shared.open(cap)
    let thread = Thread { [self] in
      captureLoop(handles: handles, clock: clock, fps: fps, sink: sink)
      shared.close()
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
    var direct = true
    while isRunning {
      let now = clock.nowUs()
      if now < next {
        usleep(UInt32(min(next - now, 50_000)))
        continue
      }
      next += interval
      if next < now - 4 * interval { next = now + interval }  // fell behind: do not burst
      shared.collect()
      if direct {
        switch grabDirect(handles, clock: clock, previous: previous) {
        case .frame(let buffer, let stamp):
          lock.withLock { currentSize = buffer.size }
          sink.deliver(VideoFrame(sourceId: id, sequence: sequence, timestampUs: stamp, buffer: buffer))
          sequence += 1
          previous = buffer
          continue
        case .nothing:
          continue
        case .gone:
          sink.markLost("window closed")
          return
        case .unavailable:
          direct = false
          FileHandle.standardError.write(Data("[swift-capture] \(id): no shared memory with the X server, grabs are copied\n".utf8))
        }
      }
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

  private enum Grab {
    case frame(PixelBuffer, stampUs: Int64)
    case nothing  // not viewable right now, or unchanged
    case gone
    case unavailable  // no shared memory: copy instead
  }

  /// One grab straight into a shared buffer; a frame only when the pixels changed.
  private func grabDirect(_ handles: Handles, clock: any SessionClock, previous: PixelBuffer?) -> Grab {
    var w: Int32 = 0, h: Int32 = 0
    let prepared = cx11_capture_prepare(handles.cap, &w, &h)
    if prepared == Int32(CX11_GONE) { return .gone }
    guard prepared == Int32(CX11_OK), w > 0, h > 0 else { return .nothing }
    let size = PixelSize(width: Int(w), height: Int(h))
    shared.nextSize = size
    guard let buffer = sharedBuffers.tryTake(size), let segment = shared.segment(buffer.bytes) else {
      return .unavailable
    }
    let rc = cx11_capture_grab_into(handles.cap, segment)
    if rc == Int32(CX11_GONE) { return .gone }
    guard rc == Int32(CX11_OK) else { return .nothing }
    let stamp = clock.nowUs()
    let pixels = UnsafePointer(buffer.bytes.assumingMemoryBound(to: UInt8.self))
    if let previous, previous.size == size, Self.same(previous, pixels, buffer.stride) { return .nothing }
    return .frame(buffer, stampUs: stamp)
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

/// Shared-memory segments attached to one capture's X connection, handed out as pixel memory. X
/// calls happen on the capture thread only: memory given back from other threads (the session
/// drops frames) waits in `released` until the capture thread detaches it (`collect`); once the
/// capture is closed, the connection's end has detached everything and memory is just unmapped.
final class SharedPixelMemory: PixelMemorySource, @unchecked Sendable {
  private let lock = NSLock()
  private var capture: OpaquePointer?
  private var segments: [UnsafeMutableRawPointer: OpaquePointer] = [:]
  private var released: [OpaquePointer] = []
  /// The size of the next buffer (the pool passes only a byte count). Capture thread only.
  var nextSize: PixelSize?

  func open(_ capture: OpaquePointer) {
    lock.withLock { self.capture = capture }
  }

  /// Capture thread, before the capture is closed.
  func close() {
    let (capture, list): (OpaquePointer?, [OpaquePointer]) = lock.withLock {
      defer {
        self.capture = nil
        released = []
      }
      return (self.capture, released)
    }
    for s in list {
      if let capture { cx11_shm_detach(capture, s) }
      cx11_shm_free(s)
    }
  }

  /// Capture thread: detaches and frees the memory given back since the last call.
  func collect() {
    let (capture, list): (OpaquePointer?, [OpaquePointer]) = lock.withLock {
      defer { released = [] }
      return (self.capture, released)
    }
    for s in list {
      if let capture { cx11_shm_detach(capture, s) }
      cx11_shm_free(s)
    }
  }

  func segment(_ bytes: UnsafeMutableRawPointer) -> OpaquePointer? { lock.withLock { segments[bytes] } }

  /// Capture thread (the pool's take).
  func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
    guard let size = nextSize, size.area * 4 == byteCount, let capture = lock.withLock({ capture }),
      let s = cx11_shm_new(capture, Int32(size.width), Int32(size.height)), let p = cx11_shm_pixels(s)
    else { return nil }
    let bytes = UnsafeMutableRawPointer(p)
    lock.withLock { segments[bytes] = s }
    return bytes
  }

  func deallocate(_ bytes: UnsafeMutableRawPointer, byteCount: Int) {
    lock.lock()
    guard let s = segments.removeValue(forKey: bytes) else {
      lock.unlock()
      return
    }
    if capture != nil {
      released.append(s)
      lock.unlock()
    } else {
      lock.unlock()
      cx11_shm_free(s)
    }
  }
}
