import type { RequestKind } from "./session-events";

/**
 * Transition pieces several states of the session machine share, as data: sending a request,
 * the reconnect check, the events every live state (recording, paused) handles alike, and what
 * a live state does when a reconnected host no longer has the session.
 */

/** A fresh request id for `kind`, then the request itself. */
export function request<K extends RequestKind>(kind: K) {
  return [
    { type: "nextRequestId" as const, params: { kind } },
    { type: "send" as const, params: { kind } },
  ];
}

/** After a reconnect: ask whether the host still has our session, and for what it has not had acked. */
export function statusCheck() {
  return [...request("status"), ...request("resend")];
}

export function lostSession() {
  return {
    type: "noteErrorWith" as const,
    params: {
      code: "HOST_DISCONNECTED" as const,
      message: "the host no longer has this session; kept what was committed",
    },
  };
}

/** Adding or removing a window, or another layout, while recording or paused; only a recording with video has sources. */
function sourceChanges() {
  const change = (kind: "addSource" | "removeSource") => ({
    guard: "hasVideo" as const,
    actions: ["noteSourceChange" as const, ...request(kind)],
  });
  return {
    "ui.addSource": change("addSource"),
    "ui.removeSource": change("removeSource"),
    "ui.setLayout": { guard: "hasVideo" as const, actions: ["noteLayoutChange" as const, ...request("setLayout")] },
  };
}

/** What recording and paused do alike: stop, live changes, a full disk, a reconnect. */
export function liveEvents() {
  return {
    "ui.stop": { target: "stopping" },
    ...sourceChanges(),
    "storage.quotaExceeded": { target: "stopping", actions: "noteError" as const },
    "host.ready": { actions: ["rememberHello" as const, ...statusCheck()] },
  };
}

/**
 * The tail of a live state's host.message transitions: the new host lost the recording, so
 * finalize once it has resent what its predecessor spooled but never had acknowledged (the
 * resend reply follows those items); a `stopped` from the host finalizes too.
 */
export function whenHostEnds() {
  return [
    { guard: "statusLostAfterResend" as const, target: "finalizing", actions: lostSession() },
    {
      guard: { type: "isReply" as const, params: { kind: "status" as const } },
      actions: [lostSession(), "markSessionLost" as const],
    },
    {
      guard: { type: "hostSays" as const, params: { state: "stopped" } },
      target: "finalizing",
      actions: "noteHostCode" as const,
    },
  ];
}
