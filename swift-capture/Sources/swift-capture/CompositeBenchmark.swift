// `swift-capture bench-composite [--sources N] [--source WxH] [--canvas WxH] [--seconds S]`:
// composite speed on one thread (the grid of N test-pattern sources, every frame new, as the
// session renders and copies it for the encoder), and the screenshot thumbnail's cost on the tick.
// Prints one JSON object on stdout.
import CaptureCore
import Foundation

enum CompositeBenchmark {
  static func run(arguments: [String]) {
    var sources = 4, seconds = 5.0
    var sourceSize = PixelSize(width: 1920, height: 1080), canvas = PixelSize(width: 1920, height: 1080)
    var i = 0
    func size(_ s: String) -> PixelSize? {
      let p = s.split(separator: "x").compactMap { Int($0) }
      return p.count == 2 ? PixelSize(width: p[0], height: p[1]) : nil
    }
    while i + 1 < arguments.count {
      switch arguments[i] {
      case "--sources": sources = Int(arguments[i + 1]) ?? sources
      case "--seconds": seconds = Double(arguments[i + 1]) ?? seconds
      case "--source": sourceSize = size(arguments[i + 1]) ?? sourceSize
      case "--canvas": canvas = size(arguments[i + 1]) ?? canvas
      default: break
      }
      i += 2
    }
    // Two different frames per source, alternated, so every composite redraws every cell.
    let frames: [[PixelBuffer]] = (0..<sources).map { s in
      (0..<2).map { n in
        let b = PixelBuffer(size: sourceSize)
        TestPattern.draw(TestPatternStamp(frame: n, tag: s, timestampMs: Int64(n)), into: b)
        return b
      }
    }
    let rects = GridCompositor().layout(sourceSizes: Array(repeating: sourceSize, count: sources), canvas: canvas)
    let renderer = CompositeRenderer(canvas: canvas)
    func measure(copy: Bool) -> (fps: Double, count: Int) {
      var count = 0
      let start = MonotonicClock.monotonicNowNs()
      var elapsed = 0.0
      var sink = 0
      while elapsed < seconds {
        let out = renderer.render(frames: frames.map { $0[count & 1] }, rects: rects)
        if copy {
          let c = out.copy()
          withExtendedLifetime(c) { sink &+= Int(c.pixels[count % c.width]) }
        }
        count += 1
        elapsed = Double(MonotonicClock.monotonicNowNs() - start) / 1e9
      }
      if sink == 42 { print("") }  // keeps the copies from being optimised away
      return (Double(count) / elapsed, count)
    }
    _ = measure(copy: false)  // warm-up: page in buffers, build scale tables
    let composite = measure(copy: false)
    let withCopy = measure(copy: true)
    // The screenshot thumbnail is made on the tick, from the canvas: what it costs the tick.
    let canvasImage = renderer.render(frames: frames.map { $0[0] }, rects: rects)
    let thumbStart = MonotonicClock.monotonicNowNs()
    var thumbs = 0
    while thumbs < 20 || MonotonicClock.monotonicNowNs() - thumbStart < 500_000_000 {
      withExtendedLifetime(PerceptualHash.thumbnail(canvasImage)) {}
      thumbs += 1
    }
    let thumbnailMs = Double(MonotonicClock.monotonicNowNs() - thumbStart) / 1e6 / Double(thumbs)
    let checked = (0..<sources).allSatisfy { s in
      TestPattern.decode(renderer.render(frames: frames.map { $0[0] }, rects: rects), in: rects[s]!)?.tag == s
    }
    let result: [String: Any] = [
      "sources": sources, "sourceSize": "\(sourceSize)", "canvas": "\(canvas)", "threads": 1,
      "compositeFps": (composite.fps * 10).rounded() / 10, "compositePlusCopyFps": (withCopy.fps * 10).rounded() / 10,
      "frames": composite.count + withCopy.count, "readBackOk": checked,
      "thumbnailMs": (thumbnailMs * 100).rounded() / 100,
    ]
    if let data = try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]) {
      print(String(decoding: data, as: UTF8.self))
    }
  }
}
