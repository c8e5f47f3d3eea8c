// The synchronizer on a simulated clock: long runs with jitter and clock skew, static sources,
// sources removed and added mid-session, bounded queues.
import CaptureCore
import XCTest

final class FrameSynchronizerTests: XCTestCase {
  func frame(_ id: String, _ seq: Int, _ ts: Int64, _ buffer: PixelBuffer) -> VideoFrame {
    VideoFrame(sourceId: id, sequence: seq, timestampUs: ts, buffer: buffer)
  }

  /// 10 simulated minutes at 60 fps, four sources: one on time, one with a slow clock
  /// (59.94 fps), one fast (60.06 fps), one at 30 fps; each with ±3 ms capture jitter (frames of a 60 fps source then
  /// arrive at most 22.7 ms apart, so the newest frame is always within 16 ms of its tick).
  func testTenMinutesOfFourJitteredStreamsAtSixtyFps() async {
    let sync = FrameSynchronizer(toleranceUs: 8_333, queueCapacity: 8)
    let ids = ["on-time", "slow", "fast", "half-rate"]
    let periodsUs: [Double] = [1_000_000 / 60.0, 1_000_000 / 59.94, 1_000_000 / 60.06, 1_000_000 / 30.0]
    var sinks: [FrameSink] = []
    for id in ids { sinks.append(await sync.addSource(id)) }
    let buffer = PixelBuffer(width: 16, height: 16)
    var rng = SplitMix64(seed: 42)
    var nextIndex = [Int](repeating: 0, count: 4)
    var lastCaptured = [Int64](repeating: Int64.min, count: 4)

    let fps: Int64 = 60
    let ticks = 10 * 60 * Int(fps)
    var lastShown = [Int](repeating: -1, count: 4)
    var worstOffset = [Int64](repeating: 0, count: 4)
    var empty = [Int](repeating: 0, count: 4)
    for n in 0...ticks {
      let tickUs = Int64(n) * 1_000_000 / fps
      // Deliver every frame captured up to the moment the tick runs (tick + tolerance).
      for s in 0..<4 {
        while true {
          let nominal = Int64((Double(nextIndex[s]) * periodsUs[s]).rounded())
          let ts = max(lastCaptured[s] + 1, nominal + rng.jitter(3_000))
          guard ts <= tickUs + 8_333 else { break }
          sinks[s].deliver(frame(ids[s], nextIndex[s], ts, buffer))
          lastCaptured[s] = ts
          nextIndex[s] += 1
        }
      }
      let selection = await sync.tick(atUs: tickUs)
      XCTAssertEqual(selection.map(\.sourceId), ids)
      for (s, sel) in selection.enumerated() {
        guard let f = sel.frame else {
          // Only before a source's first frame (the first tick or two).
          XCTAssertLessThan(n, 2, "tick \(n) has no frame for \(ids[s])")
          empty[s] += 1
          continue
        }
        XCTAssertGreaterThanOrEqual(f.sequence, lastShown[s], "frames go backwards")
        lastShown[s] = f.sequence
        worstOffset[s] = max(worstOffset[s], abs(f.timestampUs - tickUs))
      }
    }
    // Zero drift: the last tick is exactly at 600 s, and the sources' newest frames are shown there.
    XCTAssertEqual(Int64(ticks) * 1_000_000 / fps, 600_000_000)
    for s in 0..<3 {
      XCTAssertLessThanOrEqual(worstOffset[s], 16_000, "\(ids[s]) misaligned by \(worstOffset[s]) µs")
      XCTAssertGreaterThanOrEqual(lastShown[s], nextIndex[s] - 2, "\(ids[s]) fell behind")
    }
    // A 30 fps source is held for one tick between frames: within one of its periods plus jitter.
    XCTAssertLessThanOrEqual(worstOffset[3], 33_334 + 5_000)
    for (s, id) in ids.enumerated() {
      let c = await sync.counters(id)!
      XCTAssertEqual(c.dropped, 0, "\(id) dropped frames")
      // Every tick was filled: a new frame, the held one, or (before the first frame) nothing.
      XCTAssertEqual(c.shown + c.duplicated + empty[s], ticks + 1, id)
      XCTAssertEqual(c.received, nextIndex[s])
    }
    let slow = await sync.counters("slow")!, fast = await sync.counters("fast")!, half = await sync.counters("half-rate")!
    // 59.94 fps over 600 s is 36 frames short of the ticks, 60.06 fps 36 frames over: the
    // synchronizer absorbs exactly that skew (net holds / net skips), never drifting.
    XCTAssert((33...39).contains(slow.duplicated - slow.skipped), "slow net duplicated \(slow.duplicated - slow.skipped)")
    XCTAssert((33...39).contains(fast.skipped - fast.duplicated), "fast net skipped \(fast.skipped - fast.duplicated)")
    XCTAssert((17_900...18_100).contains(half.duplicated), "half-rate duplicated \(half.duplicated)")
  }

  func testStaticSourceHoldsItsOnlyFrameAndNeverStalls() async {
    let sync = FrameSynchronizer(toleranceUs: 16_000)
    let live = await sync.addSource("live")
    let still = await sync.addSource("still")
    let buffer = PixelBuffer(width: 8, height: 8)
    still.deliver(frame("still", 0, 0, buffer))
    for n in 0..<300 {
      let t = Int64(n) * 33_333
      live.deliver(frame("live", n, t, buffer))
      let sel = await sync.tick(atUs: t)
      XCTAssertEqual(sel.count, 2)
      XCTAssertEqual(sel[0].frame?.sequence, n)
      XCTAssertTrue(sel[0].fresh)
      XCTAssertEqual(sel[1].frame?.sequence, 0)
      XCTAssertEqual(sel[1].fresh, n == 0)
    }
    let c = await sync.counters("still")!
    XCTAssertEqual(c.shown, 1)
    XCTAssertEqual(c.duplicated, 299)
  }

  func testSourceWithNoFrameYetIsEmptyButOthersFlow() async {
    let sync = FrameSynchronizer()
    let a = await sync.addSource("a")
    _ = await sync.addSource("late")
    a.deliver(frame("a", 0, 0, PixelBuffer(width: 4, height: 4)))
    let sel = await sync.tick(atUs: 0)
    XCTAssertNotNil(sel[0].frame)
    XCTAssertNil(sel[1].frame)
  }

  func testSourceRemovedAndAddedMidSession() async {
    let sync = FrameSynchronizer(toleranceUs: 16_000)
    let buffer = PixelBuffer(width: 4, height: 4)
    var a = await sync.addSource("a")
    let b = await sync.addSource("b")
    for n in 0..<100 {
      let t = Int64(n) * 33_333
      if n == 30 { await sync.removeSource("a") }
      if n == 60 { a = await sync.addSource("a") }  // added again: a fresh slot
      if n < 30 || n >= 60 { a.deliver(frame("a", n, t, buffer)) }
      b.deliver(frame("b", n, t, buffer))
      let sel = await sync.tick(atUs: t)
      if n >= 30 && n < 60 {
        XCTAssertEqual(sel.map(\.sourceId), ["b"])
      } else {
        XCTAssertEqual(Set(sel.map(\.sourceId)), ["a", "b"])
        XCTAssertEqual(sel.first { $0.sourceId == "a" }?.frame?.sequence, n)
      }
      XCTAssertEqual(sel.first { $0.sourceId == "b" }?.frame?.sequence, n)
    }
    // The re-added source's counters start over; the one that stayed never missed a tick.
    let ca = await sync.counters("a")!, cb = await sync.counters("b")!
    XCTAssertEqual(ca.shown, 40)
    XCTAssertEqual(cb.shown, 100)
    XCTAssertEqual(cb.duplicated, 0)
    let order = await sync.sourceIds
    XCTAssertEqual(order, ["b", "a"])
  }

  func testBoundedQueuesDropOldestAndCount() async {
    let sync = FrameSynchronizer(toleranceUs: 0, queueCapacity: 3)
    let sink = await sync.addSource("burst", inboxCapacity: 4)
    let buffer = PixelBuffer(width: 4, height: 4)
    // 10 frames arrive before any tick: the inbox keeps the newest 4 and counts 6 drops.
    for i in 0..<10 { sink.deliver(frame("burst", i, Int64(i) * 1000, buffer)) }
    let sel = await sync.tick(atUs: 1_000_000)
    XCTAssertEqual(sel[0].frame?.sequence, 9)
    let c = await sync.counters("burst")!
    XCTAssertEqual(c.dropped, 6 + 1)  // 6 in the inbox, 1 more in the synchronizer's queue of 3
    XCTAssertEqual(c.skipped, 2)
  }

  func testFrameFromTheFutureWaitsForItsTick() async {
    let sync = FrameSynchronizer(toleranceUs: 8_000)
    let sink = await sync.addSource("s")
    let buffer = PixelBuffer(width: 4, height: 4)
    sink.deliver(frame("s", 0, 0, buffer))
    sink.deliver(frame("s", 1, 30_000, buffer))
    var sel = await sync.tick(atUs: 16_667)
    XCTAssertEqual(sel[0].frame?.sequence, 0)
    sel = await sync.tick(atUs: 33_333)
    XCTAssertEqual(sel[0].frame?.sequence, 1)
  }
}
