// Draws sources into a persistent canvas at the rectangles a compositor chose, scaling through
// precomputed index tables (one per source size and rectangle): nearest neighbour when enlarging or
// shrinking a little, a 2×2 box average when shrinking by a quarter or more (so text in a window
// shown at half size stays legible instead of losing every other line).
// Work is skipped where nothing changed: a source whose frame and rectangle are the same as last
// time is not redrawn, and letterbox bars are painted only when the layout changes.

public final class CompositeRenderer {
  public let canvas: PixelBuffer
  public let background: UInt32
  private var lastRects: [PixelRect?] = []
  private var lastFrames: [ObjectIdentifier?] = []
  private var plans: [PlanKey: ScalePlan] = [:]
  private var needsClear = true

  struct PlanKey: Hashable {
    let source: PixelSize
    let rect: PixelRect
  }

  /// Source x per destination column and source row per destination row.
  final class ScalePlan {
    let xTable: [Int32]
    let yTable: [Int32]
    /// Box-filtered: the tables hold the first of two neighbouring source pixels to average.
    let filtered: Bool
    init(source: PixelSize, rect: PixelRect) {
      filtered = rect.width * 4 <= source.width * 3 && rect.height * 4 <= source.height * 3
      if filtered {
        xTable = ScalePlan.startTable(from: source.width, to: rect.width)
        yTable = ScalePlan.startTable(from: source.height, to: rect.height)
      } else {
        xTable = ScalePlan.table(from: source.width, to: rect.width)
        yTable = ScalePlan.table(from: source.height, to: rect.height)
      }
    }

    /// First source index covered by each destination index, leaving room for its neighbour.
    static func startTable(from sourceLength: Int, to destinationLength: Int) -> [Int32] {
      var out = [Int32](repeating: 0, count: destinationLength)
      for d in 0..<destinationLength {
        out[d] = Int32(min(sourceLength - 2, d * sourceLength / destinationLength))
      }
      return out
    }

    /// Nearest source index for each destination index (sampling at pixel centres).
    static func table(from sourceLength: Int, to destinationLength: Int) -> [Int32] {
      var out = [Int32](repeating: 0, count: destinationLength)
      for d in 0..<destinationLength {
        let s: Int = (2 * d + 1) * sourceLength / (2 * destinationLength)
        out[d] = Int32(min(sourceLength - 1, s))
      }
      return out
    }
  }

  public init(canvas size: PixelSize, background: UInt32 = PixelBuffer.pack(r: 0, g: 0, b: 0)) {
    canvas = PixelBuffer(size: size)
    self.background = background
    canvas.fill(background)
  }

  /// Forces a full redraw at the next render.
  public func invalidate() {
    needsClear = true
  }

  /// Renders `frames` (nil: not yet available) at `rects` (nil: not shown). Returns the canvas.
  @discardableResult
  public func render(frames: [PixelBuffer?], rects: [PixelRect?]) -> PixelBuffer {
    precondition(frames.count == rects.count)
    canvas.generation += 1
    if rects != lastRects { needsClear = true }
    if needsClear {
      canvas.fill(background)
      lastFrames = Array(repeating: nil, count: frames.count)
      plans = plans.filter { key, _ in rects.contains { $0 == key.rect } }
    }
    if lastFrames.count != frames.count { lastFrames = Array(repeating: nil, count: frames.count) }
    for i in frames.indices {
      guard let rect = rects[i], rect.width > 0, rect.height > 0 else { continue }
      guard let frame = frames[i] else {
        if needsClear == false && lastFrames[i] != nil { canvas.fill(rect, background) }
        lastFrames[i] = nil
        continue
      }
      let identity = ObjectIdentifier(frame)
      if !needsClear && lastFrames[i] == identity { continue }
      draw(frame, at: rect)
      lastFrames[i] = identity
    }
    lastRects = rects
    needsClear = false
    return canvas
  }

  private func draw(_ source: PixelBuffer, at rect: PixelRect) {
    let clipped = PixelRect(
      x: max(0, rect.x), y: max(0, rect.y),
      width: min(canvas.width, rect.maxX) - max(0, rect.x), height: min(canvas.height, rect.maxY) - max(0, rect.y))
    guard clipped.width > 0, clipped.height > 0, clipped == rect else {
      // Rectangles from the compositors always lie inside the canvas; anything else is skipped.
      return
    }
    let key = PlanKey(source: source.size, rect: rect)
    let plan: ScalePlan
    if let p = plans[key] {
      plan = p
    } else {
      plan = ScalePlan(source: source.size, rect: rect)
      plans[key] = plan
    }
    let src = source.pixels, dst = canvas.pixels
    let sw = source.width, dw = canvas.width
    let sameWidth = rect.width == source.width
    if plan.filtered {
      drawFiltered(source, at: rect, plan: plan)
      return
    }
    plan.xTable.withUnsafeBufferPointer { xt in
      plan.yTable.withUnsafeBufferPointer { yt in
        var prevSy: Int32 = -1
        for dy in 0..<rect.height {
          let sy = yt[dy]
          let dRow = dst + (rect.y + dy) * dw + rect.x
          if sy == prevSy {
            dRow.update(from: dRow - dw, count: rect.width)
            continue
          }
          prevSy = sy
          let sRow = src + Int(sy) * sw
          if sameWidth {
            dRow.update(from: sRow, count: rect.width)
          } else {
            for dx in 0..<rect.width { dRow[dx] = sRow[Int(xt[dx])] }
          }
        }
      }
    }
  }

  /// Average of four BGRA pixels per channel (SWAR: no unpacking; rounds down).
  @inline(__always)
  static func average(_ a: UInt32, _ b: UInt32) -> UInt32 {
    (a & b) &+ (((a ^ b) & 0xFEFE_FEFE) >> 1)
  }

  private func drawFiltered(_ source: PixelBuffer, at rect: PixelRect, plan: ScalePlan) {
    let src = source.pixels, dst = canvas.pixels
    let sw = source.width, dw = canvas.width
    if sw == 2 * rect.width {
      // Exactly half as wide (a 1080p window in a 2×2 grid): contiguous pairs, no table lookups,
      // which the compiler vectorizes.
      plan.yTable.withUnsafeBufferPointer { yt in
        for dy in 0..<rect.height {
          let row0 = src + Int(yt[dy]) * sw
          let row1 = row0 + sw
          let dRow = dst + (rect.y + dy) * dw + rect.x
          for dx in 0..<rect.width {
            let x = 2 * dx
            dRow[dx] = Self.average(Self.average(row0[x], row0[x + 1]), Self.average(row1[x], row1[x + 1]))
          }
        }
      }
      return
    }
    plan.xTable.withUnsafeBufferPointer { xt in
      plan.yTable.withUnsafeBufferPointer { yt in
        for dy in 0..<rect.height {
          let row0 = src + Int(yt[dy]) * sw
          let row1 = row0 + sw
          let dRow = dst + (rect.y + dy) * dw + rect.x
          for dx in 0..<rect.width {
            let x = Int(xt[dx])
            dRow[dx] = Self.average(Self.average(row0[x], row0[x + 1]), Self.average(row1[x], row1[x + 1]))
          }
        }
      }
    }
  }
}
