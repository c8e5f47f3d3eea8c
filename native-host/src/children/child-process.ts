/**
 * One child (swift-capture or sessions-audio) as a process speaking JSON lines. Guarantees:
 * spawned from a fixed argv with no shell; its stdin/stdout are our pipes (it never inherits the
 * browser's); every output line is validated before anyone sees it; each command gets one reply
 * or a TIMEOUT; `stop()` asks politely, then closes stdin, then kills, and always resolves.
 * Because the child's stdin is our pipe, the child sees EOF when we die, even by SIGKILL.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import type { ErrorCode } from "@sessions/shared";
import type { z } from "zod";
import { HostError } from "../host-error";
import type { Logger } from "../log/logger";
import { JsonLines } from "./json-lines";

export interface ChildSpec {
  name: "capture" | "audio";
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
}

type Output = { type: string; id?: string | null; code?: ErrorCode; message?: string };

export interface ChildEvents<E> {
  event: [E];
  exit: [{ code: number | null; signal: NodeJS.Signals | null; expected: boolean }];
}

export class ChildProcess<E extends Output> extends EventEmitter<ChildEvents<E>> {
  private proc: ChildProcessWithoutNullStreams | null = null;
  private readonly lines = new JsonLines();
  private nextId = 1;
  private pending = new Map<string, { resolve: (v: E) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: ChildSpec,
    private readonly schema: z.ZodType<E>,
    private readonly logger: Logger,
  ) {
    super();
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  start(): void {
    const [cmd, ...args] = this.spec.argv;
    if (!cmd) throw new HostError("INTERNAL", `no command for ${this.spec.name}`);
    this.stopping = false;
    const proc = spawn(cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...this.spec.env },
      cwd: this.spec.cwd,
      shell: false,
    });
    this.proc = proc;
    let stderrTail = "";
    proc.stderr.on("data", (d: Buffer) => {
      const text = stderrTail + d.toString();
      const parts = text.split("\n");
      stderrTail = parts.pop() ?? "";
      for (const line of parts) if (line) this.logger.info(`[${this.spec.name}] ${line}`);
    });
    proc.stdout.on("data", (chunk: Buffer) => {
      for (const line of this.lines.push(chunk)) {
        if (line.kind === "error") {
          this.logger.warn(`[${this.spec.name}] bad output: ${line.message}`);
          continue;
        }
        this.dispatch(line.value);
      }
    });
    proc.stdin.on("error", (e) => this.logger.warn(`[${this.spec.name}] stdin: ${e.message}`));
    this.exited = new Promise((resolve) => {
      proc.on("exit", (code, signal) => {
        const expected = this.stopping;
        this.logger.info(`[${this.spec.name}] exited`, { code, signal, expected });
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new HostError("CHILD_CRASHED", `${this.spec.name} exited (${signal ?? code}) before answering`));
        }
        this.pending.clear();
        if (this.proc === proc) this.proc = null;
        this.emit("exit", { code, signal, expected });
        resolve();
      });
    });
    proc.on("error", (e) => {
      this.logger.error(`[${this.spec.name}] cannot start ${cmd}: ${e.message}`);
    });
  }

  /** Sends a command and resolves with its reply (`ok`, `sources`, …); an `error` reply rejects. */
  request(command: Record<string, unknown> & { type: string }, timeoutMs: number): Promise<E> {
    const proc = this.proc;
    if (!proc || !this.running)
      return Promise.reject(new HostError("CHILD_CRASHED", `${this.spec.name} is not running`));
    const id = String(this.nextId++);
    return new Promise<E>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HostError("TIMEOUT", `${this.spec.name} did not answer ${command.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      proc.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  /**
   * Stops the child: `stop` command (answered after its last segment), then stdin EOF, then
   * SIGKILL once the deadline passes. Resolves true when it stopped on its own, false when killed.
   */
  async stop(deadlineMs: number, sendStop = true): Promise<boolean> {
    const proc = this.proc;
    if (!proc || !this.running) return true;
    this.stopping = true;
    const remaining = () => Math.max(0, deadlineMs - Date.now());
    if (sendStop) await this.request({ type: "stop" }, remaining()).catch(() => {});
    proc.stdin.end();
    const exitedInTime = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), remaining()).unref()),
    ]);
    if (!exitedInTime) {
      this.logger.warn(`[${this.spec.name}] did not exit by the deadline; killing it`);
      proc.kill("SIGKILL");
      await this.exited;
    }
    return exitedInTime;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.proc?.kill(signal);
  }

  private dispatch(raw: unknown): void {
    const parsed = this.schema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn(`[${this.spec.name}] output breaks the protocol`, {
        line: JSON.stringify(raw).slice(0, 300),
        issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`),
      });
      return;
    }
    const out = parsed.data;
    const id = typeof out.id === "string" ? out.id : null;
    const waiter = id ? this.pending.get(id) : undefined;
    if (waiter && id) {
      this.pending.delete(id);
      clearTimeout(waiter.timer);
      if (out.type === "error")
        waiter.reject(new HostError(out.code ?? "INTERNAL", `${this.spec.name}: ${out.message ?? "failed"}`));
      else waiter.resolve(out);
      return;
    }
    this.emit("event", out);
  }
}
