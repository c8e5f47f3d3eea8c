// The synthetic test pattern: a frame that carries its own identity in pixels. The top quarter is a
// 16×4 grid of black/white cells encoding (frame number, source tag, timestamp in ms, checksum);
// below it the same numbers in a 5×7 pixel font, and a bar that moves every frame. Cells are large
// (1/16 of the width, 1/16 of the height), so the code survives scaling into a 3×3 grid and H.264.

public struct TestPatternStamp: Equatable, Sendable {
  /// 20 bits: wraps after ~9 h at 30 fps.
  public var frame: Int
  /// 4 bits: tells sources apart in a composite.
  public var tag: Int
  /// 32 bits of milliseconds on the session clock.
  public var timestampMs: Int64

  public init(frame: Int, tag: Int, timestampMs: Int64) {
    self.frame = frame
    self.tag = tag
    self.timestampMs = timestampMs
  }
}

public enum TestPattern {
  public static let columns = 16
  public static let rows = 4

  /// Background of each tag: distinct, mid-dark colours so white text and cells stand out.
  public static let palette: [UInt32] = {
    let rgb: [(Int, Int, Int)] = [
      (40, 60, 140), (140, 40, 40), (40, 120, 50), (120, 90, 20), (90, 40, 120), (20, 110, 120),
      (130, 60, 90), (70, 70, 70), (30, 80, 100), (100, 100, 30), (60, 30, 90), (110, 50, 20),
      (30, 100, 70), (90, 20, 60), (50, 90, 130), (80, 60, 40),
    ]
    var out: [UInt32] = []
    for (r, g, b) in rgb { out.append(PixelBuffer.pack(r: UInt8(r), g: UInt8(g), b: UInt8(b))) }
    return out
  }()

  public static let white = PixelBuffer.pack(r: 255, g: 255, b: 255)
  public static let black = PixelBuffer.pack(r: 0, g: 0, b: 0)

  static func bits(of stamp: TestPatternStamp) -> UInt64 {
    let data = UInt64(stamp.frame & 0xFFFFF) | UInt64(stamp.tag & 0xF) << 20
      | UInt64(UInt32(truncatingIfNeeded: stamp.timestampMs)) << 24
    return data | UInt64(checksum(data)) << 56
  }

  static func checksum(_ data: UInt64) -> UInt8 {
    var sum: UInt8 = 0x5A
    for i in 0..<7 { sum = sum &+ UInt8(truncatingIfNeeded: data >> (8 * UInt64(i))) &* UInt8(i + 1) }
    return sum
  }

  /// Rect of code cell `index` (0..<64) in a frame of `size`.
  static func cellRect(_ index: Int, in size: PixelSize) -> PixelRect {
    let col = index % columns, row = index / columns
    let x0 = col * size.width / columns, x1 = (col + 1) * size.width / columns
    let y0 = row * size.height / 16, y1 = (row + 1) * size.height / 16
    return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
  }

  /// Draws the whole pattern.
  public static func draw(_ stamp: TestPatternStamp, into buffer: PixelBuffer) {
    buffer.fill(palette[stamp.tag & 0xF])
    drawDynamicParts(stamp, into: buffer)
  }

  /// Draws only what changes between frames over a background already filled with the tag colour.
  public static func drawDynamicParts(_ stamp: TestPatternStamp, into buffer: PixelBuffer) {
    let size = buffer.size
    let code = bits(of: stamp)
    for i in 0..<(columns * rows) {
      buffer.fill(cellRect(i, in: size), (code >> UInt64(i)) & 1 == 1 ? white : black)
    }
    let scale = max(1, size.height / 60)
    let text = "F\(stamp.frame) T\(stamp.timestampMs / 1000).\(pad3(stamp.timestampMs % 1000))"
    PixelFont.draw(text, x: size.width / 32, y: size.height * 5 / 16, scale: scale, color: white, into: buffer)
    let barWidth = max(1, size.width / 32)
    let barX = (stamp.frame * max(1, size.width / 64)) % max(1, size.width - barWidth)
    buffer.fill(PixelRect(x: barX, y: size.height * 7 / 8, width: barWidth, height: size.height / 8), white)
  }

  private static func pad3(_ v: Int64) -> String {
    let s = String(v)
    return String(repeating: "0", count: max(0, 3 - s.count)) + s
  }

  /// Reads a stamp back from the region `rect` of `buffer` where a pattern was drawn (possibly
  /// scaled and lossy-compressed). Nil when the checksum does not match.
  public static func decode(_ buffer: PixelBuffer, in rect: PixelRect) -> TestPatternStamp? {
    var code: UInt64 = 0
    for i in 0..<(columns * rows) {
      let cell = cellRect(i, in: rect.size)
      let cx = rect.x + cell.x + cell.width / 2, cy = rect.y + cell.y + cell.height / 2
      guard cx >= 0, cy >= 0, cx < buffer.width, cy < buffer.height else { return nil }
      var sum = 0, n = 0
      for dy in -1...1 {
        for dx in -1...1 {
          let x = cx + dx, y = cy + dy
          if x >= rect.x + cell.x && x < rect.x + cell.x + cell.width && y >= rect.y + cell.y
            && y < rect.y + cell.y + cell.height && x < buffer.width && y < buffer.height
          {
            sum += buffer.luma(x: x, y: y)
            n += 1
          }
        }
      }
      if n > 0 && sum / n >= 128 { code |= 1 << UInt64(i) }
    }
    let data = code & 0x00FF_FFFF_FFFF_FFFF
    guard UInt8(code >> 56) == checksum(data) else { return nil }
    return TestPatternStamp(
      frame: Int(data & 0xFFFFF), tag: Int((data >> 20) & 0xF), timestampMs: Int64((data >> 24) & 0xFFFF_FFFF))
  }
}

/// A 5×7 bitmap font for the pattern's human-readable line (digits and a few letters).
enum PixelFont {
  static let glyphs: [Character: [UInt8]] = [
    "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
    "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
    "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
    "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
    "F": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10], "T": [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
    ".": [0, 0, 0, 0, 0, 0x0C, 0x0C], " ": [0, 0, 0, 0, 0, 0, 0],
  ]

  static func draw(_ text: String, x: Int, y: Int, scale: Int, color: UInt32, into buffer: PixelBuffer) {
    var penX = x
    for ch in text {
      if let rows = glyphs[ch] {
        for (row, bits) in rows.enumerated() {
          for col in 0..<5 where bits & (0x10 >> UInt8(col)) != 0 {
            buffer.fill(PixelRect(x: penX + col * scale, y: y + row * scale, width: scale, height: scale), color)
          }
        }
      }
      penX += 6 * scale
    }
  }
}
