// stdin as an AsyncStream of lines, read on its own thread (reads block); finishes at EOF.
// Lines over 1 MiB are passed on truncated, so the decoder rejects them instead of buffering forever.
import Foundation

enum LineReader {
  static let maxLine = 1 << 20

  static func stdinLines() -> AsyncStream<Data> {
    let (stream, continuation) = AsyncStream.makeStream(of: Data.self, bufferingPolicy: .unbounded)
    let thread = Thread {
      var pending = Data()
      var buffer = [UInt8](repeating: 0, count: 65_536)
      while true {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        pending.append(contentsOf: buffer[0..<n])
        while let nl = pending.firstIndex(of: 0x0A) {
          let line = pending[pending.startIndex..<nl]
          if !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continuation.yield(Data(line)) }
          pending.removeSubrange(pending.startIndex...nl)
        }
        if pending.count > maxLine {
          continuation.yield(Data(pending.prefix(maxLine)))
          pending.removeAll()
        }
      }
      if !pending.isEmpty { continuation.yield(pending) }
      continuation.finish()
    }
    thread.name = "stdin"
    thread.start()
    return stream
  }
}
