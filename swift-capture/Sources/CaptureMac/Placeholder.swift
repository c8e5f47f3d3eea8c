// CaptureMac
