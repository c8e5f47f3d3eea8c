import type { Layout } from "@sessions/shared";
import type { SessionContext, SessionEvent } from "./session-events";
import { layoutFor } from "./source-plan";

/**
 * Changes to a running recording (a window added or removed, another layout): the change is
 * noted when the person asks, sent to the host, and applied to the plan only once the host
 * accepts it, so the status' sources and layout always say what is really recorded. A refused change is dropped (its
 * error noted) and the recording goes on unchanged.
 */

export function noteSourceChange(event: SessionEvent): Partial<SessionContext> {
  if (event.type === "ui.addSource") return { sourceChange: { op: "add", source: event.source } };
  if (event.type === "ui.removeSource") return { sourceChange: { op: "remove", sourceId: event.sourceId } };
  return {};
}

/** The host accepted the change: the plan (and so the status' source list) follows it. */
export function applySourceChange(context: SessionContext): Partial<SessionContext> {
  const change = context.sourceChange;
  const video = context.plan?.video;
  if (!change || !video || !context.plan) return { sourceChange: null };
  const sources =
    change.op === "add"
      ? [...video.sources.filter((s) => s.id !== change.source.id), change.source]
      : video.sources.filter((s) => s.id !== change.sourceId);
  return { sourceChange: null, plan: { ...context.plan, video: { ...video, sources } } };
}

/** The layout asked for, made valid for the sources recorded now (one source layout with several is a grid). */
export function noteLayoutChange(context: SessionContext, event: SessionEvent): Partial<SessionContext> {
  if (event.type !== "ui.setLayout") return {};
  return { layoutChange: layoutFor(event.layout, context.plan?.video?.sources.length ?? 1) };
}

export function applyLayoutChange(context: SessionContext): Partial<SessionContext> {
  const layout = context.layoutChange;
  const video = context.plan?.video;
  if (!layout || !video || !context.plan) return { layoutChange: null };
  return { layoutChange: null, plan: { ...context.plan, video: { ...video, layout } } };
}

/**
 * One-source layout shows only the first source: once the host accepted a second one, the
 * recording needs a grid (like a start with several sources), unless a switch is already asked.
 */
export function layoutNeededAfterAdd(context: SessionContext): Layout | null {
  const video = context.plan?.video;
  if (!video || context.layoutChange) return null;
  return video.layout === layoutFor(video.layout, video.sources.length)
    ? null
    : layoutFor(video.layout, video.sources.length);
}
