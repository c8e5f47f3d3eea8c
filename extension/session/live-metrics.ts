import type { LiveMetrics, SessionContext, SessionEvent } from "./session-events";

/**
 * The side panel's live numbers, folded from the host's `health` and `sync` events into the
 * context: each event updates only the numbers it carries, the others keep their last value
 * (null until a child first reports them). Rounded so that an unchanged reading is an unchanged
 * status (the controller tells listeners only about real changes).
 */

export const EMPTY_METRICS: LiveMetrics = {
  fps: null,
  droppedPct: null,
  bufferFill: null,
  diskFreeBytes: null,
  offsetUs: null,
  driftUs: null,
};

export function healthPatch(context: SessionContext, event: SessionEvent): Partial<SessionContext> {
  if (event.type !== "host.message" || event.message.type !== "health") return {};
  const h = event.message;
  const shown = h.video ? h.video.framesOut + h.video.dropped : 0;
  return {
    health: { level: h.level, warnings: h.warnings },
    metrics: {
      ...(context.metrics ?? EMPTY_METRICS),
      fps: h.video ? round(h.video.fps, 1) : null,
      droppedPct: h.video && shown > 0 ? round((100 * h.video.dropped) / shown, 1) : null,
      bufferFill: h.audio ? round(h.audio.bufferFill, 3) : null,
      diskFreeBytes: h.host.diskFreeBytes,
    },
  };
}

export function syncPatch(context: SessionContext, event: SessionEvent): Partial<SessionContext> {
  if (event.type !== "host.message" || event.message.type !== "sync") return {};
  return {
    metrics: {
      ...(context.metrics ?? EMPTY_METRICS),
      offsetUs: event.message.offsetUs,
      driftUs: event.message.driftUs,
    },
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
