// The shared error-code enum (shared/src/error-codes.ts), spelled the same; append-only.

public enum ErrorCode: String, Codable, Sendable, CaseIterable {
  case badRequest = "BAD_REQUEST"
  case malformedJSON = "MALFORMED_JSON"
  case unknownType = "UNKNOWN_TYPE"
  case messageTooLarge = "MESSAGE_TOO_LARGE"
  case unsupportedProtocol = "UNSUPPORTED_PROTOCOL"
  case forbiddenOrigin = "FORBIDDEN_ORIGIN"
  case notFound = "NOT_FOUND"
  case permissionDenied = "PERMISSION_DENIED"
  case sourceUnavailable = "SOURCE_UNAVAILABLE"
  case invalidState = "INVALID_STATE"
  case busy = "BUSY"
  case timeout = "TIMEOUT"
  case childCrashed = "CHILD_CRASHED"
  case diskFull = "DISK_FULL"
  case quotaExceeded = "QUOTA_EXCEEDED"
  case checksumMismatch = "CHECKSUM_MISMATCH"
  case hostNotFound = "HOST_NOT_FOUND"
  case hostForbidden = "HOST_FORBIDDEN"
  case hostDisconnected = "HOST_DISCONNECTED"
  case policyForbidden = "POLICY_FORBIDDEN"
  case encoderFailed = "ENCODER_FAILED"
  case `internal` = "INTERNAL"
}

/// Every failure that crosses a module boundary: a shared code plus a message for people.
public struct CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
  public let code: ErrorCode
  public let message: String
  public init(_ code: ErrorCode, _ message: String) {
    self.code = code
    self.message = message
  }
  public var description: String { "\(code.rawValue): \(message)" }
}
