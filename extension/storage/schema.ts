import type { DBSchema } from "idb";
import type {
  RuntimeRecord,
  ScreenshotRecord,
  SegmentRecord,
  SessionRecord,
  SettingsRecord,
  TimelineRecord,
} from "./records";

/**
 * The one description of the Sessions database: every store, its key and its indexes. Keys of
 * media are (sessionId, track, seq), so a commit of the same item twice writes one record.
 */

export const DB_NAME = "sessions";
export const DB_VERSION = 2;

export interface SessionsDb extends DBSchema {
  sessions: {
    key: string;
    value: SessionRecord;
    indexes: { "by-created": number; "by-state": string };
  };
  segments: {
    key: [string, string, number];
    value: SegmentRecord;
    indexes: { "by-session": string; "by-session-time": [string, number] };
  };
  screenshots: {
    key: [string, number];
    value: ScreenshotRecord;
    indexes: { "by-session": string; "by-session-time": [string, number] };
  };
  timeline: {
    key: [string, number, string];
    value: TimelineRecord;
    indexes: { "by-session": string; "by-at": number };
  };
  settings: { key: string; value: SettingsRecord };
  runtime: { key: string; value: RuntimeRecord };
}

export type StoreName = "sessions" | "segments" | "screenshots" | "timeline" | "settings" | "runtime";
export const ALL_STORES: StoreName[] = ["sessions", "segments", "screenshots", "timeline", "settings", "runtime"];
