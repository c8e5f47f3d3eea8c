// A session clock that only moves when a test says so (like swift-async-algorithms' ManualClock).
import CaptureCore
import Foundation

public final class ManualClock: SessionClock, @unchecked Sendable {
  private let lock = NSLock()
  private var now: Int64

  public init(startUs: Int64 = 0) { now = startUs }

  public func nowUs() -> Int64 {
    lock.lock()
    defer { lock.unlock() }
    return now
  }

  public func set(_ us: Int64) {
    lock.lock()
    now = us
    lock.unlock()
  }

  public func advance(by us: Int64) {
    lock.lock()
    now += us
    lock.unlock()
  }

  /// Never waits: tests call tick() after moving the clock.
  public func sleep(untilUs: Int64) async { await Task.yield() }
}
