/**
 * The session.* and segment requests: thin adapters from requests to the SessionManager and
 * outbox. Each of them makes the asking connection the session's link (see handlers/index.ts).
 */
import { HostError } from "../host-error";
import type { Handler } from "../router/router";
import type { MediaOutbox } from "../session/media-outbox";
import type { SessionManager } from "../session/session-manager";

export function sessionHandlers(sessions: SessionManager, outbox: MediaOutbox) {
  const command: Handler<
    "session.pause" | "session.resume" | "session.addSource" | "session.removeSource" | "session.setLayout"
  > = async (req) => {
    await sessions.command(req);
    return { type: "result" };
  };
  return {
    "session.start": (async (req) => ({ type: "result", ...(await sessions.start(req)) })) as Handler<"session.start">,
    "session.pause": command as Handler<"session.pause">,
    "session.resume": command as Handler<"session.resume">,
    "session.addSource": command as Handler<"session.addSource">,
    "session.removeSource": command as Handler<"session.removeSource">,
    "session.setLayout": command as Handler<"session.setLayout">,
    "session.stop": (async (req) => {
      await sessions.stop(req.sessionId);
      return { type: "result" };
    }) as Handler<"session.stop">,
    "session.status": (async () => ({ type: "result", ...sessions.status() })) as Handler<"session.status">,
    "segment.ack": (async (req) => {
      if (!outbox.ack(req.sessionId, req.track, req.seq))
        throw new HostError("NOT_FOUND", `no unacknowledged ${req.track} ${req.seq} of ${req.sessionId}`);
      return { type: "result" };
    }) as Handler<"segment.ack">,
    "segments.resend": (async () => ({ type: "result", count: outbox.resendAll() })) as Handler<"segments.resend">,
  };
}
