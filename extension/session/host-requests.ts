import { HostRequest } from "@sessions/shared";
import type { RequestKind, SessionContext } from "./session-events";

/**
 * The request the machine sends for each kind, built from the context (its pending id, the
 * session, the plan or the live change waiting for an answer) and checked against the protocol's
 * schema before it leaves, so a malformed request is a bug thrown here, never a frame the host
 * has to reject.
 */

export function buildRequest(kind: RequestKind, ctx: SessionContext): HostRequest {
  const id = ctx.pending[kind];
  const sessionId = ctx.sessionId;
  if (!id || !sessionId) throw new Error(`no request id or session for ${kind}`);
  switch (kind) {
    case "sources":
      return HostRequest.parse({ type: "sources.list", id });
    case "status":
      return HostRequest.parse({ type: "session.status", id });
    case "resend":
      return HostRequest.parse({ type: "segments.resend", id });
    case "start": {
      if (!ctx.plan) throw new Error("start without a plan");
      return HostRequest.parse({ type: "session.start", id, sessionId, ...ctx.plan });
    }
    case "pause":
      return HostRequest.parse({ type: "session.pause", id, sessionId });
    case "addSource":
    case "removeSource": {
      const change = ctx.sourceChange;
      if (!change) throw new Error(`${kind} without a source`);
      return change.op === "add"
        ? HostRequest.parse({ type: "session.addSource", id, sessionId, source: change.source })
        : HostRequest.parse({ type: "session.removeSource", id, sessionId, sourceId: change.sourceId });
    }
    case "setLayout": {
      if (!ctx.layoutChange) throw new Error("setLayout without a layout");
      return HostRequest.parse({ type: "session.setLayout", id, sessionId, layout: ctx.layoutChange });
    }
    case "resume":
      return HostRequest.parse({ type: "session.resume", id, sessionId });
    case "stop":
      return HostRequest.parse({ type: "session.stop", id, sessionId });
  }
}

/** The ack of one committed media item: the host may then delete it from its spool. */
export function ackRequest(sessionId: string, track: "video" | "audio" | "screenshot", seq: number): HostRequest {
  return HostRequest.parse({ type: "segment.ack", id: `ack-${track}-${seq}`, sessionId, track, seq });
}
