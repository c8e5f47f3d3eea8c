// Draws sources into a persistent canvas at the rectangles a compositor chose, with
// nearest-neighbour scaling through precomputed index tables (one per source size and rectangle).
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
    init(source: PixelSize, rect: PixelRect) {
      xTable = ScalePlan.table(from: source.width, to: rect.width)
      yTable = ScalePlan.table(from: source.height, to: rect.height)
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
}
