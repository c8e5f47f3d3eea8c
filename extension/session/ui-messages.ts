import { Layout, SourcesListResult, VideoSourceRef } from "@sessions/shared";
import { z } from "zod";
import { SessionStatus } from "./status";

/**
 * chrome.runtime messages between extension pages and the worker, zod-checked on both ends:
 * pages send commands and ask for the status; the worker broadcasts every status change.
 */

/** A layout switch is a command like pause: its name says everything (`layout:grid`). */
export const SessionCommand = z.enum([
  "toggle",
  "start",
  "stop",
  "pause",
  "resume",
  "dismiss",
  "layout:passthrough",
  "layout:grid",
  "layout:side-by-side",
]);
export type SessionCommand = z.infer<typeof SessionCommand>;

export function layoutCommand(layout: Layout): SessionCommand {
  return `layout:${layout}`;
}

/** The layout a command switches to; null for the other commands. */
export function layoutOfCommand(cmd: SessionCommand): Layout | null {
  const parsed = cmd.startsWith("layout:") ? Layout.safeParse(cmd.slice("layout:".length)) : null;
  return parsed?.success ? parsed.data : null;
}

export const UiRequest = z.discriminatedUnion("type", [
  z.object({ type: z.literal("session.command"), command: SessionCommand }),
  z.object({ type: z.literal("session.getStatus") }),
  z.object({ type: z.literal("storage.flush") }),
  /** What the host can record now (windows, displays, audio), asked over a connection of its own. */
  z.object({ type: z.literal("sources.list") }),
  /** Start with the sources ticked in the picker; remembered as the toolbar button's next choice. */
  z.object({
    type: z.literal("session.startWith"),
    sources: z.array(VideoSourceRef).min(1).max(9),
    layout: Layout,
  }),
  z.object({ type: z.literal("session.addSource"), source: VideoSourceRef }),
  z.object({ type: z.literal("session.removeSource"), sourceId: z.string().min(1) }),
]);
export type UiRequest = z.infer<typeof UiRequest>;

export const StatusBroadcast = z.object({ type: z.literal("session.status"), status: SessionStatus });
export type StatusBroadcast = z.infer<typeof StatusBroadcast>;

export const SourcesReply = z.object({ ok: z.literal(true), sources: SourcesListResult });
export type SourcesReply = z.infer<typeof SourcesReply>;

export const UiReply = z.union([
  z.object({ ok: z.literal(true), status: SessionStatus }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type UiReply = z.infer<typeof UiReply>;
