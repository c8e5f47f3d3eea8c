// Output pixels of the renderer against a straightforward reference, test-pattern read-back
// from composites, and the skip-unchanged optimisation not leaving stale pixels.
import CaptureCore
import XCTest

final class CompositeRendererTests: XCTestCase {
  /// Reference, written plainly in floating point: nearest neighbour at pixel centres, or (when
  /// shrinking by a quarter or more) the mean of the 2×2 source pixels at the start of the
  /// destination pixel's footprint; background elsewhere.
  func reference(frames: [PixelBuffer?], rects: [PixelRect?], canvas: PixelSize, background: UInt32) -> PixelBuffer {
    let out = PixelBuffer(size: canvas)
    out.fill(background)
    for (f, r) in zip(frames, rects) {
      guard let f, let r else { continue }
      let shrink = Double(r.width) <= 0.75 * Double(f.width) && Double(r.height) <= 0.75 * Double(f.height)
      for dy in 0..<r.height {
        for dx in 0..<r.width {
          if shrink {
            let sx = min(f.width - 2, Int(Double(dx) * Double(f.width) / Double(r.width)))
            let sy = min(f.height - 2, Int(Double(dy) * Double(f.height) / Double(r.height)))
            var value: UInt32 = 0
            for shift: UInt32 in [0, 8, 16, 24] {
              var sum = 0
              for (x, y) in [(sx, sy), (sx + 1, sy), (sx, sy + 1), (sx + 1, sy + 1)] {
                sum += Int((f.pixel(x: x, y: y) >> shift) & 0xff)
              }
              value |= UInt32(sum / 4) << shift
            }
            out.setPixel(x: r.x + dx, y: r.y + dy, value)
          } else {
            let sx = min(f.width - 1, Int((Double(dx) + 0.5) * Double(f.width) / Double(r.width)))
            let sy = min(f.height - 1, Int((Double(dy) + 0.5) * Double(f.height) / Double(r.height)))
            out.setPixel(x: r.x + dx, y: r.y + dy, f.pixel(x: sx, y: sy))
          }
        }
      }
    }
    return out
  }

  /// Fraction of pixels whose channels differ by more than `tolerance`.
  func mismatch(_ a: PixelBuffer, _ b: PixelBuffer, tolerance: Int = 0) -> Double {
    XCTAssertEqual(a.size, b.size)
    var bad = 0
    for i in 0..<(a.width * a.height) {
      let p = a.pixels[i], q = b.pixels[i]
      for shift in stride(from: 0, to: 24, by: 8) {
        if abs(Int((p >> UInt32(shift)) & 0xff) - Int((q >> UInt32(shift)) & 0xff)) > tolerance { bad += 1; break }
      }
    }
    return Double(bad) / Double(a.width * a.height)
  }

  func pattern(_ size: PixelSize, frame: Int, tag: Int) -> PixelBuffer {
    let b = PixelBuffer(size: size)
    TestPattern.draw(TestPatternStamp(frame: frame, tag: tag, timestampMs: Int64(frame) * 33), into: b)
    return b
  }

  func testGridMatchesReferencePixels() {
    let canvas = PixelSize(width: 640, height: 360)
    let frames: [PixelBuffer?] = [
      pattern(PixelSize(width: 320, height: 180), frame: 1, tag: 0),
      pattern(PixelSize(width: 800, height: 600), frame: 2, tag: 1),
      pattern(PixelSize(width: 333, height: 500), frame: 3, tag: 2),
    ]
    let rects = GridCompositor().layout(sourceSizes: frames.map { $0!.size }, canvas: canvas)
    let renderer = CompositeRenderer(canvas: canvas)
    let out = renderer.render(frames: frames, rects: rects)
    let ref = reference(frames: frames, rects: rects, canvas: canvas, background: renderer.background)
    // Integer and floating-point sampling may pick a neighbouring pixel at a few edges, and the
    // packed average rounds each halving down (at most 1 off per channel).
    XCTAssertLessThan(mismatch(out, ref, tolerance: 1), 0.01)
  }

  func testShrinkingByHalfAveragesPixelPairs() {
    // A 1-pixel checkerboard shrunk 2× becomes flat grey (nearest neighbour would keep one colour).
    let src = PixelBuffer(width: 64, height: 64)
    for y in 0..<64 { for x in 0..<64 { src.setPixel(x: x, y: y, (x + y) % 2 == 0 ? TestPattern.white : TestPattern.black) } }
    let canvas = PixelSize(width: 32, height: 32)
    let out = CompositeRenderer(canvas: canvas).render(frames: [src], rects: [PixelRect(x: 0, y: 0, width: 32, height: 32)])
    for y in 0..<32 { for x in 0..<32 { XCTAssertEqual(out.pixel(x: x, y: y) & 0xFFFFFF, 0x7F7F7F, "(\(x),\(y))") } }
    let ref = reference(frames: [src], rects: [PixelRect(x: 0, y: 0, width: 32, height: 32)], canvas: canvas, background: 0)
    XCTAssertLessThan(mismatch(out, ref, tolerance: 1), 0.0001)
  }

  func testFramesCanBeReadBackFromEveryCell() {
    let canvas = PixelSize(width: 1920, height: 1080)
    for n in 1...9 {
      let frames: [PixelBuffer?] = (0..<n).map { pattern(PixelSize(width: 1280, height: 720), frame: 100 + $0, tag: $0) }
      let rects = GridCompositor().layout(sourceSizes: frames.map { $0!.size }, canvas: canvas)
      let out = CompositeRenderer(canvas: canvas).render(frames: frames, rects: rects)
      for i in 0..<n {
        let stamp = TestPattern.decode(out, in: rects[i]!)
        XCTAssertEqual(stamp, TestPatternStamp(frame: 100 + i, tag: i, timestampMs: Int64(100 + i) * 33), "grid of \(n), cell \(i)")
      }
    }
  }

  func testLetterboxIsBackgroundAndUnchangedFramesAreNotRedrawnStale() {
    let canvas = PixelSize(width: 400, height: 400)
    let renderer = CompositeRenderer(canvas: canvas, background: PixelBuffer.pack(r: 1, g: 2, b: 3))
    let a = pattern(PixelSize(width: 400, height: 200), frame: 1, tag: 3)
    let rects = PassthroughCompositor().layout(sourceSizes: [a.size], canvas: canvas)
    XCTAssertEqual(rects, [PixelRect(x: 0, y: 100, width: 400, height: 200)])
    var out = renderer.render(frames: [a], rects: rects)
    XCTAssertEqual(out.pixel(x: 5, y: 5), renderer.background)
    XCTAssertEqual(out.pixel(x: 399, y: 399), renderer.background)
    // Same frame again: still right. New frame: new content. Layout change: old area cleared.
    out = renderer.render(frames: [a], rects: rects)
    XCTAssertEqual(TestPattern.decode(out, in: rects[0]!)?.frame, 1)
    let b = pattern(PixelSize(width: 400, height: 200), frame: 2, tag: 3)
    out = renderer.render(frames: [b], rects: rects)
    XCTAssertEqual(TestPattern.decode(out, in: rects[0]!)?.frame, 2)
    let small = [PixelRect(x: 100, y: 150, width: 200, height: 100)] as [PixelRect?]
    out = renderer.render(frames: [b], rects: small)
    XCTAssertEqual(out.pixel(x: 10, y: 120), renderer.background)
    XCTAssertEqual(TestPattern.decode(out, in: small[0]!)?.frame, 2)
    XCTAssertEqual(mismatch(out, reference(frames: [b], rects: small, canvas: canvas, background: renderer.background)), 0)
  }

  func testMissingFrameLeavesBackground() {
    let canvas = PixelSize(width: 200, height: 100)
    let renderer = CompositeRenderer(canvas: canvas)
    let rects = GridCompositor().layout(sourceSizes: [PixelSize(width: 100, height: 100), PixelSize(width: 100, height: 100)], canvas: canvas)
    let out = renderer.render(frames: [pattern(PixelSize(width: 100, height: 100), frame: 5, tag: 1), nil], rects: rects)
    XCTAssertEqual(out.pixel(x: 150, y: 50), renderer.background)
    XCTAssertEqual(TestPattern.decode(out, in: rects[0]!)?.frame, 5)
  }

  func testTestPatternRoundTripAndChecksum() {
    let b = pattern(PixelSize(width: 64, height: 48), frame: 0xABCDE, tag: 9)
    XCTAssertEqual(TestPattern.decode(b, in: PixelRect(x: 0, y: 0, width: 64, height: 48)),
                   TestPatternStamp(frame: 0xABCDE, tag: 9, timestampMs: Int64(0xABCDE) * 33))
    // Flip one code cell: the checksum must reject it.
    b.fill(PixelRect(x: 0, y: 0, width: 4, height: 3), b.pixel(x: 1, y: 1) == TestPattern.white ? TestPattern.black : TestPattern.white)
    XCTAssertNil(TestPattern.decode(b, in: PixelRect(x: 0, y: 0, width: 64, height: 48)))
  }

  func testPerceptualHash() {
    let a = pattern(PixelSize(width: 640, height: 360), frame: 1, tag: 0)
    let same = pattern(PixelSize(width: 640, height: 360), frame: 1, tag: 0)
    let flat = PixelBuffer(width: 640, height: 360)
    flat.fill(PixelBuffer.pack(r: 90, g: 90, b: 90))
    let ha = PerceptualHash.dHash(a)
    XCTAssertEqual(ha.count, 16)
    XCTAssertNotNil(ha.range(of: "^[0-9a-f]{16}$", options: .regularExpression))
    XCTAssertEqual(ha, PerceptualHash.dHash(same))
    XCTAssertEqual(PerceptualHash.dHash(flat), "0000000000000000")
    XCTAssertGreaterThan(PerceptualHash.hammingDistance(ha, PerceptualHash.dHash(flat)), 4)
    // The thumbnail hashes (nearly) like the full image.
    let thumb = PerceptualHash.thumbnail(a)
    XCTAssertEqual(thumb.size, PixelSize(width: 320, height: 180))
    XCTAssertLessThanOrEqual(PerceptualHash.hammingDistance(ha, PerceptualHash.dHash(thumb)), 4)
  }

  func testH264LevelAndMime() {
    XCTAssertEqual(EncoderSettings(size: PixelSize(width: 1920, height: 1080), fps: 30).mime, "video/mp4;codecs=avc1.640028")
    XCTAssertEqual(EncoderSettings(size: PixelSize(width: 1920, height: 1080), fps: 60).mime, "video/mp4;codecs=avc1.64002a")
    XCTAssertEqual(EncoderSettings(size: PixelSize(width: 1280, height: 720), fps: 30).mime, "video/mp4;codecs=avc1.64001f")
    XCTAssertEqual(EncoderSettings(size: PixelSize(width: 3840, height: 2160), fps: 30).mime, "video/mp4;codecs=avc1.640033")
    XCTAssertEqual(EncoderSettings(size: PixelSize(width: 1920, height: 1080), fps: 30).bitrate, 4_354_560)
  }
}
