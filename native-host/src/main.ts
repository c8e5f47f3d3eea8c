/**
 * Entry point of the native messaging host (bundled to dist/host.mjs), in one of two roles:
 * - started by the browser (origin as argument): relay the port to the user's recorder daemon,
 *   starting it if needed (relay/); the daemon decides whether the caller is served;
 * - started with `--daemon` by a relay: the recorder daemon itself (daemon/).
 * The very first thing it does is take console and stdout away from everything else, so stdout
 * carries frames only.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { captureConsole, Logger } from "./log/logger";

const isDaemon = process.argv.slice(2).includes("--daemon");
const logger = new Logger(undefined, isDaemon ? "recorder.log" : "host.log");
const write = captureConsole(logger);

declare const __HOST_VERSION__: string;
const hostVersion = typeof __HOST_VERSION__ === "string" ? __HOST_VERSION__ : "0.0.0-dev";
const bundlePath = fileURLToPath(import.meta.url);
const bundleDir = path.dirname(bundlePath);

process.on("uncaughtException", (err) => logger.error("uncaught exception", { error: err.stack ?? String(err) }));
process.on("unhandledRejection", (err) => logger.error("unhandled rejection", { error: String(err) }));

if (isDaemon) {
  const { runDaemon } = await import("./daemon/recorder-daemon");
  logger.info("recorder daemon starting", { version: hostVersion, pid: process.pid });
  await runDaemon({ logger, hostVersion, bundleDir, bundlePath }).catch((e) => {
    logger.error("recorder daemon failed to start", { error: (e as Error).stack ?? String(e) });
    process.exit(1);
  });
} else {
  const { parseLaunchArgs } = await import("./launch-args");
  const { encodeFrame } = await import("./framing/frame-encoder");
  const { ensurePrivateDir, runtimeDir } = await import("./daemon/runtime-dir");
  const { connectDaemon, spawnDaemon } = await import("./relay/connect-daemon");
  const { relay } = await import("./relay/relay");
  const { buildIdentity } = await import("./daemon/build-identity");
  const args = parseLaunchArgs(process.argv.slice(2));
  logger.info("host starting", {
    version: hostVersion,
    origin: args.origin,
    ignoredArgs: args.ignored,
    pid: process.pid,
  });
  // Whether the caller is served is the daemon's decision (relay.hello), as for sessions-relay.
  try {
    const dir = runtimeDir();
    ensurePrivateDir(dir);
    const { socket, spawned } = await connectDaemon(
      dir,
      () => spawnDaemon(bundlePath, process.env),
      Date.now() + 5_000,
    );
    logger.info("relaying to the recorder daemon", { dir, spawnedDaemon: spawned ?? null });
    relay({
      socket,
      origin: args.origin,
      build: buildIdentity(bundlePath),
      input: process.stdin,
      output: process.stdout,
      write,
      logger,
      exit: (c) => process.exit(c),
    });
  } catch (e) {
    logger.error("cannot reach the recorder daemon", { error: String(e) });
    const message = `the recorder daemon could not be reached: ${String(e)}; see the host log`;
    write(encodeFrame({ type: "error", id: null, code: "INTERNAL", message, retryable: false }), () => process.exit(1));
  }
}
