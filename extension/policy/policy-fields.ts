import { Layout, MAX_FPS, MAX_SEGMENT_SECONDS, MIN_SEGMENT_SECONDS, SourceKind } from "@sessions/shared";
import { z } from "zod";

/**
 * The one description of every managed-policy key an administrator can set (chrome.storage.managed).
 * Everything else is generated from this table: the zod validation, the manifest's
 * `storage.managed_schema`, the Linux/macOS/Windows policy templates and the README's table.
 *
 * `chromeType` is deliberately only the JSON type: Chrome silently drops values that fail the
 * manifest schema, so ranges and enums are checked here instead, where a bad value can be shown
 * to the person as a warning rather than vanish.
 */

export type ChromeType = "boolean" | "integer" | "string" | "string-array";

export interface PolicyField<T extends z.ZodType = z.ZodType> {
  chromeType: ChromeType;
  schema: T;
  title: string;
  description: string;
  /** A sensible value for the example templates. */
  example: z.infer<T>;
}

const field = <T extends z.ZodType>(f: PolicyField<T>) => f;

export const POLICY_FIELDS = {
  recordingAllowed: field({
    chromeType: "boolean",
    schema: z.boolean(),
    title: "Allow recording",
    description: "false turns recording off entirely; the side panel shows forbiddenMessage.",
    example: true,
  }),
  forbiddenMessage: field({
    chromeType: "string",
    schema: z.string().trim().min(1).max(500),
    title: "Message when recording is forbidden",
    description: "Shown in the side panel when recording, or the chosen source, is not allowed (1–500 characters).",
    example: "Recording is limited by Example Corp IT. Questions: it@example.com",
  }),
  allowedSources: field({
    chromeType: "string-array",
    schema: z.array(SourceKind),
    title: "Allowed capture sources",
    description:
      "Video source kinds that may be recorded: display, window, webcam, test-pattern. Unlisted kinds cannot be started.",
    example: ["display", "window"],
  }),
  microphoneAllowed: field({
    chromeType: "boolean",
    schema: z.boolean(),
    title: "Allow the microphone",
    description: "false: the microphone is never recorded and the option is locked off.",
    example: true,
  }),
  systemAudioAllowed: field({
    chromeType: "boolean",
    schema: z.boolean(),
    title: "Allow system audio",
    description: "false: system audio is never recorded and the option is locked off.",
    example: false,
  }),
  maxFps: field({
    chromeType: "integer",
    schema: z.number().int().min(1).max(MAX_FPS),
    title: "Maximum frames per second",
    description: `Upper bound for the frame rate (1–${MAX_FPS}); a higher personal setting is lowered to it.`,
    example: 15,
  }),
  maxWidth: field({
    chromeType: "integer",
    schema: z.number().int().min(16).max(7680),
    title: "Maximum video width",
    description: "Upper bound for the recorded width in pixels (16–7680).",
    example: 1920,
  }),
  maxHeight: field({
    chromeType: "integer",
    schema: z.number().int().min(16).max(4320),
    title: "Maximum video height",
    description: "Upper bound for the recorded height in pixels (16–4320).",
    example: 1080,
  }),
  segmentSeconds: field({
    chromeType: "integer",
    schema: z.number().int().min(MIN_SEGMENT_SECONDS).max(MAX_SEGMENT_SECONDS),
    title: "Segment length (seconds)",
    description: `Fixed segment length (${MIN_SEGMENT_SECONDS}–${MAX_SEGMENT_SECONDS} s); the personal setting is locked.`,
    example: 10,
  }),
  layout: field({
    chromeType: "string",
    schema: Layout,
    title: "Locked layout",
    description: `Composite layout, locked: ${Layout.options.join(", ")}.`,
    example: "grid",
  }),
  retentionDays: field({
    chromeType: "integer",
    schema: z.number().int().min(1).max(3650),
    title: "Retention (days)",
    description: "Sessions that started more than this many days ago are deleted, with all their media (1–3650).",
    example: 30,
  }),
  storageCapMB: field({
    chromeType: "integer",
    schema: z.number().int().min(100).max(10_000_000),
    title: "Storage cap (MB)",
    description:
      "Most space recordings may use (MB, at least 100). Oldest finished sessions are deleted to stay under it; a recording that reaches it stops cleanly.",
    example: 20_000,
  }),
} as const;

export type PolicyKey = keyof typeof POLICY_FIELDS;
export const POLICY_KEYS = Object.keys(POLICY_FIELDS) as PolicyKey[];

/** A validated policy: only the keys the administrator set, each with a valid value. */
export type ManagedPolicy = { [K in PolicyKey]?: z.infer<(typeof POLICY_FIELDS)[K]["schema"]> };

/** Example values for every key, for templates and tests. */
export function examplePolicy(): Required<ManagedPolicy> {
  const out: Record<string, unknown> = {};
  for (const k of POLICY_KEYS) out[k] = POLICY_FIELDS[k].example;
  return out as Required<ManagedPolicy>;
}
