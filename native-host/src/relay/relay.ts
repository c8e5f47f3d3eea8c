/**
 * The process Chrome starts for a native messaging port, reduced to a relay: browser frames from
 * stdin go to the recorder daemon's socket and the daemon's frames come back out on stdout, whole
 * frames only. Guarantees: stdout carries nothing but complete frames; on stdin EOF the daemon is
 * told (half-close), its last replies are passed on and the relay exits within
 * HOST_EXIT_AFTER_EOF_MS; if the daemon goes away the relay exits non-zero so the browser sees the
 * port close. The recording itself lives in the daemon and outlives this process.
 */
import type net from "node:net";
import { HOST_EXIT_AFTER_EOF_MS } from "@sessions/shared/constants";
import { encodeFrame } from "../framing/frame-encoder";
import { FrameSplitter } from "../framing/frame-splitter";
import type { Logger } from "../log/logger";

export interface RelayOptions {
  socket: net.Socket;
  /** The caller's origin, announced to the daemon first (it decides whether to serve it). */
  origin: string | null;
  /** This relay's build (build-identity.ts), so a daemon of another build can hand over. */
  build: string | null;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  write: (chunk: Buffer, cb: (err?: Error | null) => void) => boolean;
  logger: Logger;
  exit: (code: number) => void;
}

export function relay({ socket, origin, build, input, output, write, logger, exit }: RelayOptions): void {
  const splitter = new FrameSplitter();
  // The daemon's first frame: relay.hello (daemon/relay-hello.ts), built here without its schema.
  socket.write(encodeFrame({ type: "relay.hello", origin, build }));
  let pendingWrites = 0;
  let finishing: number | null = null;

  const finish = (code: number) => {
    if (finishing !== null) return;
    finishing = code;
    const done = () => exit(code);
    if (pendingWrites === 0) return done();
    const timer = setTimeout(done, 300);
    timer.unref?.();
    output.once("drain", () => pendingWrites === 0 && done());
  };

  input.on("data", (chunk: Buffer) => {
    if (!socket.write(chunk)) {
      input.pause();
      socket.once("drain", () => input.resume());
    }
  });
  input.on("end", () => {
    logger.info("stdin closed; handing over to the daemon and exiting");
    socket.end();
    setTimeout(() => finish(0), HOST_EXIT_AFTER_EOF_MS - 300).unref?.();
  });
  input.on("error", (err) => {
    logger.error("stdin error", { error: String(err) });
    socket.end();
    finish(1);
  });

  socket.on("data", (chunk: Buffer) => {
    for (const frame of splitter.push(chunk)) {
      pendingWrites++;
      const ok = write(frame, () => {
        pendingWrites--;
        if (finishing !== null && pendingWrites === 0) exit(finishing);
      });
      if (!ok) {
        socket.pause();
        output.once("drain", () => socket.resume());
      }
    }
  });
  socket.on("error", (err) => logger.warn("daemon connection error", { error: String(err) }));
  // The daemon ending its side (half-open sockets emit 'end', not 'close') ends the relay too.
  const daemonGone = () => {
    if (splitter.pending > 0) logger.warn("daemon connection closed inside a frame", { bytes: splitter.pending });
    const stdinOpen = finishing === null && input.readable;
    if (stdinOpen) logger.warn("the recorder daemon closed the connection");
    finish(stdinOpen ? 1 : 0);
  };
  socket.on("end", daemonGone);
  socket.on("close", daemonGone);
}
