// CaptureFFmpeg
