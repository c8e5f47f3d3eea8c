// H.264 (libx264, in this process) into fragmented MP4 segments, the same files the ffmpeg encoder
// made (High profile, a keyframe every second, one fragment per keyframe, each segment playing on
// its own) without an ffmpeg process, a pipe, or ffmpeg's frame queues.
// Guarantees:
// - One encode thread per session encodes every segment in order with one x264 encoder, reused
//   across segments (the first frame of each segment is forced to be an IDR), so at most one
//   encoder and one picture exist at a time; it is closed when no segment is open.
// - `append` never blocks and keeps no reference to the frame: it converts it at once into a
//   4:2:0 picture (3/8 of the BGRA bytes) from a small free list, and pictures wait in one queue
//   bounded to `queueCapacity` (a repeat of the newest queued frame only raises its count), so a
//   slow encoder shows up as encode lag and refused frames, never as a stalled composite, and
//   memory stays bounded. In a steady recording no picture memory is allocated.
// - Every appended frame is encoded as exactly one sample of 1/fps: a segment holds exactly the
//   frames appended to it, stamped from its start tick's media time (like the audio child's
//   segments, so a player appends them with no offset). It is written as `<name>.part` and
//   renamed when complete.
import CX264
import CaptureCore
import Foundation

public struct X264Encoder: VideoEncoder {
  public let preset: String
  public let threads: Int
  public let queueCapacity: Int?
  let lane: EncodeLane

  /// `queueCapacity` nil: as many 4:2:0 pictures as fit in 16 MiB (12 at 720p, 5 at 1080p), at least 4.
  public init(preset: String = "veryfast", threads: Int = 1, queueCapacity: Int? = nil) {
    self.preset = preset
    self.threads = threads
    self.queueCapacity = queueCapacity
    lane = EncodeLane()
  }

  public func mime(for settings: EncoderSettings) -> String { settings.mime }

  /// Frames waiting to be encoded, over all of this encoder's segments.
  public var queuedFrames: Int { lane.queuedFrames }

  /// The queue bound for `settings` unless given: 16 MiB of pictures, at least 4.
  public func capacity(for settings: EncoderSettings) -> Int {
    queueCapacity ?? max(4, (16 << 20) / (settings.size.area * 3 / 2))
  }

  /// Picture memory blocks allocated so far (a steady recording stops adding to this).
  public var picturesAllocated: Int { lane.picturesAllocated }

  /// What the encoder is configured with for `settings` (pinned by the tests).
  public func configuration(for s: EncoderSettings) -> X264Configuration {
    X264Configuration(
      width: s.size.width, height: s.size.height, fps: s.fps, bitrateKbps: s.bitrate / 1000,
      maxrateKbps: s.bitrate * 3 / 2 / 1000, bufsizeKbit: s.bitrate * 2 / 1000, levelIdc: s.h264Level.idc,
      keyint: s.fps, threads: threads, preset: preset)
  }

  public func openSegment(seq: Int, path: String, settings: EncoderSettings) throws -> any SegmentWriter {
    try openSegment(seq: seq, path: path, settings: settings, startTick: 0)
  }

  public func openSegment(seq: Int, path: String, settings: EncoderSettings, startTick: Int) throws -> any SegmentWriter {
    lane.open(
      seq: seq, path: path, configuration: configuration(for: settings), capacity: capacity(for: settings),
      startTick: startTick)
  }
}

public struct X264Configuration: Sendable, Equatable {
  public var width: Int, height: Int, fps: Int
  public var bitrateKbps: Int, maxrateKbps: Int, bufsizeKbit: Int
  public var levelIdc: Int, keyint: Int, threads: Int
  public var preset: String
  public init(
    width: Int, height: Int, fps: Int, bitrateKbps: Int, maxrateKbps: Int, bufsizeKbit: Int, levelIdc: Int,
    keyint: Int, threads: Int, preset: String
  ) {
    self.width = width
    self.height = height
    self.fps = fps
    self.bitrateKbps = bitrateKbps
    self.maxrateKbps = maxrateKbps
    self.bufsizeKbit = bufsizeKbit
    self.levelIdc = levelIdc
    self.keyint = keyint
    self.threads = threads
    self.preset = preset
  }
}

/// The one encode thread of an encoder and its queue of work, in append order.
final class EncodeLane: @unchecked Sendable {
  enum Job {
    case frame(X264SegmentWriter, Picture, count: Int)
    case finish(X264SegmentWriter)
  }

  /// A 4:2:0 picture converted from `source` at `generation`; the source is remembered weakly to
  /// merge its repeats (same buffer, same generation: same pixels).
  final class Picture {
    let bytes: UnsafeMutableRawPointer
    let byteCount: Int
    weak var source: PixelBuffer?
    let generation: Int
    init(bytes: UnsafeMutableRawPointer, byteCount: Int, source: PixelBuffer) {
      self.bytes = bytes
      self.byteCount = byteCount
      self.source = source
      self.generation = source.generation
    }

    func isRepeat(of frame: PixelBuffer) -> Bool { source === frame && generation == frame.generation }
  }

  private let condition = NSCondition()
  private var jobs: [Job] = []
  private var queuedBuffers = 0
  private var openWriters = 0
  private var threadRunning = false
  /// Free picture memory of `freeSize` bytes. At 30 fps a picture is encoded long before the next
  /// tick, so one spare covers the steady state; a second in flight (a slow keyframe) is
  /// allocated and given back rather than kept resident for the rest of the recording.
  private var free: [UnsafeMutableRawPointer] = []
  private var freeSize = 0
  private let maxFree = 1
  private var allocatedPictures = 0
  // Used on the lane thread only.
  private var encoder: OpaquePointer?
  private var encoderConfiguration: X264Configuration?

  func open(seq: Int, path: String, configuration: X264Configuration, capacity: Int, startTick: Int) -> X264SegmentWriter {
    condition.lock()
    openWriters += 1
    condition.unlock()
    return X264SegmentWriter(
      seq: seq, path: path, configuration: configuration, capacity: capacity, startTick: startTick, lane: self)
  }

  /// Queues a frame (converted now; the caller keeps the buffer); false when `capacity` pictures
  /// are already waiting. Called from one thread at a time (the session's).
  func enqueue(_ writer: X264SegmentWriter, _ frame: PixelBuffer, count: Int, capacity: Int) -> Bool {
    let byteCount = Int(cx264_i420_size(Int32(frame.width), Int32(frame.height)))
    condition.lock()
    if case .frame(let w, let last, let n)? = jobs.last, w === writer, last.isRepeat(of: frame) {
      jobs[jobs.count - 1] = .frame(w, last, count: n + count)
      condition.unlock()
      return true
    }
    if queuedBuffers >= capacity {
      condition.unlock()
      return false
    }
    queuedBuffers += 1
    if freeSize != byteCount {
      for p in free { p.deallocate() }
      free = []
      freeSize = byteCount
    }
    let reused = free.popLast()
    if reused == nil { allocatedPictures += 1 }
    condition.unlock()
    let bytes = reused ?? UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    cx264_bgra_to_i420(
      frame.bytes.assumingMemoryBound(to: UInt8.self), Int32(frame.stride), Int32(frame.width), Int32(frame.height),
      bytes.assumingMemoryBound(to: UInt8.self))
    let picture = Picture(bytes: bytes, byteCount: byteCount, source: frame)
    condition.lock()
    jobs.append(.frame(writer, picture, count: count))
    wake()
    condition.unlock()
    return true
  }

  /// Gives a picture's memory back (kept for reuse up to `maxFree`). Lock held.
  private func release(_ picture: Picture) {
    if picture.byteCount == freeSize && free.count < maxFree {
      free.append(picture.bytes)
    } else {
      picture.bytes.deallocate()
    }
  }

  func enqueueFinish(_ writer: X264SegmentWriter) {
    condition.lock()
    jobs.append(.finish(writer))
    wake()
    condition.unlock()
  }

  /// Drops the writer's queued frames (its finish, if queued, still runs).
  func drop(_ writer: X264SegmentWriter) {
    condition.lock()
    jobs.removeAll {
      if case .frame(let w, let picture, _) = $0, w === writer {
        queuedBuffers -= 1
        release(picture)
        return true
      }
      return false
    }
    condition.unlock()
  }

  var queuedFrames: Int {
    condition.lock()
    defer { condition.unlock() }
    return jobs.reduce(0) {
      if case .frame(_, _, let n) = $1 { return $0 + n }
      return $0
    }
  }

  var picturesAllocated: Int {
    condition.lock()
    defer { condition.unlock() }
    return allocatedPictures
  }

  func writerClosed() {
    condition.lock()
    openWriters -= 1
    condition.signal()
    condition.unlock()
  }

  /// Called with the lock held.
  private func wake() {
    if !threadRunning {
      threadRunning = true
      let t = Thread { [self] in run() }
      t.name = "x264 encode"
      t.start()
    } else {
      condition.signal()
    }
  }

  private func run() {
    while true {
      condition.lock()
      while jobs.isEmpty && openWriters > 0 { condition.wait() }
      if jobs.isEmpty {
        // No segment open and nothing queued: free the encoder and end the thread (under the
        // lock, so a thread started by the next enqueue never meets this one's encoder).
        threadRunning = false
        closeEncoder()
        for p in free { p.deallocate() }
        free = []
        condition.unlock()
        return
      }
      let job = jobs.removeFirst()
      condition.unlock()
      switch job {
      case .frame(let writer, let picture, let count):
        writer.encode(picture, count: count, lane: self)
        condition.lock()
        queuedBuffers -= 1
        release(picture)
        condition.unlock()
      case .finish(let writer):
        writer.complete()
      }
    }
  }

  /// The encoder for `configuration`, opened (or reopened when the configuration changed).
  /// Lane thread only.
  func encoder(for configuration: X264Configuration) throws -> OpaquePointer {
    if let encoder, encoderConfiguration == configuration, cx264_delayed_frames(encoder) == 0 { return encoder }
    closeEncoder()
    var err = [CChar](repeating: 0, count: 256)
    let opened = configuration.preset.withCString { preset -> OpaquePointer? in
      var c = cx264_config(
        width: Int32(configuration.width), height: Int32(configuration.height), fps: Int32(configuration.fps),
        bitrate_kbps: Int32(configuration.bitrateKbps), maxrate_kbps: Int32(configuration.maxrateKbps),
        bufsize_kbit: Int32(configuration.bufsizeKbit), level_idc: Int32(configuration.levelIdc),
        keyint: Int32(configuration.keyint), threads: Int32(configuration.threads), preset: preset)
      return cx264_open(&c, &err, Int32(err.count))
    }
    guard let opened else {
      throw CaptureError(.encoderFailed, String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    encoder = opened
    encoderConfiguration = configuration
    return opened
  }

  private func closeEncoder() {
    if let encoder { cx264_close(encoder) }
    encoder = nil
    encoderConfiguration = nil
  }
}

final class X264SegmentWriter: SegmentWriter, @unchecked Sendable {
  let seq: Int
  let path: String
  let configuration: X264Configuration
  let capacity: Int
  /// Media tick of the first frame: the file's timestamps start at startTick/fps seconds.
  let startTick: Int
  private let lane: EncodeLane
  private let lock = NSLock()
  private var failure: CaptureError?
  private var closing = false
  private var result: Result<EncodedSegment, CaptureError>?
  private var waiters: [CheckedContinuation<EncodedSegment, any Error>] = []

  // Lane thread only.
  private var fd: Int32 = -1
  private var framesWritten = 0
  private var bytesWritten = 0
  private var fragments = 0
  private var fragmentFirstFrame = 0
  private var fragmentSizes: [Int] = []
  private var fragmentData: [UInt8] = []

  init(seq: Int, path: String, configuration: X264Configuration, capacity: Int, startTick: Int, lane: EncodeLane) {
    self.seq = seq
    self.path = path
    self.configuration = configuration
    self.capacity = capacity
    self.startTick = startTick
    self.lane = lane
  }

  func append(_ frame: PixelBuffer, count: Int) throws -> Bool {
    precondition(
      frame.size == PixelSize(width: configuration.width, height: configuration.height),
      "frame size \(frame.size) differs from the segment's \(configuration.width)x\(configuration.height)")
    try lock.withLock {
      if let failure { throw failure }
    }
    if lock.withLock({ closing }) { return true }
    return lane.enqueue(self, frame, count: count, capacity: capacity)
  }

  var queuedFrames: Int { lane.queuedFrames }

  /// The frame is converted during `append`: the session may lend its canvas.
  var keepsFrames: Bool { false }

  func finish() async throws -> EncodedSegment {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<EncodedSegment, any Error>) in
      lock.lock()
      if let result {
        lock.unlock()
        c.resume(with: result.mapError { $0 as any Error })
        return
      }
      waiters.append(c)
      let first = !closing
      closing = true
      lock.unlock()
      if first { lane.enqueueFinish(self) }
    }
  }

  func abort() {
    let first: Bool = lock.withLock {
      defer { closing = true }
      if failure == nil { failure = CaptureError(.encoderFailed, "segment \(seq) aborted") }
      return !closing
    }
    lane.drop(self)
    if first { lane.enqueueFinish(self) }
  }

  private var failed: Bool { lock.withLock { failure != nil } }

  private func fail(_ error: CaptureError) {
    lock.withLock { if failure == nil { failure = error } }
  }

  // MARK: - Lane thread

  func encode(_ picture: EncodeLane.Picture, count: Int, lane: EncodeLane) {
    guard !failed else { return }
    do {
      let encoder = try lane.encoder(for: configuration)
      if fd < 0 { try start(encoder) }
      let pixels = UnsafePointer(picture.bytes.assumingMemoryBound(to: UInt8.self))
      for _ in 0..<count {
        var sample: UnsafePointer<UInt8>?
        var keyframe: Int32 = 0
        let size = cx264_encode(encoder, pixels, framesWritten == 0 ? 1 : 0, &sample, &keyframe)
        guard size > 0, let sample else {
          throw CaptureError(.encoderFailed, "x264 could not encode frame \(framesWritten) of segment \(seq)")
        }
        if keyframe != 0 && !fragmentSizes.isEmpty { try flushFragment() }
        if fragmentSizes.isEmpty && keyframe == 0 && framesWritten == 0 {
          throw CaptureError(.encoderFailed, "segment \(seq) does not start with a keyframe")
        }
        if fragmentSizes.isEmpty { fragmentFirstFrame = framesWritten }
        fragmentData.append(contentsOf: UnsafeBufferPointer(start: sample, count: Int(size)))
        fragmentSizes.append(Int(size))
        framesWritten += 1
      }
    } catch {
      fail(error as? CaptureError ?? CaptureError(.encoderFailed, "\(error)"))
      discardFile()
    }
  }

  /// Finishes the file (or cleans up after a failure) and answers `finish`.
  func complete() {
    var outcome: Result<EncodedSegment, CaptureError>
    do {
      if let failure = lock.withLock({ failure }) { throw failure }
      if fd < 0 { try start(try lane.encoder(for: configuration)) }
      if !fragmentSizes.isEmpty { try flushFragment() }
      close(fd)
      fd = -1
      try? FileManager.default.removeItem(atPath: path)
      do {
        try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
      } catch {
        throw CaptureError(.diskFull, "cannot rename segment \(seq): \(error)")
      }
      outcome = .success(EncodedSegment(seq: seq, path: path, bytes: bytesWritten, frames: framesWritten))
    } catch {
      let e = error as? CaptureError ?? CaptureError(.encoderFailed, "\(error)")
      fail(e)
      discardFile()
      outcome = .failure(e)
    }
    fragmentData = []
    fragmentSizes = []
    lock.lock()
    result = outcome
    let toResume = waiters
    waiters = []
    lock.unlock()
    lane.writerClosed()
    for w in toResume { w.resume(with: outcome.mapError { $0 as any Error }) }
  }

  private func start(_ encoder: OpaquePointer) throws {
    let part = path + ".part"
    fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      let code = errno
      throw CaptureError(code == ENOSPC ? .diskFull : .encoderFailed, "cannot create \(part): \(String(cString: strerror(code)))")
    }
    var sps: UnsafePointer<UInt8>?, pps: UnsafePointer<UInt8>?
    var spsLength: Int32 = 0, ppsLength: Int32 = 0
    cx264_parameter_sets(encoder, &sps, &spsLength, &pps, &ppsLength)
    let header = FragmentedMP4.header(
      width: configuration.width, height: configuration.height, fps: configuration.fps,
      sps: Array(UnsafeBufferPointer(start: sps, count: Int(spsLength))),
      pps: Array(UnsafeBufferPointer(start: pps, count: Int(ppsLength))))
    try writeBytes(header)
    fragmentData.reserveCapacity(256 << 10)
  }

  private func flushFragment() throws {
    fragments += 1
    let header = FragmentedMP4.fragmentHeader(
      sequence: fragments, firstFrame: startTick + fragmentFirstFrame, fps: configuration.fps, sampleSizes: fragmentSizes,
      startsWithKeyframe: true)
    try writeBytes(header)
    try writeBytes(fragmentData)
    fragmentData.removeAll(keepingCapacity: true)
    fragmentSizes.removeAll(keepingCapacity: true)
  }

  private func writeBytes(_ bytes: [UInt8]) throws {
    let ok = bytes.withUnsafeBytes { raw -> Bool in
      var offset = 0
      while offset < raw.count {
        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += n
      }
      return true
    }
    guard ok else { throw Self.writeError(errno, seq) }
    bytesWritten += bytes.count
  }

  static func writeError(_ code: Int32, _ seq: Int) -> CaptureError {
    CaptureError(code == ENOSPC ? .diskFull : .encoderFailed, "cannot write segment \(seq): \(String(cString: strerror(code)))")
  }

  private func discardFile() {
    if fd >= 0 {
      close(fd)
      fd = -1
    }
    try? FileManager.default.removeItem(atPath: path + ".part")
    fragmentData = []
    fragmentSizes = []
  }
}
