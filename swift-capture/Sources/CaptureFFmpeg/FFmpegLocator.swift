// Finds the ffmpeg binary: $SWIFT_CAPTURE_FFMPEG, else the first `ffmpeg` on PATH.
import CaptureCore
import Foundation

public enum FFmpegLocator {
  public static func find() throws -> String {
    let env = ProcessInfo.processInfo.environment
    if let explicit = env["SWIFT_CAPTURE_FFMPEG"], !explicit.isEmpty {
      guard FileManager.default.isExecutableFile(atPath: explicit) else {
        throw CaptureError(.encoderFailed, "SWIFT_CAPTURE_FFMPEG=\(explicit) is not an executable")
      }
      return explicit
    }
    for dir in (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(dir)/ffmpeg"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw CaptureError(.encoderFailed, "ffmpeg not found on PATH (install it, or set SWIFT_CAPTURE_FFMPEG)")
  }
}

/// Classifies an ffmpeg failure from the end of its log.
func ffmpegError(status: Int32, log: String, what: String) -> CaptureError {
  let tail = String(log.suffix(1500)).trimmingCharacters(in: .whitespacesAndNewlines)
  if log.contains("No space left on device") { return CaptureError(.diskFull, "\(what): no space left on device") }
  return CaptureError(.encoderFailed, "\(what): ffmpeg exited with status \(status)\(tail.isEmpty ? "" : ": " + tail)")
}

/// Writes all of `count` bytes to a file descriptor; false on any error (EPIPE when ffmpeg died).
func writeAll(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Bool {
  var offset = 0
  while offset < count {
    let n = write(fd, pointer + offset, count - offset)
    if n < 0 {
      if errno == EINTR { continue }
      return false
    }
    offset += n
  }
  return true
}

/// SIGPIPE would kill the whole process when ffmpeg dies; a failed write is reported instead.
let ignoreSigpipeOnce: Void = { signal(SIGPIPE, SIG_IGN) }()
