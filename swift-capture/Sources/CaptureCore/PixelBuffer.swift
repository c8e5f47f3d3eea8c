// Tightly packed 32-bit BGRA images (B, G, R, A bytes in memory, as X11 and CoreVideo deliver).
// A buffer is written by one owner and becomes read-only once handed on (a frame delivered to the
// synchronizer is never written again), which is what makes sharing it across tasks safe. The one
// exception is a canvas redrawn in place, lent only to consumers that copy it at once; its
// `generation` changes with each redraw, so "same buffer, same generation" means same pixels.
// A buffer taken from a PixelBufferPool gives its pixel memory back to the pool when the last
// reference goes, so frames in a steady recording reuse memory instead of allocating it.

public struct PixelSize: Hashable, Sendable, CustomStringConvertible {
  public var width: Int
  public var height: Int
  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }
  public var area: Int { width * height }
  public var description: String { "\(width)x\(height)" }
  /// Rounded down to even dimensions (4:2:0 video needs them), at least 2×2.
  public var even: PixelSize { PixelSize(width: max(2, width & ~1), height: max(2, height & ~1)) }
}

public struct PixelRect: Hashable, Sendable, CustomStringConvertible {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }
  public var size: PixelSize { PixelSize(width: width, height: height) }
  public var maxX: Int { x + width }
  public var maxY: Int { y + height }
  public var description: String { "(\(x),\(y) \(width)x\(height))" }
}

public final class PixelBuffer: @unchecked Sendable {
  public let width: Int
  public let height: Int
  /// Bytes per row; always width * 4.
  public let stride: Int
  public let bytes: UnsafeMutableRawPointer
  private let pool: PixelBufferPool?
  /// Bumped by an owner that redraws the buffer in place (CompositeRenderer); 0 for write-once ones.
  public internal(set) var generation = 0

  public init(width: Int, height: Int) {
    precondition(width > 0 && height > 0, "empty pixel buffer")
    self.width = width
    self.height = height
    self.stride = width * 4
    self.bytes = PixelMemory.allocate(byteCount: width * height * 4)
    self.pool = nil
  }

  public convenience init(size: PixelSize) { self.init(width: size.width, height: size.height) }

  /// Wraps memory from `pool` (of at least width·height·4 bytes), which gets it back at deinit.
  init(size: PixelSize, bytes: UnsafeMutableRawPointer, pool: PixelBufferPool) {
    self.width = size.width
    self.height = size.height
    self.stride = size.width * 4
    self.bytes = bytes
    self.pool = pool
  }

  deinit {
    if let pool {
      pool.recycle(bytes, size: size)
    } else {
      PixelMemory.deallocate(bytes, byteCount: byteCount)
    }
  }

  public var size: PixelSize { PixelSize(width: width, height: height) }
  public var byteCount: Int { stride * height }
  public var pixels: UnsafeMutablePointer<UInt32> { bytes.assumingMemoryBound(to: UInt32.self) }

  /// BGRA packed as a little-endian UInt32: 0xAARRGGBB.
  public static func pack(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) -> UInt32 {
    UInt32(b) | UInt32(g) << 8 | UInt32(r) << 16 | UInt32(a) << 24
  }

  public func pixel(x: Int, y: Int) -> UInt32 { pixels[y * width + x] }
  public func setPixel(x: Int, y: Int, _ value: UInt32) { pixels[y * width + x] = value }

  public func fill(_ value: UInt32) {
    pixels.update(repeating: value, count: width * height)
  }

  public func fill(_ rect: PixelRect, _ value: UInt32) {
    let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
    let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
    guard x1 > x0, y1 > y0 else { return }
    for y in y0..<y1 { (pixels + y * width + x0).update(repeating: value, count: x1 - x0) }
  }

  /// A copy, in a new buffer or in one from `pool`.
  public func copy(using pool: PixelBufferPool? = nil) -> PixelBuffer {
    let out = pool?.take(size) ?? PixelBuffer(width: width, height: height)
    out.bytes.copyMemory(from: bytes, byteCount: byteCount)
    return out
  }

  /// Luma (BT.601, integer) of one pixel, 0...255.
  public func luma(x: Int, y: Int) -> Int {
    let p = pixel(x: x, y: y)
    let b = Int(p & 0xff), g = Int((p >> 8) & 0xff), r = Int((p >> 16) & 0xff)
    return (r * 77 + g * 150 + b * 29) >> 8
  }
}
