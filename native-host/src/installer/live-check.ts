/** Starts a launcher the way the browser would and completes `hello` with it. */
import { spawn } from "node:child_process";
import { EXTENSION_ORIGIN, HelloReply, PROTOCOL_VERSION } from "@sessions/shared";
import { FrameDecoder } from "../framing/frame-decoder";
import { encodeFrame } from "../framing/frame-encoder";

export async function liveHandshake(launcher: string, timeoutMs = 5000): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(launcher, [EXTENSION_ORIGIN], { stdio: ["pipe", "pipe", "ignore"] });
    const decoder = new FrameDecoder();
    const done = (problem: string | null) => {
      clearTimeout(timer);
      child.stdin.end();
      child.kill();
      resolve(problem);
    };
    const timer = setTimeout(() => done(`no hello from ${launcher} within ${timeoutMs} ms`), timeoutMs);
    child.on("error", (e) => done(`cannot start ${launcher}: ${e.message}`));
    child.stdout.on("data", (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === "error") return done(`host sent a bad frame: ${frame.message}`);
        const reply = HelloReply.safeParse(frame.value);
        return done(reply.success ? null : `unexpected answer to hello: ${JSON.stringify(frame.value).slice(0, 200)}`);
      }
    });
    child.stdin.write(
      encodeFrame({ type: "hello", id: "doctor", protocol: PROTOCOL_VERSION, extensionVersion: "doctor" }),
    );
  });
}
