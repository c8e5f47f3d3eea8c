// swift-capture: the multi-window compositor child of the Sessions host. JSON lines in on stdin,
// JSON lines out on stdout (shared/PROTOCOL.md §2), logs on stderr. Exits 0 after stdin EOF once
// the current segment is finished; SIGTERM and SIGINT do the same.
import CaptureCore
import CaptureProtocol
import Foundation
#if os(Linux)
import CProcessMemory
#endif

@main
struct SwiftCapture {
  static func main() async {
    signal(SIGPIPE, SIG_IGN)
    #if os(Linux)
    if cprocessmemory_tune() != 0 { Log.info("some memory settings were refused (THP, malloc arenas)") }
    #endif
    if CommandLine.arguments.dropFirst().first == "--version" {
      print("swift-capture 0.1.0 (protocol 1)")
      return
    }
    if CommandLine.arguments.dropFirst().first == "bench-composite" {
      CompositeBenchmark.run(arguments: Array(CommandLine.arguments.dropFirst(2)))
      return
    }
    let out = OutputChannel()
    let controller = Controller(out: out, factory: Platform.sourceFactory())
    let lines = LineReader.stdinLines()
    let signals = SignalWatcher.stream([SIGTERM, SIGINT])
    // Whichever comes first ends the command loop: stdin EOF or a termination signal.
    let (finished, finish) = AsyncStream.makeStream(of: Void.self)
    Task {
      for await line in lines {
        switch CommandDecoder.decode(line) {
        case .success(let command): await controller.handle(command)
        case .failure(let r): out.send(.error(id: r.id, code: r.code, message: r.message))
        }
      }
      Log.info("stdin closed: finishing the current segment")
      finish.yield()
    }
    Task {
      for await sig in signals {
        Log.info("signal \(sig): finishing the current segment")
        finish.yield()
        return
      }
    }
    for await _ in finished { break }
    await controller.shutdown()
    exit(0)
  }
}

enum SignalWatcher {
  /// Keeps the dispatch sources alive for the life of the process.
  final class Holder: @unchecked Sendable {
    var sources: [any DispatchSourceSignal] = []
  }
  static let holder = Holder()

  static func stream(_ signals: [Int32]) -> AsyncStream<Int32> {
    let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
    for s in signals {
      signal(s, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
      source.setEventHandler { continuation.yield(s) }
      source.resume()
      holder.sources.append(source)
    }
    return stream
  }
}
