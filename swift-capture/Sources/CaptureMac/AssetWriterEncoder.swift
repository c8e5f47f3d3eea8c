// H.264 in fragmented MP4 with AVAssetWriter (movieFragmentInterval = 1 s, keyframe every second),
// one writer per segment, written to `<name>.part` and renamed when finished — the same contract
// as the ffmpeg encoder on Linux. UNCOMPILED here (Linux); see MacSourceFactory.swift.
#if os(macOS)
import AVFoundation
import CaptureCore
import CoreGraphics
import CoreVideo
import Foundation
import ImageIO

public struct AssetWriterEncoder: VideoEncoder {
  public init() {}

  public func mime(for settings: EncoderSettings) -> String { settings.mime }

  public func openSegment(seq: Int, path: String, settings: EncoderSettings) throws -> any SegmentWriter {
    try AssetWriterSegment(seq: seq, path: path, settings: settings)
  }
}

final class AssetWriterSegment: SegmentWriter, @unchecked Sendable {
  let seq: Int
  let path: String
  let settings: EncoderSettings
  private let writer: AVAssetWriter
  private let input: AVAssetWriterInput
  private let adaptor: AVAssetWriterInputPixelBufferAdaptor
  private let lock = NSLock()
  private var frameIndex: Int64 = 0
  private var closed = false

  init(seq: Int, path: String, settings: EncoderSettings) throws {
    self.seq = seq
    self.path = path
    self.settings = settings
    let url = URL(fileURLWithPath: path + ".part")
    try? FileManager.default.removeItem(at: url)
    do {
      writer = try AVAssetWriter(outputURL: url, fileType: .mp4)
    } catch {
      throw CaptureError(.encoderFailed, "AVAssetWriter: \(error.localizedDescription)")
    }
    writer.movieFragmentInterval = CMTime(value: 1, timescale: 1)
    writer.shouldOptimizeForNetworkUse = false
    let compression: [String: Any] = [
      AVVideoAverageBitRateKey: settings.bitrate,
      AVVideoMaxKeyFrameIntervalKey: settings.fps,
      AVVideoExpectedSourceFrameRateKey: settings.fps,
      AVVideoProfileLevelKey: AVVideoProfileLevelH264HighAutoLevel,
      AVVideoAllowFrameReorderingKey: false,
    ]
    input = AVAssetWriterInput(mediaType: .video, outputSettings: [
      AVVideoCodecKey: AVVideoCodecType.h264,
      AVVideoWidthKey: settings.size.width,
      AVVideoHeightKey: settings.size.height,
      AVVideoCompressionPropertiesKey: compression,
    ])
    input.expectsMediaDataInRealTime = true
    adaptor = AVAssetWriterInputPixelBufferAdaptor(assetWriterInput: input, sourcePixelBufferAttributes: [
      kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_32BGRA,
      kCVPixelBufferWidthKey as String: settings.size.width,
      kCVPixelBufferHeightKey as String: settings.size.height,
    ])
    guard writer.canAdd(input) else { throw CaptureError(.encoderFailed, "AVAssetWriter refuses an H.264 input") }
    writer.add(input)
    guard writer.startWriting() else {
      throw CaptureError(.encoderFailed, "AVAssetWriter did not start: \(writer.error?.localizedDescription ?? "unknown")")
    }
    writer.startSession(atSourceTime: .zero)
  }

  func append(_ frame: PixelBuffer, count: Int) throws -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if closed { return true }
    if writer.status == .failed {
      throw CaptureError(.encoderFailed, "AVAssetWriter failed: \(writer.error?.localizedDescription ?? "unknown")")
    }
    guard input.isReadyForMoreMediaData, let pool = adaptor.pixelBufferPool else { return false }
    var out: CVPixelBuffer?
    guard CVPixelBufferPoolCreatePixelBuffer(nil, pool, &out) == kCVReturnSuccess, let image = out else { return false }
    CVPixelBufferLockBaseAddress(image, [])
    if let base = CVPixelBufferGetBaseAddress(image) {
      let stride = CVPixelBufferGetBytesPerRow(image)
      for row in 0..<frame.height {
        (base + row * stride).copyMemory(from: frame.bytes + row * frame.stride, byteCount: frame.stride)
      }
    }
    CVPixelBufferUnlockBaseAddress(image, [])
    for _ in 0..<count {
      let pts = CMTime(value: frameIndex, timescale: CMTimeScale(settings.fps))
      guard adaptor.append(image, withPresentationTime: pts) else {
        throw CaptureError(.encoderFailed, "AVAssetWriter append failed: \(writer.error?.localizedDescription ?? "unknown")")
      }
      frameIndex += 1
    }
    return true
  }

  var queuedFrames: Int { 0 }

  func finish() async throws -> EncodedSegment {
    let frames: Int = lock.withLock {
      closed = true
      input.markAsFinished()
      writer.endSession(atSourceTime: CMTime(value: frameIndex, timescale: CMTimeScale(settings.fps)))
      return Int(frameIndex)
    }
    let writer = self.writer
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      writer.finishWriting { c.resume() }
    }
    guard writer.status == .completed else {
      let message = writer.error?.localizedDescription ?? "unknown"
      let full = (writer.error as NSError?)?.code == NSFileWriteOutOfSpaceError
      throw CaptureError(full ? .diskFull : .encoderFailed, "segment \(seq): \(message)")
    }
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
    let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    return EncodedSegment(seq: seq, path: path, bytes: bytes, frames: frames)
  }

  func abort() {
    lock.withLock {
      closed = true
      writer.cancelWriting()
    }
    try? FileManager.default.removeItem(atPath: path + ".part")
  }
}

/// Screenshots as JPEG through ImageIO.
public struct ImageIOThumbnailWriter: ThumbnailWriter {
  public init() {}
  public var mime: String { "image/jpeg" }
  public var fileExtension: String { "jpg" }

  public func write(_ image: PixelBuffer, to path: String) async throws {
    let data = Data(bytes: image.bytes, count: image.byteCount)
    guard let provider = CGDataProvider(data: data as CFData),
      let cg = CGImage(
        width: image.width, height: image.height, bitsPerComponent: 8, bitsPerPixel: 32, bytesPerRow: image.stride,
        space: CGColorSpaceCreateDeviceRGB(),
        bitmapInfo: CGBitmapInfo(rawValue: CGImageAlphaInfo.noneSkipFirst.rawValue | CGBitmapInfo.byteOrder32Little.rawValue),
        provider: provider, decode: nil, shouldInterpolate: false, intent: .defaultIntent),
      let dest = CGImageDestinationCreateWithURL(URL(fileURLWithPath: path + ".part") as CFURL, "public.jpeg" as CFString, 1, nil)
    else { throw CaptureError(.encoderFailed, "cannot create a JPEG for \(path)") }
    CGImageDestinationAddImage(dest, cg, [kCGImageDestinationLossyCompressionQuality: 0.7] as CFDictionary)
    guard CGImageDestinationFinalize(dest) else { throw CaptureError(.diskFull, "cannot write \(path)") }
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
  }
}
#endif
