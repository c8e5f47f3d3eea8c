/** What every request handler may use: sending messages, the log, and the host's state. */
import type { HostMessage } from "@sessions/shared";
import type { Logger } from "../log/logger";

export interface HostContext {
  send(message: HostMessage): void;
  logger: Logger;
  hostVersion: string;
  /** Set once `hello` succeeded; other requests before it are refused. */
  handshake: { protocol: number; extensionVersion: string } | null;
  /** Outbound frames waiting for the browser to read them. */
  queueDepth(): number;
}
