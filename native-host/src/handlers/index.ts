/**
 * The recorder's services (spool, outbox, sessions, the session's link to the extension), made
 * once per daemon, and the dispatch table each connection gets over them: one handler per
 * request type. A connection that speaks about sessions becomes the session's link.
 */
import type { HostRequest } from "@sessions/shared";
import { resolveChild } from "../children/child-launch";
import { type LinkEnd, SessionLink } from "../daemon/session-link";
import type { Logger } from "../log/logger";
import type { Handler, HandlerTable } from "../router/router";
import { MediaOutbox } from "../session/media-outbox";
import { SessionManager } from "../session/session-manager";
import { defaultSpoolRoot, Spool } from "../session/spool";
import { helloHandler } from "./hello";
import { pingHandler } from "./ping";
import { sessionHandlers } from "./session";

export interface Recorder {
  sessions: SessionManager;
  outbox: MediaOutbox;
  link: SessionLink;
  capabilities(): string[];
}

export function createRecorder(logger: Logger, bundleDir: string): Recorder {
  const spool = new Spool(defaultSpoolRoot());
  const link = new SessionLink(logger);
  const outbox = new MediaOutbox(spool, link.send);
  link.resendMedia = () => outbox.resendAll();
  const sessions = new SessionManager({
    send: link.send,
    logger,
    spool,
    outbox,
    queueDepth: link.queueDepth,
    spec: (name) => resolveChild(name, bundleDir),
  });
  const capabilities = () => [
    ...(resolveChild("capture", bundleDir)
      ? ["capture.display", "capture.window", "capture.test-pattern", "layout.grid", "layout.side-by-side"]
      : []),
    ...(resolveChild("audio", bundleDir) ? ["audio.mic", "audio.system"] : []),
  ];
  return { sessions, outbox, link, capabilities };
}

export function buildHandlers(recorder: Recorder, end: LinkEnd): HandlerTable {
  const claim =
    <T extends HostRequest["type"]>(handler: Handler<T>): Handler<T> =>
    (req, ctx) => {
      recorder.link.attach(end);
      return handler(req, ctx);
    };
  const attached: HandlerTable = {};
  for (const [type, handler] of Object.entries(sessionHandlers(recorder.sessions, recorder.outbox)))
    (attached as Record<string, unknown>)[type] = claim(handler as Handler<HostRequest["type"]>);
  return {
    hello: helloHandler(recorder.capabilities),
    ping: pingHandler,
    "sources.list": (async () => ({
      type: "result",
      ...(await recorder.sessions.listSources()),
    })) as Handler<"sources.list">,
    ...attached,
  } as HandlerTable;
}
