import { HostMessage, HostRequest, PROTOCOL_VERSION, SourcesListResult } from "@sessions/shared";
import type { ConnectNative } from "./native-port";

/**
 * Asks the native host what can be recorded, over a connection of its own (the session machine's
 * port only exists while a session runs): hello, then sources.list, then disconnect. Resolves with
 * the validated list or rejects with a message naming what went wrong; never leaves a port open.
 */

export interface ListSourcesDeps {
  connect: ConnectNative;
  hostName: string;
  extensionVersion: string;
  timeoutMs?: number;
}

export function listSourcesOnce(deps: ListSourcesDeps): Promise<SourcesListResult> {
  return new Promise((resolve, reject) => {
    const port = deps.connect(deps.hostName);
    let done = false;
    const finish = (err: string | null, value?: SourcesListResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      port.disconnect();
      if (err !== null) reject(new Error(err));
      else resolve(value as SourcesListResult);
    };
    const timer = setTimeout(() => finish("the native host did not list sources in time"), deps.timeoutMs ?? 10_000);
    port.onDisconnect((error) => finish(`native host disconnected: ${error ?? "no reason given"}`));
    port.onMessage((raw) => {
      const parsed = HostMessage.safeParse(raw);
      if (!parsed.success) return finish("the native host sent an invalid message");
      const msg = parsed.data;
      if (msg.type === "hello" && msg.id === "sources-hello") {
        if (msg.protocol !== PROTOCOL_VERSION) return finish(`host speaks protocol ${msg.protocol}`);
        port.postMessage(HostRequest.parse({ type: "sources.list", id: "sources-list" }));
        return;
      }
      if (msg.type === "error" && (msg.id === "sources-hello" || msg.id === "sources-list"))
        return finish(`${msg.code}: ${msg.message}`);
      if (msg.type === "result" && msg.id === "sources-list") {
        const list = SourcesListResult.safeParse(msg);
        return list.success ? finish(null, list.data) : finish("the host's source list is invalid");
      }
    });
    port.postMessage(
      HostRequest.parse({
        type: "hello",
        id: "sources-hello",
        protocol: PROTOCOL_VERSION,
        extensionVersion: deps.extensionVersion,
      }),
    );
  });
}
