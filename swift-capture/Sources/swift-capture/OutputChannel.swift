// stdout carries protocol lines only, one write per line, serialized across tasks; logs go to stderr.
import CaptureProtocol
import Foundation

final class OutputChannel: @unchecked Sendable {
  private let lock = NSLock()

  func send(_ output: CaptureOutput) {
    let line = output.line() + "\n"
    lock.withLock {
      FileHandle.standardOutput.write(Data(line.utf8))
    }
  }
}

enum Log {
  static func info(_ message: String) {
    FileHandle.standardError.write(Data("[swift-capture] \(message)\n".utf8))
  }
}
