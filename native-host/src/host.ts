/**
 * The host's wiring: stdin frames → router → stdout frames, and an orderly end. Guarantees:
 * stdout sees only frames (through one FrameWriter); on stdin EOF every registered shutdown
 * hook runs (children are stopped), the output is flushed, and the process exits within
 * HOST_EXIT_AFTER_EOF_MS even if a hook hangs.
 */
import type { Readable, Writable } from "node:stream";
import { HOST_EXIT_AFTER_EOF_MS, type HostMessage } from "@sessions/shared";
import { FrameDecoder } from "./framing/frame-decoder";
import { encodeFrame, FrameTooLargeError } from "./framing/frame-encoder";
import { FrameWriter } from "./io/frame-writer";
import type { Logger } from "./log/logger";
import type { HostContext } from "./router/host-context";
import { type HandlerTable, Router } from "./router/router";

export interface HostOptions {
  input: Readable;
  output: Writable;
  write: (chunk: Buffer, cb: (err?: Error | null) => void) => boolean;
  logger: Logger;
  hostVersion: string;
  handlers: (ctx: HostContext, onShutdown: (hook: ShutdownHook) => void) => HandlerTable;
  exit: (code: number) => void;
  /** What the input is, for the log: the browser's stdin, or a relay's connection in the daemon. */
  inputName?: string;
}

export type ShutdownHook = (deadlineMs: number) => Promise<void>;

export class Host {
  readonly ctx: HostContext;
  private readonly writer: FrameWriter;
  private readonly decoder = new FrameDecoder();
  private readonly router: Router;
  private readonly shutdownHooks: ShutdownHook[] = [];
  private inFlight = new Set<Promise<void>>();
  private ending = false;

  constructor(private readonly options: HostOptions) {
    this.writer = new FrameWriter(options.output, options.write);
    this.ctx = {
      send: (m) => this.send(m),
      logger: options.logger,
      hostVersion: options.hostVersion,
      handshake: null,
      queueDepth: () => this.writer.depth,
    };
    this.router = new Router(
      options.handlers(this.ctx, (hook) => this.onShutdown(hook)),
      this.ctx,
    );
  }

  onShutdown(hook: ShutdownHook): void {
    this.shutdownHooks.push(hook);
  }

  start(): void {
    const { input, logger } = this.options;
    input.on("data", (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.track(this.router.handle(frame));
    });
    input.on("end", () => {
      for (const frame of this.decoder.end()) this.track(this.router.handle(frame));
      logger.info(`${this.options.inputName ?? "stdin"} closed; shutting down`);
      void this.shutdown(0);
    });
    input.on("error", (err) => {
      logger.error(`${this.options.inputName ?? "stdin"} error`, { error: String(err) });
      void this.shutdown(1);
    });
  }

  send(message: HostMessage): void {
    try {
      this.writer.send(encodeFrame(message));
    } catch (e) {
      if (!(e instanceof FrameTooLargeError)) throw e;
      this.options.logger.error("refused to send an oversized frame", { type: message.type, bytes: e.bytes });
      const id = "id" in message && typeof message.id === "string" ? message.id : null;
      this.writer.send(
        encodeFrame({ type: "error", id, code: "INTERNAL", message: "reply too large to send", retryable: false }),
      );
    }
  }

  async shutdown(code: number): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    const started = Date.now();
    const hardStop = setTimeout(() => {
      this.options.logger.warn("shutdown deadline reached; exiting now");
      this.options.exit(code);
    }, HOST_EXIT_AFTER_EOF_MS - 100);
    hardStop.unref?.();
    const budget = HOST_EXIT_AFTER_EOF_MS - 300;
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled(this.shutdownHooks.map((h) => h(started + budget)));
    await this.writer.flush();
    clearTimeout(hardStop);
    this.options.exit(code);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
