// One source's bounded inbox: sources push from any thread, the synchronizer drains at each tick.
// When full, the oldest frame is dropped and counted; nothing blocks the source.
import Foundation

public final class FrameSink: @unchecked Sendable {
  public let sourceId: String
  public let capacity: Int
  private let lock = NSLock()
  private var queue: [VideoFrame] = []
  private var dropped = 0
  private var delivered = 0
  private var lostReason: String?

  public init(sourceId: String, capacity: Int = 4) {
    precondition(capacity > 0)
    self.sourceId = sourceId
    self.capacity = capacity
    queue.reserveCapacity(capacity)
  }

  /// Queues a frame; returns false when an older frame had to be dropped to make room.
  @discardableResult
  public func deliver(_ frame: VideoFrame) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    delivered += 1
    if queue.count >= capacity {
      queue.removeFirst()
      dropped += 1
      queue.append(frame)
      return false
    }
    queue.append(frame)
    return true
  }

  /// The source is gone (window closed, device unplugged); the session reports it once.
  public func markLost(_ reason: String) {
    lock.lock()
    if lostReason == nil { lostReason = reason }
    lock.unlock()
  }

  public struct Drained {
    public var frames: [VideoFrame]
    public var droppedTotal: Int
    public var deliveredTotal: Int
    public var lostReason: String?
  }

  /// Takes the queued frames (or, with `peekOnly`, just reads the counters and the lost reason).
  public func drain(peekOnly: Bool = false) -> Drained {
    lock.lock()
    defer { lock.unlock() }
    if peekOnly { return Drained(frames: [], droppedTotal: dropped, deliveredTotal: delivered, lostReason: lostReason) }
    let frames = queue
    queue.removeAll(keepingCapacity: true)
    return Drained(frames: frames, droppedTotal: dropped, deliveredTotal: delivered, lostReason: lostReason)
  }
}
