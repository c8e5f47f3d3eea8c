// Exact layout rectangles for every compositor, and the invariants every layout keeps.
import CaptureCore
import XCTest

final class CompositorLayoutTests: XCTestCase {
  let hd = PixelSize(width: 1280, height: 720)
  let canvas = PixelSize(width: 1920, height: 1080)

  func rect(_ x: Int, _ y: Int, _ w: Int, _ h: Int) -> PixelRect { PixelRect(x: x, y: y, width: w, height: h) }

  func testGridShapesForOneToNineSources() {
    let expected = [(1, 1), (2, 1), (2, 2), (2, 2), (3, 2), (3, 2), (3, 3), (3, 3), (3, 3)]
    for (i, e) in expected.enumerated() {
      let g = GridCompositor.grid(for: i + 1)
      XCTAssertEqual(g.columns, e.0, "columns for \(i + 1)")
      XCTAssertEqual(g.rows, e.1, "rows for \(i + 1)")
    }
  }

  func testGridOfFourHDSourcesFillsQuadrants() {
    let rects = GridCompositor().layout(sourceSizes: Array(repeating: hd, count: 4), canvas: canvas)
    XCTAssertEqual(rects, [rect(0, 0, 960, 540), rect(960, 0, 960, 540), rect(0, 540, 960, 540), rect(960, 540, 960, 540)])
  }

  func testGridOfOneFourByThreeSourceIsPillarboxed() {
    let rects = GridCompositor().layout(sourceSizes: [PixelSize(width: 800, height: 600)], canvas: canvas)
    XCTAssertEqual(rects, [rect(240, 0, 1440, 1080)])
  }

  func testGridOfTwoIsSideBySideCellsLetterboxed() {
    let rects = GridCompositor().layout(sourceSizes: [hd, hd], canvas: canvas)
    XCTAssertEqual(rects, [rect(0, 270, 960, 540), rect(960, 270, 960, 540)])
  }

  func testGridOfThreeLeavesLastCellEmpty() {
    let rects = GridCompositor().layout(sourceSizes: [hd, hd, hd], canvas: canvas)
    XCTAssertEqual(rects, [rect(0, 0, 960, 540), rect(960, 0, 960, 540), rect(0, 540, 960, 540)])
  }

  func testGridOfFiveUsesThreeByTwo() {
    let rects = GridCompositor().layout(sourceSizes: Array(repeating: hd, count: 5), canvas: canvas)
    XCTAssertEqual(rects, [
      rect(0, 90, 640, 360), rect(640, 90, 640, 360), rect(1280, 90, 640, 360),
      rect(0, 630, 640, 360), rect(640, 630, 640, 360),
    ])
  }

  func testGridOfNineTilesExactly() {
    let rects = GridCompositor().layout(sourceSizes: Array(repeating: hd, count: 9), canvas: canvas)
    var expected: [PixelRect?] = []
    for r in 0..<3 { for c in 0..<3 { expected.append(rect(c * 640, r * 360, 640, 360)) } }
    XCTAssertEqual(rects, expected)
  }

  func testGridMixedSizesEachFitsItsCell() {
    let sizes = [PixelSize(width: 800, height: 600), PixelSize(width: 600, height: 800), PixelSize(width: 1920, height: 200)]
    let rects = GridCompositor().layout(sourceSizes: sizes, canvas: canvas)
    XCTAssertEqual(rects, [rect(120, 0, 720, 540), rect(1237, 0, 405, 540), rect(0, 760, 960, 100)])
  }

  func testSideBySideKeepsAspectAtCommonHeight() {
    let rects = SideBySideCompositor().layout(sourceSizes: [hd, PixelSize(width: 720, height: 1280)], canvas: canvas)
    XCTAssertEqual(rects, [rect(0, 130, 1458, 820), rect(1458, 130, 461, 820)])
  }

  func testSideBySideOfOneIsCentredFit() {
    let rects = SideBySideCompositor().layout(sourceSizes: [PixelSize(width: 800, height: 600)], canvas: canvas)
    XCTAssertEqual(rects, [rect(240, 0, 1440, 1080)])
  }

  func testPassthroughShowsOnlyTheFirstSource() {
    let rects = PassthroughCompositor().layout(sourceSizes: [hd, hd], canvas: PixelSize(width: 1280, height: 720))
    XCTAssertEqual(rects, [rect(0, 0, 1280, 720), nil])
  }

  func testEveryLayoutStaysInsideTheCanvasAndKeepsAspect() {
    var rng = SplitMix64(seed: 7)
    let compositors: [any FrameCompositor] = [GridCompositor(), SideBySideCompositor(), PassthroughCompositor()]
    for _ in 0..<300 {
      let n = Int(rng.next() % 9) + 1
      let sizes = (0..<n).map { _ in PixelSize(width: Int(rng.next() % 3000) + 16, height: Int(rng.next() % 2000) + 16) }
      let canvas = PixelSize(width: Int(rng.next() % 3000) + 64, height: Int(rng.next() % 2000) + 64)
      for c in compositors {
        let rects = c.layout(sourceSizes: sizes, canvas: canvas)
        XCTAssertEqual(rects.count, n)
        var shown: [PixelRect] = []
        for (i, r) in rects.enumerated() {
          guard let r else { continue }
          shown.append(r)
          XCTAssert(r.x >= 0 && r.y >= 0 && r.maxX <= canvas.width && r.maxY <= canvas.height, "\(c.kind) \(r) in \(canvas)")
          XCTAssert(r.width >= 1 && r.height >= 1)
          // Aspect kept to within one pixel of rounding.
          let expectedH = Double(r.width) * Double(sizes[i].height) / Double(sizes[i].width)
          let expectedW = Double(r.height) * Double(sizes[i].width) / Double(sizes[i].height)
          XCTAssert(abs(expectedH - Double(r.height)) <= 1.0 || abs(expectedW - Double(r.width)) <= 1.0, "\(c.kind) aspect \(sizes[i]) → \(r)")
        }
        for a in 0..<shown.count {
          for b in (a + 1)..<shown.count {
            let x = shown[a], y = shown[b]
            let overlap = x.x < y.maxX && y.x < x.maxX && x.y < y.maxY && y.y < x.maxY
            XCTAssertFalse(overlap, "\(c.kind) \(x) overlaps \(y)")
          }
        }
      }
    }
  }
}

/// Deterministic pseudo-random numbers for repeatable tests.
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in -range...range.
  mutating func jitter(_ range: Int64) -> Int64 {
    Int64(next() % UInt64(2 * range + 1)) - range
  }
}
