// One ScreenCaptureKit stream (a display or a window). ScreenCaptureKit delivers only changed
// frames; idle and blank frames are ignored, so the synchronizer holds the last one.
// UNCOMPILED here (Linux); see MacSourceFactory.swift.
#if os(macOS)
import CaptureCore
import CoreMedia
import Foundation
import ScreenCaptureKit

final class ScreenCaptureSource: NSObject, RecordingSource, SCStreamOutput, SCStreamDelegate, @unchecked Sendable {
  let id: String
  let kind: SourceKind
  private let filter: SCContentFilter
  private let queue = DispatchQueue(label: "swift-capture.sck")
  private let lock = NSLock()
  private var stream: SCStream?
  private var sink: FrameSink?
  private var clock: (any SessionClock)?
  private var sequence = 0
  private var currentSize: PixelSize

  init(id: String, kind: SourceKind, filter: SCContentFilter, size: PixelSize) {
    self.id = id
    self.kind = kind
    self.filter = filter
    self.currentSize = size
  }

  var size: PixelSize { lock.withLock { currentSize } }

  func start(clock: any SessionClock, fps: Int, sink: FrameSink) throws {
    let config = SCStreamConfiguration()
    config.width = size.width
    config.height = size.height
    config.minimumFrameInterval = CMTime(value: 1, timescale: CMTimeScale(fps))
    config.pixelFormat = kCVPixelFormatType_32BGRA
    config.queueDepth = 5
    config.showsCursor = true
    let stream = SCStream(filter: filter, configuration: config, delegate: self)
    do {
      try stream.addStreamOutput(self, type: .screen, sampleHandlerQueue: queue)
    } catch {
      throw CaptureError(.sourceUnavailable, "cannot add a stream output for \(id): \(error.localizedDescription)")
    }
    lock.withLock {
      self.stream = stream
      self.sink = sink
      self.clock = clock
    }
    stream.startCapture { [weak self] error in
      if let error { self?.lock.withLock { self?.sink }?.markLost("capture did not start: \(error.localizedDescription)") }
    }
  }

  func stop() {
    let stream = lock.withLock {
      let s = self.stream
      self.stream = nil
      self.sink = nil
      return s
    }
    stream?.stopCapture { _ in }
  }

  func stream(_ stream: SCStream, didOutputSampleBuffer sampleBuffer: CMSampleBuffer, of type: SCStreamOutputType) {
    guard type == .screen, sampleBuffer.isValid else { return }
    guard
      let attachments = CMSampleBufferGetSampleAttachmentsArray(sampleBuffer, createIfNecessary: false)
        as? [[SCStreamFrameInfo: Any]],
      let rawStatus = attachments.first?[.status] as? Int,
      SCFrameStatus(rawValue: rawStatus) == .complete,
      let image = sampleBuffer.imageBuffer,
      let buffer = copyPixels(image)
    else { return }
    let (sink, clock, n) = lock.withLock { () -> (FrameSink?, (any SessionClock)?, Int) in
      let n = sequence
      sequence += 1
      currentSize = buffer.size
      return (self.sink, self.clock, n)
    }
    guard let sink, let clock else { return }
    sink.deliver(VideoFrame(sourceId: id, sequence: n, timestampUs: clock.nowUs(), buffer: buffer))
  }

  func stream(_ stream: SCStream, didStopWithError error: any Error) {
    lock.withLock { sink }?.markLost(error.localizedDescription)
  }
}
#endif
