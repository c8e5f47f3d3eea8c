/**
 * Test support: a real desktop for media tests — Xvfb with real X11 windows whose content moves
 * (ffplay showing a lavfi test source), and a PulseAudio daemon with a null sink `sys` playing
 * espeak-ng speech in a loop, so the sink's monitor carries "system audio". Everything is started
 * for real and torn down by `stop()`; a missing tool throws, naming the package.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Desktop {
  display: string;
  env: Record<string, string>;
  /** X11 window ids (hex, as xdotool prints them) by title. */
  windows: Map<string, string>;
  speechWav: string | null;
  addWindow(title: string, pattern?: string): Promise<string>;
  stop(): Promise<void>;
}

function need(tool: string, pkg: string): void {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "pipe" });
  } catch {
    throw new Error(`${tool} is missing: apt-get install ${pkg} (scripts/setup/system.sh installs it)`);
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A display number nobody holds; a lock left by a dead X server (killed test runs) is taken over. */
function freeDisplay(): number {
  for (let n = 90 + Math.floor(Math.random() * 100); n < 400; n++) {
    const lock = `/tmp/.X${n}-lock`;
    if (fs.existsSync(lock)) {
      const pid = Number.parseInt(fs.readFileSync(lock, "utf8").trim(), 10);
      if (!Number.isInteger(pid) || pid <= 0 || fs.existsSync(`/proc/${pid}`)) continue;
      fs.rmSync(lock, { force: true });
      fs.rmSync(`/tmp/.X11-unix/X${n}`, { force: true });
    }
    if (!fs.existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
  throw new Error("no free X display number");
}

export async function startDesktop(
  options: { windows?: string[]; audio?: boolean; speech?: string } = {},
): Promise<Desktop> {
  need("Xvfb", "xvfb");
  need("xdotool", "xdotool");
  need("ffplay", "ffmpeg");
  const procs: ChildProcess[] = [];
  const n = freeDisplay();
  const display = `:${n}`;
  const xvfb = spawn("Xvfb", [display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"], { stdio: "ignore" });
  procs.push(xvfb);
  await waitFor("Xvfb", () => fs.existsSync(`/tmp/.X11-unix/X${n}`));
  const env: Record<string, string> = { DISPLAY: display };
  const windows = new Map<string, string>();

  const addWindow = async (title: string, pattern = "testsrc2") => {
    const size = ["640x480", "800x600", "560x420", "720x405"][windows.size % 4];
    const p = spawn(
      "ffplay",
      [
        "-hide_banner",
        "-loglevel",
        "error",
        "-an",
        "-window_title",
        title,
        "-f",
        "lavfi",
        "-i",
        `${pattern}=size=${size}:rate=30`,
      ],
      { env: { ...process.env, DISPLAY: display, SDL_AUDIODRIVER: "dummy" }, stdio: "ignore" },
    );
    procs.push(p);
    let id = "";
    await waitFor(`window ${title}`, () => {
      try {
        id = execFileSync("xdotool", ["search", "--name", `^${title}$`], {
          env: { ...process.env, DISPLAY: display },
          encoding: "utf8",
        })
          .trim()
          .split("\n")[0] as string;
      } catch {
        id = "";
      }
      return id !== "";
    });
    const hex = `0x${Number(id).toString(16)}`;
    windows.set(title, hex);
    return hex;
  };
  for (const t of options.windows ?? []) await addWindow(t);

  let runtimeDir: string | null = null;
  let speechWav: string | null = null;
  if (options.audio) {
    need("pulseaudio", "pulseaudio");
    need("paplay", "pulseaudio-utils");
    need("espeak-ng", "espeak-ng");
    runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-pulse-"));
    env.XDG_RUNTIME_DIR = runtimeDir;
    env.PULSE_SERVER = `unix:${runtimeDir}/pulse/native`;
    execFileSync(
      "pulseaudio",
      [
        "-D",
        "--exit-idle-time=-1",
        "-n",
        "--load=module-native-protocol-unix",
        "--load=module-null-sink sink_name=sys",
        "--load=module-null-sink sink_name=mic",
      ],
      { env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir }, stdio: "pipe" },
    );
    await waitFor("PulseAudio", () => fs.existsSync(`${runtimeDir}/pulse/native`));
    execFileSync("pactl", ["set-default-sink", "sys"], { env: { ...process.env, ...env } });
    speechWav = path.join(runtimeDir, "speech.wav");
    execFileSync("espeak-ng", [
      "-w",
      speechWav,
      options.speech ??
        "Sessions records the windows you choose with your microphone and the system audio. One two three four five.",
    ]);
    // play the speech into the sink over and over, like a video call in the background
    const loop = spawn("sh", ["-c", `while :; do paplay -d sys "${speechWav}"; done`], {
      env: { ...process.env, ...env },
      stdio: "ignore",
      detached: true,
    });
    procs.push(loop);
  }

  return {
    display,
    env,
    windows,
    speechWav,
    addWindow,
    async stop() {
      for (const p of procs.reverse()) {
        try {
          if (p.pid && p.spawnargs[0] === "sh") process.kill(-p.pid, "SIGKILL");
          else p.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
      if (runtimeDir) {
        try {
          execFileSync("pulseaudio", ["--kill"], {
            env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
            stdio: "pipe",
          });
        } catch {
          // not running
        }
        // the daemon may still be removing its own files as it exits: retry instead of failing
        fs.rmSync(runtimeDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      }
    },
  };
}
