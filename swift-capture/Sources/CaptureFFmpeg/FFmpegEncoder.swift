// H.264 in fragmented MP4 through ffmpeg (libx264), one ffmpeg per segment, so every segment is a
// file that plays on its own and starts with a keyframe (empty moov + one fragment per keyframe,
// a keyframe every second). Raw BGRA frames go down a pipe from a writer thread; the tick only
// queues them (bounded), so a slow encoder shows up as encode lag and refused frames, never as a
// stalled composite. A segment is written as `<name>.part` and renamed when ffmpeg has finished.
import CaptureCore
import Foundation

public struct FFmpegEncoder: VideoEncoder {
  public let ffmpegPath: String
  public let preset: String
  public let queueCapacity: Int?

  /// `queueCapacity` nil: as many frames as fit in 96 MiB (11 at 1080p), 4 to one second's worth.
  public init(ffmpegPath: String? = nil, preset: String = "veryfast", queueCapacity: Int? = nil) throws {
    self.ffmpegPath = try ffmpegPath ?? FFmpegLocator.find()
    self.preset = preset
    self.queueCapacity = queueCapacity
    _ = ignoreSigpipeOnce
  }

  public func mime(for settings: EncoderSettings) -> String { settings.mime }

  public func arguments(settings: EncoderSettings, output: String) -> [String] {
    let s = settings
    return [
      "-hide_banner", "-loglevel", "error", "-nostdin",
      "-f", "rawvideo", "-pix_fmt", "bgra", "-video_size", "\(s.size.width)x\(s.size.height)",
      "-framerate", "\(s.fps)", "-i", "pipe:0",
      "-c:v", "libx264", "-preset", preset, "-tune", "zerolatency",
      "-profile:v", "high", "-level:v", s.h264Level.name, "-pix_fmt", "yuv420p",
      "-b:v", "\(s.bitrate)", "-maxrate", "\(s.bitrate * 3 / 2)", "-bufsize", "\(s.bitrate * 2)",
      "-g", "\(s.fps)", "-keyint_min", "\(s.fps)", "-sc_threshold", "0",
      "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
      "-f", "mp4", "-y", output,
    ]
  }

  public func openSegment(seq: Int, path: String, settings: EncoderSettings) throws -> any SegmentWriter {
    try FFmpegSegmentWriter(
      seq: seq, path: path, settings: settings, ffmpeg: ffmpegPath,
      arguments: arguments(settings: settings, output: path + ".part"),
      capacity: queueCapacity ?? min(max(4, (96 << 20) / (settings.size.area * 4)), max(4, settings.fps)))
  }
}

final class FFmpegSegmentWriter: SegmentWriter, @unchecked Sendable {
  let seq: Int
  let path: String
  let settings: EncoderSettings
  private let process = Process()
  private let stdinPipe = Pipe()
  private let logPath: String
  private let condition = NSCondition()
  private var queue: [(PixelBuffer, Int)] = []
  private let capacity: Int
  private var closing = false
  private var failure: CaptureError?
  private var result: Result<EncodedSegment, CaptureError>?
  private var waiters: [CheckedContinuation<EncodedSegment, any Error>] = []
  private var framesWritten = 0

  init(seq: Int, path: String, settings: EncoderSettings, ffmpeg: String, arguments: [String], capacity: Int) throws {
    self.seq = seq
    self.path = path
    self.settings = settings
    self.capacity = capacity
    logPath = path + ".log"
    process.executableURL = URL(fileURLWithPath: ffmpeg)
    process.arguments = arguments
    process.standardInput = stdinPipe
    process.standardOutput = FileHandle.nullDevice
    guard FileManager.default.createFile(atPath: logPath, contents: nil),
      let log = FileHandle(forWritingAtPath: logPath)
    else {
      throw CaptureError(.diskFull, "cannot create \(logPath) (disk full or spool not writable)")
    }
    process.standardError = log
    do {
      try process.run()
    } catch {
      throw CaptureError(.encoderFailed, "cannot start ffmpeg (\(ffmpeg)): \(error)")
    }
    try? log.close()
    let thread = Thread { [self] in writerLoop() }
    thread.name = "ffmpeg segment \(seq)"
    thread.start()
  }

  func append(_ frame: PixelBuffer, count: Int) throws -> Bool {
    precondition(frame.size == settings.size, "frame size \(frame.size) differs from the segment's \(settings.size)")
    condition.lock()
    defer { condition.unlock() }
    if let failure { throw failure }
    if closing { return true }
    if queue.count >= capacity { return false }
    queue.append((frame, count))
    condition.signal()
    return true
  }

  var queuedFrames: Int {
    condition.lock()
    defer { condition.unlock() }
    return queue.reduce(0) { $0 + $1.1 }
  }

  func finish() async throws -> EncodedSegment {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<EncodedSegment, any Error>) in
      condition.lock()
      if let result {
        condition.unlock()
        c.resume(with: result.mapError { $0 as any Error })
        return
      }
      waiters.append(c)
      closing = true
      condition.signal()
      condition.unlock()
    }
  }

  func abort() {
    condition.lock()
    closing = true
    queue.removeAll()
    condition.signal()
    condition.unlock()
    if process.isRunning { process.terminate() }
    try? FileManager.default.removeItem(atPath: path + ".part")
  }

  private func writerLoop() {
    let fd = stdinPipe.fileHandleForWriting.fileDescriptor
    var broken = false
    while true {
      condition.lock()
      while queue.isEmpty && !closing { condition.wait() }
      if queue.isEmpty && closing {
        condition.unlock()
        break
      }
      let (frame, count) = queue[0]
      condition.unlock()
      if !broken {
        for _ in 0..<count {
          if !writeAll(fd, frame.bytes, frame.byteCount) {
            broken = true
            break
          }
          framesWritten += 1
        }
      }
      condition.lock()
      queue.removeFirst()
      if broken && failure == nil {
        failure = CaptureError(.encoderFailed, "ffmpeg stopped reading frames (segment \(seq))")
      }
      condition.unlock()
    }
    try? stdinPipe.fileHandleForWriting.close()
    process.waitUntilExit()
    let status = process.terminationStatus
    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    var outcome: Result<EncodedSegment, CaptureError>
    if status == 0 && !broken {
      do {
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        outcome = .success(EncodedSegment(seq: seq, path: path, bytes: bytes, frames: framesWritten))
        try? FileManager.default.removeItem(atPath: logPath)
      } catch {
        outcome = .failure(CaptureError(.diskFull, "cannot rename segment \(seq): \(error)"))
      }
    } else {
      outcome = .failure(ffmpegError(status: status, log: log, what: "segment \(seq)"))
    }
    condition.lock()
    result = outcome
    if case .failure(let e) = outcome, failure == nil { failure = e }
    let toResume = waiters
    waiters = []
    condition.unlock()
    for w in toResume { w.resume(with: outcome.mapError { $0 as any Error }) }
  }
}
