// The session clock: microseconds since the host's origin (CLOCK_MONOTONIC nanoseconds at ts 0).
// Injected everywhere time is read, so tests step a manual clock instead of waiting.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public protocol SessionClock: Sendable {
  /// Now, µs since the origin. May be negative if the origin lies in the future.
  func nowUs() -> Int64
  /// Returns at or after `untilUs` (or early when the task is cancelled).
  func sleep(untilUs: Int64) async
}

public struct MonotonicClock: SessionClock {
  public let originNs: UInt64

  public init(originNs: UInt64) { self.originNs = originNs }

  /// A clock whose origin is now (for tools and benchmarks without a host).
  public static func startingNow() -> MonotonicClock { MonotonicClock(originNs: monotonicNowNs()) }

  /// The host's clock: Node's process.hrtime, which is CLOCK_MONOTONIC on Linux and
  /// mach_absolute_time (= CLOCK_UPTIME_RAW) on macOS.
  public static func monotonicNowNs() -> UInt64 {
    #if canImport(Darwin)
    return clock_gettime_nsec_np(CLOCK_UPTIME_RAW)
    #else
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    #endif
  }

  public func nowUs() -> Int64 {
    (Int64(bitPattern: MonotonicClock.monotonicNowNs()) - Int64(bitPattern: originNs)) / 1000
  }

  public func sleep(untilUs: Int64) async {
    let delta = untilUs - nowUs()
    if delta > 0 { try? await Task.sleep(nanoseconds: UInt64(delta) * 1000) }
  }
}
