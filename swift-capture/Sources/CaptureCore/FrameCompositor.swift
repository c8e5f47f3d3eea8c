// Compositors decide where each source goes on the canvas; CompositeRenderer draws it. A layout is
// a pure function of the sources' sizes and the canvas size, so tests check exact rectangles.
// Every rectangle lies inside the canvas, keeps its source's aspect ratio (to the pixel), and is
// centred in its space with letterbox bars around it.

public enum LayoutKind: String, Codable, Sendable, CaseIterable {
  case passthrough
  case grid
  case sideBySide = "side-by-side"
}

public protocol FrameCompositor: Sendable {
  var kind: LayoutKind { get }
  /// Destination rectangle of each source (same order); nil for a source not shown.
  func layout(sourceSizes: [PixelSize], canvas: PixelSize) -> [PixelRect?]
}

public func makeCompositor(_ kind: LayoutKind) -> any FrameCompositor {
  switch kind {
  case .passthrough: PassthroughCompositor()
  case .grid: GridCompositor()
  case .sideBySide: SideBySideCompositor()
  }
}

/// The largest rectangle with `source`'s aspect ratio inside `space`, centred.
public func aspectFit(_ source: PixelSize, in space: PixelRect) -> PixelRect {
  guard source.width > 0, source.height > 0, space.width > 0, space.height > 0 else {
    return PixelRect(x: space.x, y: space.y, width: 0, height: 0)
  }
  // Compare source.w/source.h with space.w/space.h in integers to avoid rounding surprises.
  var w: Int, h: Int
  if source.width * space.height >= space.width * source.height {
    w = space.width
    h = max(1, (source.height * space.width + source.width / 2) / source.width)
  } else {
    h = space.height
    w = max(1, (source.width * space.height + source.height / 2) / source.height)
  }
  w = min(w, space.width)
  h = min(h, space.height)
  return PixelRect(x: space.x + (space.width - w) / 2, y: space.y + (space.height - h) / 2, width: w, height: h)
}

/// The first source, aspect-fit to the whole canvas; the others are not shown.
public struct PassthroughCompositor: FrameCompositor {
  public init() {}
  public var kind: LayoutKind { .passthrough }
  public func layout(sourceSizes: [PixelSize], canvas: PixelSize) -> [PixelRect?] {
    sourceSizes.enumerated().map { i, size in
      i == 0 ? aspectFit(size, in: PixelRect(x: 0, y: 0, width: canvas.width, height: canvas.height)) : nil
    }
  }
}

/// 1×1, 2×1, 2×2, 3×2 or 3×3 equal cells (columns × rows) for 1–9 sources, filled row by row.
public struct GridCompositor: FrameCompositor {
  public init() {}
  public var kind: LayoutKind { .grid }

  public static func grid(for count: Int) -> (columns: Int, rows: Int) {
    switch count {
    case ...1: (1, 1)
    case 2: (2, 1)
    case 3...4: (2, 2)
    case 5...6: (3, 2)
    default: (3, 3)
    }
  }

  public static func cell(_ index: Int, columns: Int, rows: Int, canvas: PixelSize) -> PixelRect {
    let c = index % columns, r = index / columns
    let x0 = c * canvas.width / columns, x1 = (c + 1) * canvas.width / columns
    let y0 = r * canvas.height / rows, y1 = (r + 1) * canvas.height / rows
    return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
  }

  public func layout(sourceSizes: [PixelSize], canvas: PixelSize) -> [PixelRect?] {
    let (columns, rows) = Self.grid(for: sourceSizes.count)
    return sourceSizes.enumerated().map { i, size in
      i < columns * rows ? aspectFit(size, in: Self.cell(i, columns: columns, rows: rows, canvas: canvas)) : nil
    }
  }
}

/// All sources in one row at one common height (each keeps its aspect ratio), the row as large as
/// fits and centred.
public struct SideBySideCompositor: FrameCompositor {
  public init() {}
  public var kind: LayoutKind { .sideBySide }

  public func layout(sourceSizes: [PixelSize], canvas: PixelSize) -> [PixelRect?] {
    let valid = sourceSizes.filter { $0.width > 0 && $0.height > 0 }
    guard !valid.isEmpty else { return sourceSizes.map { _ in nil } }
    // Row width at height h is h * Σ(w_i/h_i); pick the largest h with the row inside the canvas.
    let sumAspect = valid.reduce(0.0) { $0 + Double($1.width) / Double($1.height) }
    var h = min(canvas.height, Int(Double(canvas.width) / sumAspect))
    var widths: [Int] = []
    while h > 0 {
      widths = sourceSizes.map { s in
        s.width > 0 && s.height > 0 ? max(1, (s.width * h + s.height / 2) / s.height) : 0
      }
      if widths.reduce(0, +) <= canvas.width { break }
      h -= 1
    }
    h = max(1, h)
    let total = widths.reduce(0, +)
    var x = (canvas.width - total) / 2
    let y = (canvas.height - h) / 2
    return sourceSizes.indices.map { i in
      guard widths[i] > 0 else { return nil }
      defer { x += widths[i] }
      return PixelRect(x: x, y: y, width: widths[i], height: h)
    }
  }
}
