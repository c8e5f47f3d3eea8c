/**
 * The host installed only system-wide works where policy disables user-level hosts: the real
 * installer writes /etc/chromium/native-messaging-hosts (`install --system`), `doctor --system`
 * verifies it, and Chromium with NativeMessagingUserLevelHosts=false and a NativeMessagingAllowlist
 * completes hello from the extension's service worker. Controls prove the policy is in force: the
 * same policy makes a profile-installed host "not found", and a host not on the allowlist "forbidden".
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { WebWorker } from "puppeteer-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type PolicyMachine, policyMachine } from "./lib/policy-chromium";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "native-host/dist/cli.mjs");
const POLICY = {
  NativeMessagingUserLevelHosts: false,
  NativeMessagingBlocklist: ["*"],
  NativeMessagingAllowlist: ["com.sessions.host"],
};

let machine: PolicyMachine;
let launchSessions: typeof import("./lib/browser").launchSessions;

beforeAll(async () => {
  machine = policyMachine();
  machine.writePolicy("sessions-test", POLICY);
  process.env.CHROMIUM_PATH = machine.executable; // read by the harness at each launch
  ({ launchSessions } = await import("./lib/browser"));
});
afterAll(() => {
  delete process.env.CHROMIUM_PATH;
  machine?.cleanup();
});

/** The real installer, seeing the same /etc/chromium as the test's Chromium. */
const cli = (...args: string[]) => machine.run(process.execPath, [CLI, ...args]);

function connect(worker: WebWorker, host: string) {
  return worker.evaluate(
    (name) =>
      new Promise<{ reply?: unknown; error?: string }>((resolve) => {
        const port = chrome.runtime.connectNative(name);
        const timer = setTimeout(() => resolve({ error: "no reply in 10 s" }), 10_000);
        port.onMessage.addListener((m) => {
          clearTimeout(timer);
          port.disconnect();
          resolve({ reply: m });
        });
        port.onDisconnect.addListener(() => {
          clearTimeout(timer);
          resolve({ error: chrome.runtime.lastError?.message ?? "disconnected" });
        });
        port.postMessage({
          type: "hello",
          id: "sys",
          protocol: 1,
          extensionVersion: chrome.runtime.getManifest().version,
        });
      }),
    host,
  );
}

it("install --system writes the system manifest and doctor --system passes", () => {
  const install = cli("install", "--system", "--browser", "chromium");
  expect(install.status, install.stderr).toBe(0);
  const manifest = path.join(machine.etcChromium, "native-messaging-hosts/com.sessions.host.json");
  expect(install.stdout).toContain("/etc/chromium/native-messaging-hosts/com.sessions.host.json");
  expect(fs.existsSync(manifest)).toBe(true);
  const doctor = cli("doctor", "--system", "--browser", "chromium", "--live");
  expect(doctor.status, doctor.stdout + doctor.stderr).toBe(0);
  expect(doctor.stdout).toMatch(
    /✓ chromium \(system\) \/etc\/chromium\/native-messaging-hosts\/com\.sessions\.host\.json/,
  );
});

it("with user-level hosts disabled by policy, the service worker completes hello with the system-wide host", async () => {
  const s = await launchSessions({ installHost: false });
  try {
    const result = await connect(await s.worker(), "com.sessions.host");
    expect(result.error).toBeUndefined();
    expect(result.reply).toMatchObject({ type: "hello", id: "sys", protocol: 1, platform: "linux" });
  } finally {
    await s.close();
  }
});

it("the policy is really in force: a host not on the allowlist is refused, a profile-only host is not found", async () => {
  // A second host, installed system-wide like ours but not on the allowlist.
  const other = path.join(machine.etcChromium, "native-messaging-hosts/com.other.host.json");
  const ours = JSON.parse(fs.readFileSync(other.replace("com.other.host", "com.sessions.host"), "utf8"));
  fs.writeFileSync(other, JSON.stringify({ ...ours, name: "com.other.host" }));
  const s = await launchSessions({ installHost: false });
  try {
    expect((await connect(await s.worker(), "com.other.host")).error).toMatch(/disabled by the system administrator/i);
  } finally {
    await s.close();
    fs.rmSync(other);
  }

  const uninstall = cli("uninstall", "--system", "--browser", "chromium");
  expect(uninstall.status, uninstall.stderr).toBe(0);
  const profileOnly = await launchSessions({ installHost: true });
  try {
    expect(fs.existsSync(path.join(profileOnly.userDataDir, "NativeMessagingHosts/com.sessions.host.json"))).toBe(true);
    expect((await connect(await profileOnly.worker(), "com.sessions.host")).error).toMatch(/not found/i);
  } finally {
    await profileOnly.close();
  }
  expect(
    execFileSync("ls", [path.join(machine.etcChromium, "native-messaging-hosts")], { encoding: "utf8" }).trim(),
  ).toBe("");
});
