// A camera through AVCaptureSession, BGRA frames from AVCaptureVideoDataOutput.
// UNCOMPILED here (Linux); see MacSourceFactory.swift.
#if os(macOS)
import AVFoundation
import CaptureCore
import Foundation

final class WebcamSource: NSObject, RecordingSource, AVCaptureVideoDataOutputSampleBufferDelegate, @unchecked Sendable {
  let id: String
  let kind: SourceKind = .webcam
  private let session = AVCaptureSession()
  private let output = AVCaptureVideoDataOutput()
  private let queue = DispatchQueue(label: "swift-capture.webcam")
  private let lock = NSLock()
  private var sink: FrameSink?
  private var clock: (any SessionClock)?
  private var sequence = 0
  private var currentSize: PixelSize

  init(id: String, device: AVCaptureDevice) throws {
    self.id = id
    let dims = CMVideoFormatDescriptionGetDimensions(device.activeFormat.formatDescription)
    currentSize = PixelSize(width: Int(dims.width), height: Int(dims.height))
    super.init()
    guard AVCaptureDevice.authorizationStatus(for: .video) != .denied else {
      throw CaptureError(.permissionDenied, "camera access is not permitted")
    }
    do {
      let input = try AVCaptureDeviceInput(device: device)
      guard session.canAddInput(input) else { throw CaptureError(.sourceUnavailable, "camera \(id) is busy") }
      session.addInput(input)
    } catch let e as CaptureError {
      throw e
    } catch {
      throw CaptureError(.sourceUnavailable, "camera \(id): \(error.localizedDescription)")
    }
    output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_32BGRA]
    output.alwaysDiscardsLateVideoFrames = true
    output.setSampleBufferDelegate(self, queue: queue)
    guard session.canAddOutput(output) else { throw CaptureError(.sourceUnavailable, "camera \(id) has no video output") }
    session.addOutput(output)
  }

  var size: PixelSize { lock.withLock { currentSize } }

  func start(clock: any SessionClock, fps: Int, sink: FrameSink) throws {
    lock.withLock {
      self.sink = sink
      self.clock = clock
    }
    session.startRunning()
  }

  func stop() {
    lock.withLock { sink = nil }
    session.stopRunning()
  }

  func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
    guard let image = sampleBuffer.imageBuffer, let buffer = copyPixels(image) else { return }
    let (sink, clock, n) = lock.withLock { () -> (FrameSink?, (any SessionClock)?, Int) in
      let n = sequence
      sequence += 1
      currentSize = buffer.size
      return (self.sink, self.clock, n)
    }
    guard let sink, let clock else { return }
    sink.deliver(VideoFrame(sourceId: id, sequence: n, timestampUs: clock.nowUs(), buffer: buffer))
  }
}
#endif
