//! The shared error-code enum (`shared/src/error-codes.ts`), spelled exactly as every other
//! component spells it. Append-only: a code keeps its meaning forever. Serde rejects any string
//! that is not in the list, so an unknown code never gets through a decode.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    MalformedJson,
    UnknownType,
    MessageTooLarge,
    UnsupportedProtocol,
    ForbiddenOrigin,
    NotFound,
    PermissionDenied,
    SourceUnavailable,
    InvalidState,
    Busy,
    Timeout,
    ChildCrashed,
    DiskFull,
    QuotaExceeded,
    ChecksumMismatch,
    HostNotFound,
    HostForbidden,
    HostDisconnected,
    PolicyForbidden,
    EncoderFailed,
    Internal,
}

impl ErrorCode {
    /// Codes a caller may retry after a while (`RETRYABLE_CODES` in TypeScript).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::Busy | Self::Timeout | Self::ChildCrashed | Self::HostDisconnected | Self::SourceUnavailable
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spells_codes_like_typescript() {
        let json = serde_json::to_string(&ErrorCode::SourceUnavailable).unwrap();
        assert_eq!(json, "\"SOURCE_UNAVAILABLE\"");
        let back: ErrorCode = serde_json::from_str("\"DISK_FULL\"").unwrap();
        assert_eq!(back, ErrorCode::DiskFull);
        assert!(serde_json::from_str::<ErrorCode>("\"OOPS\"").is_err());
        assert!(ErrorCode::SourceUnavailable.is_retryable());
        assert!(!ErrorCode::DiskFull.is_retryable());
    }
}
