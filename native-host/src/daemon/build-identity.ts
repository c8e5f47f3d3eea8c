/**
 * Which build of the host a process runs: the size and modification time (ms) of the bundle file.
 * A relay announces the bundle it was started with in relay.hello; a daemon of another build that
 * has no session hands over to the new one (recorder-daemon.ts). sessions-relay computes the same
 * string in Rust (relay/src/main.rs); keep the two in step.
 */
import fs from "node:fs";

export function buildIdentity(bundlePath: string): string | null {
  try {
    const st = fs.statSync(bundlePath);
    return `${st.size}:${Math.trunc(st.mtimeMs)}`;
  } catch {
    return null;
  }
}
