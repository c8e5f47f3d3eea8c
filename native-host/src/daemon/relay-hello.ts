/**
 * The first frame on every daemon connection, from the relay: who the browser says is calling.
 * The daemon — not the relay — decides whether that origin is served, so both relays (Node and
 * the native sessions-relay) stay dumb pipes and the rule lives in one place (launch-args.ts).
 * Guarantees: a connection is served only after a valid relay.hello with an allowed origin; a
 * missing, malformed or slow one (RELAY_HELLO_TIMEOUT_MS) closes the connection.
 */
import type net from "node:net";
import { z } from "zod";

export const RelayHello = z.strictObject({
  type: z.literal("relay.hello"),
  origin: z.string().max(200).nullable(),
  /** The relay's bundle (build-identity.ts); absent from relays that predate it. */
  build: z.string().max(100).nullable().optional(),
});
export type RelayHello = z.infer<typeof RelayHello>;

const MAX_HELLO_BYTES = 4096;
export const RELAY_HELLO_TIMEOUT_MS = 5_000;

/** Reads exactly the first frame off the socket, leaving everything after it unread. */
export function readRelayHello(socket: net.Socket, timeoutMs = RELAY_HELLO_TIMEOUT_MS): Promise<RelayHello> {
  return new Promise((resolve, reject) => {
    let size: number | null = null;
    const done = (err: Error | null, value?: RelayHello) => {
      clearTimeout(timer);
      socket.off("readable", onReadable);
      socket.off("end", onEnd);
      if (err) reject(err);
      else resolve(value as RelayHello);
    };
    const onEnd = () => done(new Error("the connection ended before relay.hello"));
    const onReadable = () => {
      if (size === null) {
        const header = socket.read(4) as Buffer | null;
        if (!header) return;
        size = header.readUInt32LE(0);
        if (size > MAX_HELLO_BYTES) return done(new Error(`relay.hello of ${size} bytes`));
      }
      const body = (size === 0 ? Buffer.alloc(0) : socket.read(size)) as Buffer | null;
      if (!body) return;
      try {
        const parsed = RelayHello.safeParse(JSON.parse(body.toString("utf8")));
        if (!parsed.success) return done(new Error(`not a relay.hello: ${parsed.error.issues[0]?.message}`));
        done(null, parsed.data);
      } catch {
        done(new Error("relay.hello is not JSON"));
      }
    };
    const timer = setTimeout(() => done(new Error("no relay.hello in time")), timeoutMs);
    socket.on("readable", onReadable);
    socket.on("end", onEnd);
    onReadable();
  });
}
