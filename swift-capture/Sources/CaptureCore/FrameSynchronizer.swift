// The synchronizer actor: owns each source's inbox (FrameSink) and the pure SynchronizerState.
// At each tick it drains the inboxes in arrival order and selects one frame per source; see
// SynchronizerState for the guarantees. Sources never wait on it: they write to their sink.

public actor FrameSynchronizer {
  private var state: SynchronizerState
  private var sinks: [String: FrameSink] = [:]
  private var inboxDropsSeen: [String: Int] = [:]
  private var lost: [String: String] = [:]

  public init(toleranceUs: Int64 = 16_000, queueCapacity: Int = 8) {
    state = SynchronizerState(toleranceUs: toleranceUs, queueCapacity: queueCapacity)
  }

  public var sourceIds: [String] { state.sourceIds }

  /// Registers a source and returns the sink it should deliver into.
  public func addSource(_ id: String, inboxCapacity: Int = 4) -> FrameSink {
    if let sink = sinks[id] { return sink }
    let sink = FrameSink(sourceId: id, capacity: inboxCapacity)
    sinks[id] = sink
    inboxDropsSeen[id] = 0
    state.addSource(id)
    return sink
  }

  public func removeSource(_ id: String) {
    sinks[id] = nil
    inboxDropsSeen[id] = nil
    lost[id] = nil
    state.removeSource(id)
  }

  public func counters(_ id: String) -> SourceCounters? { state.counters(id) }

  /// Sources that reported themselves lost since the last call (each reported once).
  public func takeLost() -> [(id: String, reason: String)] {
    var out: [(String, String)] = []
    for id in state.sourceIds {
      guard lost[id] == nil, let reason = sinks[id]?.drain(peekOnly: true).lostReason else { continue }
      lost[id] = reason
      out.append((id, reason))
    }
    return out
  }

  /// True when every source has delivered at least one frame.
  public func everySourceHasAFrame() -> Bool {
    ingest()
    return state.everySourceHasAFrame
  }

  public func tick(atUs tickUs: Int64) -> [SourceSelection] {
    ingest()
    return state.tick(atUs: tickUs)
  }

  public func collapseQueues() {
    ingest()
    state.collapseQueues()
  }

  /// While paused: takes what the sources sent and keeps only each one's newest frame, without
  /// counting the inbox overflow of the pause as drops.
  public func discardWhilePaused() {
    for id in state.sourceIds {
      guard let sink = sinks[id] else { continue }
      let drained = sink.drain()
      for f in drained.frames.suffix(1) { state.push(f) }
      inboxDropsSeen[id] = drained.droppedTotal
    }
    state.collapseQueues()
  }

  private func ingest() {
    for id in state.sourceIds {
      guard let sink = sinks[id] else { continue }
      let drained = sink.drain()
      for f in drained.frames { state.push(f) }
      let seen = inboxDropsSeen[id] ?? 0
      state.addDropped(id, drained.droppedTotal - seen)
      inboxDropsSeen[id] = drained.droppedTotal
    }
  }
}
