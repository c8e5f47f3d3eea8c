/**
 * Host logging. Everything goes to stderr (Chrome shows it with --enable-logging) and to a
 * rotating file, never to stdout, which carries protocol frames only. `captureConsole()` runs
 * first thing in main so that a stray console.log from any module cannot corrupt the channel.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type Level = "debug" | "info" | "warn" | "error";
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const KEEP_FILES = 3;

export function defaultLogDir(): string {
  if (process.env.SESSIONS_LOG_DIR) return process.env.SESSIONS_LOG_DIR;
  if (process.platform === "win32") return path.join(process.env.LOCALAPPDATA ?? os.homedir(), "Sessions", "logs");
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Logs", "Sessions");
  return path.join(process.env.XDG_STATE_HOME ?? path.join(os.homedir(), ".local", "state"), "sessions");
}

export class Logger {
  private file: string | null;
  private written = 0;

  constructor(dir: string | null = defaultLogDir(), name = "host.log") {
    this.file = null;
    if (dir) {
      try {
        fs.mkdirSync(dir, { recursive: true });
        this.file = path.join(dir, name);
        this.written = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
      } catch {
        this.file = null; // an unwritable log dir must not stop the host; stderr still works
      }
    }
  }

  log(level: Level, message: string, fields?: Record<string, unknown>): void {
    const line = `${new Date().toISOString()} ${level.toUpperCase()} [${process.pid}] ${message}${
      fields ? ` ${safeJson(fields)}` : ""
    }\n`;
    process.stderr.write(line);
    if (!this.file) return;
    try {
      if (this.written + line.length > MAX_FILE_BYTES) this.rotate();
      fs.appendFileSync(this.file, line);
      this.written += Buffer.byteLength(line);
    } catch {
      this.file = null;
    }
  }

  debug(m: string, f?: Record<string, unknown>) {
    this.log("debug", m, f);
  }
  info(m: string, f?: Record<string, unknown>) {
    this.log("info", m, f);
  }
  warn(m: string, f?: Record<string, unknown>) {
    this.log("warn", m, f);
  }
  error(m: string, f?: Record<string, unknown>) {
    this.log("error", m, f);
  }

  private rotate(): void {
    const file = this.file as string;
    for (let i = KEEP_FILES - 1; i >= 1; i--) {
      const from = `${file}.${i}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${file}.${i + 1}`);
    }
    fs.renameSync(file, `${file}.1`);
    this.written = 0;
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Routes console.* to the logger, and any direct process.stdout.write to the log as well. */
export function captureConsole(logger: Logger): (chunk: Buffer, cb: (err?: Error | null) => void) => boolean {
  const realWrite = process.stdout.write.bind(process.stdout) as (
    chunk: Buffer,
    cb: (err?: Error | null) => void,
  ) => boolean;
  const fmt = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" ");
  console.log = (...a: unknown[]) => logger.info(fmt(a));
  console.info = (...a: unknown[]) => logger.info(fmt(a));
  console.debug = (...a: unknown[]) => logger.debug(fmt(a));
  console.warn = (...a: unknown[]) => logger.warn(fmt(a));
  console.error = (...a: unknown[]) => logger.error(fmt(a));
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    logger.warn(`stray stdout write redirected to the log: ${String(chunk).slice(0, 500)}`);
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  return realWrite;
}
