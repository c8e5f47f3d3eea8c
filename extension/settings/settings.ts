import {
  DEFAULT_FPS,
  DEFAULT_SEGMENT_SECONDS,
  Layout,
  MAX_FPS,
  MAX_VIDEO_SOURCES,
  SegmentSeconds,
  VideoSourceRef,
} from "@sessions/shared";
import { z } from "zod";
import type { Db } from "../storage/open-db";

/**
 * Recording defaults: one zod schema, one set of defaults, one place that reads and writes them.
 * Stored settings are parsed field by field over the defaults, so a record from an older version
 * (or one with a bad value) still yields valid settings. Managed policy (chrome.storage.managed)
 * will be layered on top by `resolveSettings`' `locked` argument.
 */

export const VideoSourceChoice = z.enum(["primary-display", "all-displays", "test-pattern", "none"]);
export type VideoSourceChoice = z.infer<typeof VideoSourceChoice>;

export const Settings = z.object({
  layout: Layout.default("passthrough"),
  fps: z.number().int().min(1).max(MAX_FPS).default(DEFAULT_FPS),
  maxWidth: z.number().int().min(16).max(7680).default(1920),
  maxHeight: z.number().int().min(16).max(4320).default(1080),
  video: VideoSourceChoice.default("primary-display"),
  /** "default", a device id from sources.list, or null for no microphone. */
  mic: z.string().min(1).max(256).nullable().default("default"),
  systemAudio: z.boolean().default(true),
  segmentSeconds: SegmentSeconds.default(DEFAULT_SEGMENT_SECONDS),
  /**
   * The windows/displays last ticked in the side panel's source picker; when any of them is still
   * there they are recorded instead of `video`. null: no choice made, `video` decides.
   */
  chosenSources: z.array(VideoSourceRef).min(1).max(MAX_VIDEO_SOURCES).nullable().default(null),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = Settings.parse({});

/** Keeps every stored field that is valid on its own; the rest fall back to defaults. */
export function resolveSettings(stored: unknown, locked: Partial<Settings> = {}): Settings {
  const base: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  if (stored && typeof stored === "object") {
    const shape = Settings.shape as Record<string, z.ZodType>;
    for (const [k, v] of Object.entries(stored)) {
      const field = shape[k];
      if (field?.safeParse(v).success) base[k] = v;
    }
  }
  return Settings.parse({ ...base, ...locked });
}

export async function loadSettings(db: Db): Promise<Settings> {
  const rec = await db.get("settings", "defaults");
  return resolveSettings(rec?.value);
}

/** Validates the whole object (a caller gets a ZodError naming the bad field) and stores it. */
export async function saveSettings(db: Db, settings: Settings, now = Date.now()): Promise<Settings> {
  const value = Settings.parse(settings);
  await db.put("settings", { key: "defaults", value, updatedAt: now });
  return value;
}
