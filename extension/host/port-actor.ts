import {
  type ErrorCode,
  type HelloReply,
  HOST_NAME,
  HostMessage,
  HostRequest,
  PROTOCOL_VERSION,
} from "@sessions/shared";
import { fromCallback } from "xstate";
import type { z } from "zod";
import { backoffDelay, classifyDisconnect, RECONNECT_DELAYS_MS } from "./disconnect-reason";
import type { ConnectNative, NativePort } from "./native-port";

/**
 * The native host connection as a long-lived XState callback actor. Guarantees:
 * - the first frame on every connection is `hello`; nothing else is sent before the host answers
 *   it (requests received meanwhile wait, in order);
 * - every frame sent is a valid HostRequest and every frame received is zod-validated; an invalid
 *   frame from the host is reported (`host.invalid`) and dropped, never forwarded;
 * - a permanent disconnect ("not found", "forbidden", unsupported protocol) is reported once as
 *   `host.failed`; a transient one as `host.lost`, then reconnected with backoff, and after the
 *   last attempt reported as `host.failed` HOST_DISCONNECTED;
 * - stopping the actor disconnects the port (which lets the worker suspend again).
 */

export type HelloReplyMsg = z.infer<typeof HelloReply>;

export type PortEvent =
  | { type: "host.ready"; hello: HelloReplyMsg; reconnected: boolean }
  | { type: "host.message"; message: HostMessage }
  | { type: "host.lost"; code: ErrorCode; message: string; attempt: number }
  | { type: "host.failed"; code: ErrorCode; message: string }
  | { type: "host.invalid"; message: string };

export type PortCommand = { type: "host.send"; request: HostRequest };

export interface PortDeps {
  connect: ConnectNative;
  extensionVersion: string;
  hostName?: string;
  delays?: readonly number[];
  helloTimeoutMs?: number;
  setTimer?: (fn: () => void, ms: number) => () => void;
}

const defaultTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export function createPortActor(deps: PortDeps) {
  return fromCallback<PortCommand, void, PortEvent>(({ sendBack, receive }) => {
    const setTimer = deps.setTimer ?? defaultTimer;
    const delays = deps.delays ?? RECONNECT_DELAYS_MS;
    let port: NativePort | null = null;
    let ready = false;
    let stopped = false;
    let everReady = false;
    let attempt = 0;
    let helloSeq = 0;
    let helloId = "";
    let cancelTimer: (() => void) | null = null;
    const waiting: HostRequest[] = [];

    const open = () => {
      ready = false;
      const p = deps.connect(deps.hostName ?? HOST_NAME);
      port = p;
      p.onMessage((raw) => {
        if (port !== p) return;
        onFrame(raw);
      });
      p.onDisconnect((error) => {
        if (port !== p || stopped) return;
        port = null;
        lost(classifyDisconnect(error));
      });
      helloId = `hello-${++helloSeq}`;
      p.postMessage(
        HostRequest.parse({
          type: "hello",
          id: helloId,
          protocol: PROTOCOL_VERSION,
          extensionVersion: deps.extensionVersion,
        }),
      );
      cancelTimer = setTimer(() => {
        if (ready || port !== p) return;
        port = null;
        p.disconnect();
        lost({ code: "TIMEOUT", message: "native host did not answer hello", permanent: false });
      }, deps.helloTimeoutMs ?? 5_000);
    };

    const onFrame = (raw: unknown) => {
      const parsed = HostMessage.safeParse(raw);
      if (!parsed.success) {
        sendBack({ type: "host.invalid", message: parsed.error.message.slice(0, 500) });
        return;
      }
      const msg = parsed.data;
      if (!ready && msg.type === "hello" && msg.id === helloId) {
        if (msg.protocol !== PROTOCOL_VERSION)
          return fail("UNSUPPORTED_PROTOCOL", `host speaks protocol ${msg.protocol}`);
        ready = true;
        cancelTimer?.();
        const reconnected = everReady;
        everReady = true;
        attempt = 0;
        sendBack({ type: "host.ready", hello: msg, reconnected });
        for (const req of waiting.splice(0)) port?.postMessage(req);
        return;
      }
      if (!ready && msg.type === "error" && msg.id === helloId) {
        if (msg.retryable) return lost({ code: msg.code, message: msg.message, permanent: false });
        return fail(msg.code, msg.message);
      }
      sendBack({ type: "host.message", message: msg });
    };

    const lost = (reason: { code: ErrorCode; message: string; permanent: boolean }) => {
      ready = false;
      cancelTimer?.();
      console.warn(`[sessions] native host connection lost: ${reason.code} ${reason.message}`);
      if (reason.permanent) return fail(reason.code, reason.message);
      attempt++;
      const delay = backoffDelay(attempt, delays);
      if (delay === null)
        return fail("HOST_DISCONNECTED", `gave up after ${attempt - 1} reconnects: ${reason.message}`);
      sendBack({ type: "host.lost", code: reason.code, message: reason.message, attempt });
      cancelTimer = setTimer(() => {
        if (!stopped) open();
      }, delay);
    };

    const fail = (code: ErrorCode, message: string) => {
      stopped = true;
      cancelTimer?.();
      const p = port;
      port = null;
      p?.disconnect();
      sendBack({ type: "host.failed", code, message });
    };

    receive((cmd) => {
      if (cmd.type !== "host.send" || stopped) return;
      const req = HostRequest.parse(cmd.request);
      if (ready && port) port.postMessage(req);
      else waiting.push(req);
    });

    open();
    return () => {
      stopped = true;
      cancelTimer?.();
      const p = port;
      port = null;
      p?.disconnect();
    };
  });
}
