/** Numbers every component agrees on. Changing one is a protocol change. */

export const PROTOCOL_VERSION = 1;

/** The native messaging host's registered name (lower-case, dots, as Chrome requires). */
export const HOST_NAME = "com.sessions.host";

/** Chrome caps browser→host messages at 64 MiB; we check before allocating. */
export const MAX_INBOUND_FRAME_BYTES = 64 * 1024 * 1024;
/** Chrome kills the port on a host→browser message over 1 MiB. */
export const MAX_OUTBOUND_FRAME_BYTES = 1024 * 1024;
/**
 * Binary payloads (segments, screenshots) travel in parts of at most this many bytes before
 * base64. Not 768 KiB: base64 of 768 KiB is exactly 1 MiB, so with its JSON envelope the frame
 * would pass the 1 MiB cap and Chrome would close the port. 736 KiB leaves ~43 KB of envelope.
 */
export const MEDIA_PART_BYTES = 736 * 1024;

export const CHILD_READY_TIMEOUT_MS = 5_000;
export const CHILD_STOP_TIMEOUT_MS = 10_000;
/** After stdin EOF the host is gone within this. */
export const HOST_EXIT_AFTER_EOF_MS = 1_500;
export const START_TIMEOUT_MS = 5_000;
export const STOP_TIMEOUT_MS = 10_000;
/**
 * The host enforces START/STOP timeouts on its children and then reports TIMEOUT itself, naming
 * the child; the extension waits this much longer so that coded report arrives before its own
 * deadline instead of racing it.
 */
export const HOST_REPORT_GRACE_MS = 2_000;

/**
 * The recorder daemon (which owns the children, see PROTOCOL.md "Process model") keeps a session
 * recording this long with no extension attached — a service worker that stopped is woken by the
 * extension's SESSION_KEEPALIVE_MINUTES alarm well within it — then stops it, keeping its media
 * in the spool for the next connection.
 */
export const RECORDER_ORPHAN_GRACE_MS = 120_000;
/** With no connection and no session the daemon exits after this long. */
export const RECORDER_IDLE_EXIT_MS = 5_000;
/** Period of the alarm that wakes a stopped service worker while a session is active (Chrome's minimum). */
export const SESSION_KEEPALIVE_MINUTES = 0.5;

export const HEALTH_INTERVAL_MS = 1_000;
export const AUDIO_FILL_WARN = 0.9;
export const AUDIO_FILL_CLEAR = 0.7;

export const DEFAULT_SEGMENT_SECONDS = 10;
export const MIN_SEGMENT_SECONDS = 1;
export const MAX_SEGMENT_SECONDS = 60;
export const DEFAULT_FPS = 30;
export const MAX_FPS = 60;
export const MAX_VIDEO_SOURCES = 9;
export const AUDIO_SAMPLE_RATE = 48_000;
export const SCREENSHOT_INTERVAL_SECONDS = 5;
