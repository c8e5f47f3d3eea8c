// CaptureProtocol
