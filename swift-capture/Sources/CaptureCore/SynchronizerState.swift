// The synchronizer's logic as a pure value: frames in, one selection per output tick out.
// Guarantees: every tick yields a selection for every source (the newest frame captured no later
// than tick + tolerance; when a source sent nothing new, its previous frame again, counted as a
// duplicate), so a silent source never stalls the composite; a source's first frame is used from
// the first tick on, even when captured a little after it. Per-source queues are bounded: frames
// beyond `queueCapacity` drop the oldest and count it. Frames passed over because a newer one fits
// the tick are counted as skipped (a 60 fps window in a 30 fps recording skips every other one).

public struct SourceSelection: Sendable {
  public let sourceId: String
  /// Nil until the source's first frame arrives.
  public let frame: VideoFrame?
  /// True when `frame` was not shown at the previous tick.
  public let fresh: Bool
}

public struct SourceCounters: Sendable, Equatable {
  public var received = 0
  public var shown = 0
  public var duplicated = 0
  public var dropped = 0
  public var skipped = 0
  public init() {}
}

public struct SynchronizerState: Sendable {
  public let toleranceUs: Int64
  public let queueCapacity: Int

  struct Slot: Sendable {
    var queue: [VideoFrame] = []
    var current: VideoFrame?
    var counters = SourceCounters()
  }

  private(set) var order: [String] = []
  private var slots: [String: Slot] = [:]

  public init(toleranceUs: Int64 = 16_000, queueCapacity: Int = 8) {
    precondition(toleranceUs >= 0 && queueCapacity > 0)
    self.toleranceUs = toleranceUs
    self.queueCapacity = queueCapacity
  }

  public var sourceIds: [String] { order }

  public mutating func addSource(_ id: String) {
    guard slots[id] == nil else { return }
    slots[id] = Slot()
    order.append(id)
  }

  public mutating func removeSource(_ id: String) {
    slots[id] = nil
    order.removeAll { $0 == id }
  }

  public func counters(_ id: String) -> SourceCounters? { slots[id]?.counters }

  /// True when every source has a frame shown or queued.
  public var everySourceHasAFrame: Bool {
    order.allSatisfy { slots[$0]?.current != nil || slots[$0]?.queue.isEmpty == false }
  }

  /// Queues a frame. Returns false when it made the queue drop its oldest frame.
  @discardableResult
  public mutating func push(_ frame: VideoFrame) -> Bool {
    guard var slot = slots[frame.sourceId] else { return true }
    slot.counters.received += 1
    var kept = true
    if slot.queue.count >= queueCapacity {
      slot.queue.removeFirst()
      slot.counters.dropped += 1
      kept = false
    }
    // Sources stamp monotonically; an out-of-order frame is inserted where it belongs.
    if let last = slot.queue.last, last.timestampUs > frame.timestampUs {
      let at = slot.queue.firstIndex { $0.timestampUs > frame.timestampUs } ?? slot.queue.count
      slot.queue.insert(frame, at: at)
    } else {
      slot.queue.append(frame)
    }
    slots[frame.sourceId] = slot
    return kept
  }

  /// Adds drops that happened before the frames reached this queue (the source's inbox).
  public mutating func addDropped(_ id: String, _ count: Int) {
    guard count > 0 else { return }
    slots[id]?.counters.dropped += count
  }

  /// The selection for the output tick at `tickUs` (session clock), one per source in order.
  public mutating func tick(atUs tickUs: Int64) -> [SourceSelection] {
    var out: [SourceSelection] = []
    out.reserveCapacity(order.count)
    let limit = tickUs + toleranceUs
    for id in order {
      guard var slot = slots[id] else { continue }
      var chosen: Int? = nil
      for (i, f) in slot.queue.enumerated() where f.timestampUs <= limit { chosen = i }
      var fresh = false
      if chosen == nil && slot.current == nil && !slot.queue.isEmpty {
        // A source's very first frame also stands in for the ticks just before it (the start of a
        // recording, a source just added), so its cell is never empty once a frame exists.
        chosen = 0
      }
      if let i = chosen {
        slot.counters.skipped += i
        slot.current = slot.queue[i]
        slot.queue.removeFirst(i + 1)
        slot.counters.shown += 1
        fresh = true
      } else if slot.current != nil {
        slot.counters.duplicated += 1
      }
      out.append(SourceSelection(sourceId: id, frame: slot.current, fresh: fresh))
      slots[id] = slot
    }
    return out
  }

  /// Forgets queued frames older than the newest one of each source (after a pause, so the first
  /// tick after resume does not count a burst of stale frames as skipped).
  public mutating func collapseQueues() {
    for id in order {
      guard var slot = slots[id], let newest = slot.queue.last else { continue }
      slot.queue = [newest]
      slots[id] = slot
    }
  }
}
