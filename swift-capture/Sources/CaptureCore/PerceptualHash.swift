// dHash: the 64-bit difference hash of an image — shrink to 9×8 grey, one bit per horizontal
// neighbour pair (left brighter than right). Similar images give hashes a few bits apart, so the
// timeline can tell a changed screen from a static one. Also the thumbnail downscale.

public enum PerceptualHash {
  /// 16 lowercase hex digits; bit 63 is the top-left pair.
  public static func dHash(_ image: PixelBuffer) -> String {
    let grey = areaAverageGrey(image, width: 9, height: 8)
    var hash: UInt64 = 0
    for y in 0..<8 {
      for x in 0..<8 {
        hash <<= 1
        if grey[y * 9 + x] > grey[y * 9 + x + 1] { hash |= 1 }
      }
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  public static func hammingDistance(_ a: String, _ b: String) -> Int {
    guard let x = UInt64(a, radix: 16), let y = UInt64(b, radix: 16) else { return 64 }
    return (x ^ y).nonzeroBitCount
  }

  /// Box-filtered grey image (luma ×256 averages) of `width`×`height`.
  static func areaAverageGrey(_ image: PixelBuffer, width: Int, height: Int) -> [Int] {
    var out = [Int](repeating: 0, count: width * height)
    for cy in 0..<height {
      let y0 = cy * image.height / height, y1 = max(y0 + 1, (cy + 1) * image.height / height)
      for cx in 0..<width {
        let x0 = cx * image.width / width, x1 = max(x0 + 1, (cx + 1) * image.width / width)
        // Sample at most 16×16 points per cell: plenty for a hash, and fast on 4K canvases.
        let sy = max(1, (y1 - y0) / 16), sx = max(1, (x1 - x0) / 16)
        var sum = 0, n = 0
        var y = y0
        while y < y1 {
          var x = x0
          while x < x1 {
            sum += image.luma(x: x, y: y)
            n += 1
            x += sx
          }
          y += sy
        }
        out[cy * width + cx] = n > 0 ? sum * 256 / n : 0
      }
    }
    return out
  }

  /// A thumbnail at most `maxWidth` wide (aspect kept, even dimensions), box-filtered.
  public static func thumbnail(_ image: PixelBuffer, maxWidth: Int = 320) -> PixelBuffer {
    let w = min(image.width, maxWidth)
    let size = PixelSize(width: w, height: max(2, image.height * w / image.width)).even
    let out = PixelBuffer(size: size)
    let src = image.pixels, dst = out.pixels
    for ty in 0..<size.height {
      let y0 = ty * image.height / size.height, y1 = max(y0 + 1, (ty + 1) * image.height / size.height)
      for tx in 0..<size.width {
        let x0 = tx * image.width / size.width, x1 = max(x0 + 1, (tx + 1) * image.width / size.width)
        var r = 0, g = 0, b = 0, n = 0
        for y in y0..<y1 {
          for x in x0..<x1 {
            let p = src[y * image.width + x]
            b += Int(p & 0xff)
            g += Int((p >> 8) & 0xff)
            r += Int((p >> 16) & 0xff)
            n += 1
          }
        }
        dst[ty * size.width + tx] = PixelBuffer.pack(r: UInt8(r / n), g: UInt8(g / n), b: UInt8(b / n))
      }
    }
    return out
  }
}
