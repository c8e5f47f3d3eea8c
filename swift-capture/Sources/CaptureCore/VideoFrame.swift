// One captured image with its capture time on the session clock. Immutable once created.

public struct VideoFrame: Sendable {
  public let sourceId: String
  /// Per-source sequence number, from 0, increasing by one per delivered frame.
  public let sequence: Int
  /// Capture time, µs on the session clock (wall time: pauses are not removed here).
  public let timestampUs: Int64
  public let buffer: PixelBuffer

  public init(sourceId: String, sequence: Int, timestampUs: Int64, buffer: PixelBuffer) {
    self.sourceId = sourceId
    self.sequence = sequence
    self.timestampUs = timestampUs
    self.buffer = buffer
  }
}
