// Reusable pixel memory for frames of one size (a source's grabs, the composite's outputs).
// Guarantees: `take` hands out memory no live buffer uses; a buffer's memory comes back when its
// last reference goes (PixelBuffer.deinit), and is handed out again instead of allocating, so a
// recording in steady state allocates no frame memory. At most `maxIdle` buffers wait unused;
// beyond that, and for every buffer of a size no longer in use, memory goes back to the system.
// Frame-sized memory is mapped directly from the kernel, so freeing it really returns it
// (glibc's malloc would keep multi-megabyte blocks in its arenas after the first free), unless the
// pool is given a PixelMemorySource.
import Foundation

/// Where a pool's pixel memory comes from instead of PixelMemory (an X11 source: shared memory the
/// X server grabs into, so a grab needs no copy).
public protocol PixelMemorySource: AnyObject, Sendable {
  /// `byteCount` bytes of pixel memory, or nil when there are none to be had (the caller falls back).
  func allocate(byteCount: Int) -> UnsafeMutableRawPointer?
  /// Gives memory back; called on whichever thread drops the last reference to its buffer.
  func deallocate(_ bytes: UnsafeMutableRawPointer, byteCount: Int)
}

public final class PixelBufferPool: @unchecked Sendable {
  public let maxIdle: Int
  private let memory: (any PixelMemorySource)?
  private let lock = NSLock()
  private var size: PixelSize?
  private var idle: [UnsafeMutableRawPointer] = []
  private var allocated = 0
  private var live = 0

  public init(maxIdle: Int = 4, memory: (any PixelMemorySource)? = nil) {
    precondition(maxIdle >= 0)
    self.maxIdle = maxIdle
    self.memory = memory
  }

  deinit {
    if let size { for p in idle { deallocate(p, byteCount: size.area * 4) } }
  }

  private func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
    guard let memory else { return PixelMemory.allocate(byteCount: byteCount) }
    return memory.allocate(byteCount: byteCount)
  }

  private func deallocate(_ p: UnsafeMutableRawPointer, byteCount: Int) {
    if let memory {
      memory.deallocate(p, byteCount: byteCount)
    } else {
      PixelMemory.deallocate(p, byteCount: byteCount)
    }
  }

  public struct Statistics: Sendable, Equatable {
    /// Memory blocks allocated so far (a steady recording stops adding to this).
    public var allocated: Int
    /// Buffers handed out and still referenced.
    public var live: Int
    /// Blocks waiting to be reused.
    public var idle: Int
    public init(allocated: Int, live: Int, idle: Int) {
      self.allocated = allocated
      self.live = live
      self.idle = idle
    }
  }

  public var statistics: Statistics {
    lock.withLock { Statistics(allocated: allocated, live: live, idle: idle.count) }
  }

  /// A buffer of `size` with unspecified contents (the caller overwrites all of it).
  public func take(_ size: PixelSize) -> PixelBuffer {
    guard let buffer = tryTake(size) else { fatalError("the pool's memory source has no memory for \(size)") }
    return buffer
  }

  /// Like `take`, but nil when the pool's memory source has none to give.
  public func tryTake(_ size: PixelSize) -> PixelBuffer? {
    precondition(size.width > 0 && size.height > 0, "empty pixel buffer")
    var dropped: [UnsafeMutableRawPointer] = [], droppedSize = 0
    let reused: UnsafeMutableRawPointer? = lock.withLock {
      if self.size != size {
        if let old = self.size { (dropped, droppedSize) = (idle, old.area * 4) }
        idle.removeAll()
        self.size = size
      }
      live += 1
      if let p = idle.popLast() { return p }
      allocated += 1
      return nil
    }
    for p in dropped { deallocate(p, byteCount: droppedSize) }
    guard let bytes = reused ?? allocate(byteCount: size.area * 4) else {
      lock.withLock {
        live -= 1
        allocated -= 1
      }
      return nil
    }
    return PixelBuffer(size: size, bytes: bytes, pool: self)
  }

  func recycle(_ bytes: UnsafeMutableRawPointer, size: PixelSize) {
    let keep: Bool = lock.withLock {
      live -= 1
      guard size == self.size, idle.count < maxIdle else { return false }
      idle.append(bytes)
      return true
    }
    if !keep { deallocate(bytes, byteCount: size.area * 4) }
  }
}

/// Pixel memory: small blocks from the allocator, frame-sized ones mapped from the kernel
/// (page-aligned, returned to the system when freed).
enum PixelMemory {
  static let mapThreshold = 256 << 10

  static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
    guard byteCount >= mapThreshold else { return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64) }
    guard let p = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
      fatalError("out of memory: cannot map \(byteCount) bytes for pixels")
    }
    return p
  }

  static func deallocate(_ p: UnsafeMutableRawPointer, byteCount: Int) {
    if byteCount >= mapThreshold {
      munmap(p, byteCount)
    } else {
      p.deallocate()
    }
  }
}
