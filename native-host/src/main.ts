/**
 * Entry point of the native messaging host (bundled to dist/host.mjs). The very first thing it
 * does is take console and stdout away from everything else, so stdout carries frames only.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { captureConsole, Logger } from "./log/logger";

const logger = new Logger();
const write = captureConsole(logger);

const { buildHandlers } = await import("./handlers/index");
const { Host } = await import("./host");
const { allowedOrigins, normalizeOrigin, parseLaunchArgs } = await import("./launch-args");
const { encodeFrame } = await import("./framing/frame-encoder");

declare const __HOST_VERSION__: string;
const hostVersion = typeof __HOST_VERSION__ === "string" ? __HOST_VERSION__ : "0.0.0-dev";
const bundleDir = path.dirname(fileURLToPath(import.meta.url));

const args = parseLaunchArgs(process.argv.slice(2));
logger.info("host starting", {
  version: hostVersion,
  origin: args.origin,
  ignoredArgs: args.ignored,
  pid: process.pid,
});

const allowed = allowedOrigins(bundleDir);
if (!args.origin || !allowed.has(normalizeOrigin(args.origin))) {
  logger.error("caller origin not allowed", { origin: args.origin, allowed: [...allowed] });
  const frame = encodeFrame({
    type: "error",
    id: null,
    code: "FORBIDDEN_ORIGIN",
    message: `this host does not serve ${args.origin ?? "callers without an origin"}`,
    retryable: false,
  });
  write(frame, () => process.exit(1));
} else {
  const host = new Host({
    input: process.stdin,
    output: process.stdout,
    write,
    logger,
    hostVersion,
    handlers: buildHandlers,
    exit: (code) => process.exit(code),
  });
  process.on("uncaughtException", (err) => logger.error("uncaught exception", { error: err.stack ?? String(err) }));
  process.on("unhandledRejection", (err) => logger.error("unhandled rejection", { error: String(err) }));
  process.on("SIGTERM", () => void host.shutdown(0));
  host.start();
}
