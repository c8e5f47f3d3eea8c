/** The dispatch table: one handler per request type, wired to the host's services. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveChild } from "../children/child-launch";
import type { ShutdownHook } from "../host";
import type { HostContext } from "../router/host-context";
import type { HandlerTable } from "../router/router";
import { MediaOutbox } from "../session/media-outbox";
import { SessionManager } from "../session/session-manager";
import { defaultSpoolRoot, Spool } from "../session/spool";
import { helloHandler } from "./hello";
import { pingHandler } from "./ping";
import { sessionHandlers } from "./session";

export function buildHandlers(ctx: HostContext, onShutdown: (hook: ShutdownHook) => void): HandlerTable {
  const bundleDir = path.dirname(fileURLToPath(import.meta.url));
  const spool = new Spool(defaultSpoolRoot());
  const outbox = new MediaOutbox(spool, ctx.send);
  const sessions = new SessionManager({
    send: ctx.send,
    logger: ctx.logger,
    spool,
    outbox,
    queueDepth: ctx.queueDepth,
    spec: (name) => resolveChild(name, bundleDir),
  });
  onShutdown((deadline) => sessions.shutdown(deadline));
  const capabilities = () => [
    ...(resolveChild("capture", bundleDir)
      ? ["capture.display", "capture.window", "capture.test-pattern", "layout.grid", "layout.side-by-side"]
      : []),
    ...(resolveChild("audio", bundleDir) ? ["audio.mic", "audio.system"] : []),
  ];
  return {
    hello: helloHandler(capabilities),
    ping: pingHandler,
    ...sessionHandlers(sessions, outbox),
  };
}
