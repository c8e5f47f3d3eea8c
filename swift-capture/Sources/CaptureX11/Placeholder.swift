// CaptureX11
