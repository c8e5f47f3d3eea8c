import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXTENSION_ID, HOST_NAME } from "@sessions/shared";
import { describe, expect, it } from "vitest";
import { BROWSERS, targetFor } from "../browsers";
import { doctor, install, uninstall } from "../install";
import { parseRegQueryDefault, type Registry } from "../registry";

const CLI = path.resolve(import.meta.dirname, "../../../dist/cli.mjs");
const LAUNCHER = path.resolve(import.meta.dirname, "../../../dist/sessions-host");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "sessions-installer-"));

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A registry double: reg.exe cannot run on Linux; this keeps the same key/value semantics. */
function memoryRegistry(): Registry & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    setDefault: (hive, key, value) => values.set(`${hive}\\${key}`, value),
    remove: (hive, key) => values.delete(`${hive}\\${key}`),
    getDefault: (hive, key) => values.get(`${hive}\\${key}`) ?? null,
  };
}

describe("installer CLI (real files, real launcher)", () => {
  it("round-trips into a --user-data-dir: install → doctor ok (live) → uninstall → nothing installed", async () => {
    const profile = tmp();
    const installed = cli(["install", "--user-data-dir", profile, "--json"]);
    expect(installed.code).toBe(0);
    const file = path.join(profile, "NativeMessagingHosts", `${HOST_NAME}.json`);
    const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(manifest).toEqual({
      name: HOST_NAME,
      description: expect.stringMatching(/\S/),
      path: LAUNCHER,
      type: "stdio",
      allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
    });

    // The live handshake goes through the relay to a recorder daemon: a private one for this test.
    const runtimeDir = fs.mkdtempSync(path.join("/tmp", "sessions-rt-"));
    const ok = cli(["doctor", "--user-data-dir", profile, "--live", "--json"], { SESSIONS_RUNTIME_DIR: runtimeDir });
    const report = JSON.parse(ok.stdout);
    expect(report).toMatchObject({ installed: 1, broken: 0, daemon: { runtimeDir, running: true, socket: true } });
    expect(ok.code).toBe(0);
    process.kill(report.daemon.pid, "SIGKILL");
    for (let i = 0; i < 100 && fs.existsSync(`/proc/${report.daemon.pid}/stat`); i++) {
      if (fs.readFileSync(`/proc/${report.daemon.pid}/stat`, "utf8").includes(") Z ")) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const text = cli(["doctor", "--user-data-dir", profile], { SESSIONS_RUNTIME_DIR: runtimeDir }).stdout;
    expect(text).toContain(`recorder daemon: not running (the first browser connection starts it) — ${runtimeDir}`);

    expect(cli(["uninstall", "--user-data-dir", profile]).code).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
    const none = cli(["doctor", "--user-data-dir", profile]);
    expect(none.code).toBe(3);
    expect(none.stdout).toContain("nothing installed");
  });

  it("installs for all five browsers per user, under $HOME and $XDG_CONFIG_HOME", () => {
    const home = tmp();
    const r = cli(["install", "--json"], { HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") });
    expect(r.code).toBe(0);
    const written = JSON.parse(r.stdout).installed as string[];
    expect(written.map((f) => path.relative(home, f)).sort()).toEqual(
      [
        ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
        ".config/chromium/NativeMessagingHosts",
        ".config/google-chrome/NativeMessagingHosts",
        ".config/microsoft-edge/NativeMessagingHosts",
        ".config/vivaldi/NativeMessagingHosts",
      ].map((d) => `${d}/${HOST_NAME}.json`),
    );
    const d = cli(["doctor", "--browser", "chromium,edge", "--json"], {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, ".config"),
    });
    expect(JSON.parse(d.stdout)).toMatchObject({ installed: 2, broken: 0 });
    cli(["uninstall"], { HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") });
    expect(cli(["doctor"], { HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") }).code).toBe(3);
  });

  it("writes system-wide manifests below --dest-dir (packaging) at the browsers' /etc paths", () => {
    const root = tmp();
    const launcher = "/opt/sessions/bin/sessions-host";
    fs.mkdirSync(path.join(root, "opt/sessions/bin"), { recursive: true });
    fs.writeFileSync(path.join(root, launcher), "#!/bin/sh\n", { mode: 0o755 });
    const r = cli(["install", "--system", "--dest-dir", root, "--launcher", launcher, "--json"]);
    expect(r.code).toBe(0);
    for (const dir of [
      "etc/opt/chrome/native-messaging-hosts",
      "etc/chromium/native-messaging-hosts",
      "etc/opt/edge/native-messaging-hosts",
    ])
      expect(fs.existsSync(path.join(root, dir, `${HOST_NAME}.json`))).toBe(true);
    expect(JSON.parse(cli(["doctor", "--system", "--dest-dir", root, "--json"]).stdout)).toMatchObject({
      installed: 5,
      broken: 0,
    });
  });

  it("doctor names what is wrong: missing launcher, foreign origin, relative path, bad JSON", () => {
    const profile = tmp();
    const file = path.join(profile, "NativeMessagingHosts", `${HOST_NAME}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const base = { name: HOST_NAME, description: "d", type: "stdio" };
    const check = (content: string) => {
      fs.writeFileSync(file, content);
      const r = cli(["doctor", "--user-data-dir", profile, "--json"]);
      expect(r.code).toBe(1);
      return JSON.parse(r.stdout).entries[0].problems.join("\n") as string;
    };
    expect(
      check(
        JSON.stringify({
          ...base,
          path: "/nonexistent/launcher",
          allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
        }),
      ),
    ).toMatch(/does not exist/);
    expect(
      check(JSON.stringify({ ...base, path: LAUNCHER, allowed_origins: [`chrome-extension://${"a".repeat(32)}/`] })),
    ).toMatch(/does not name/);
    expect(
      check(JSON.stringify({ ...base, path: LAUNCHER, allowed_origins: [`chrome-extension://${EXTENSION_ID}`] })),
    ).toMatch(/allowed_origins/);
    expect(
      check(
        JSON.stringify({ ...base, path: "sessions-host", allowed_origins: [`chrome-extension://${EXTENSION_ID}/`] }),
      ),
    ).toMatch(/not absolute/);
    expect(check("{ not json")).toMatch(/not valid JSON/);
  });

  it("rejects bad usage with exit code 2 and the usage text", () => {
    expect(cli(["frobnicate"]).code).toBe(2);
    expect(cli(["install", "--browser", "netscape"]).stderr).toMatch(/unknown browser netscape/);
    expect(cli(["install", "--extension-id", "xyz"]).code).toBe(2);
    expect(cli(["install", "--system", "--user-data-dir", "/tmp/x"]).code).toBe(2);
  });

  it("the npx entry point runs the same CLI", () => {
    const bin = path.resolve(import.meta.dirname, "../../../bin/sessions-host.mjs");
    const r = spawnSync(process.execPath, [bin, "doctor", "--user-data-dir", tmp()], { encoding: "utf8" });
    expect(r.status).toBe(3);
    expect(r.stdout).toContain("nothing installed");
  });
});

describe("installer on macOS and Windows (paths and registry)", () => {
  const mac = { platform: "darwin" as const, home: "/Users/ann", env: {} };
  const win = {
    platform: "win32" as const,
    home: "C:\\Users\\ann",
    env: { LOCALAPPDATA: "C:\\Users\\ann\\AppData\\Local", ProgramFiles: "C:\\Program Files" },
  };

  it("uses the documented macOS folders", () => {
    expect(targetFor("chrome", "user", HOST_NAME, mac).manifestPath).toBe(
      `/Users/ann/Library/Application Support/Google/Chrome/NativeMessagingHosts/${HOST_NAME}.json`,
    );
    expect(targetFor("chrome", "system", HOST_NAME, mac).manifestPath).toBe(
      `/Library/Google/Chrome/NativeMessagingHosts/${HOST_NAME}.json`,
    );
    expect(targetFor("edge", "system", HOST_NAME, mac).manifestPath).toBe(
      `/Library/Microsoft/Edge/NativeMessagingHosts/${HOST_NAME}.json`,
    );
  });

  it("registers a manifest under HKCU / HKLM for each browser and doctor follows the registry", () => {
    const reg = memoryRegistry();
    const targets = BROWSERS.map((b) => targetFor(b, "system", HOST_NAME, win));
    expect(targets[0]?.registry).toEqual({
      hive: "HKLM",
      key: `Software\\Google\\Chrome\\NativeMessagingHosts\\${HOST_NAME}`,
    });
    expect(targets[0]?.manifestPath).toBe(`C:\\Program Files\\Sessions\\NativeMessagingHosts\\${HOST_NAME}.json`);
    const root = tmp();
    const launcher = "C:\\Program Files\\Sessions\\sessions-host.bat";
    fs.writeFileSync(path.join(root, launcher), "@echo off\r\n");
    install(targets, { hostName: HOST_NAME, launcher, extensionIds: [EXTENSION_ID], registry: reg, destDir: root });
    expect([...reg.values.keys()].sort()).toEqual(
      [
        "HKLM\\Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts",
        "HKLM\\Software\\Chromium\\NativeMessagingHosts",
        "HKLM\\Software\\Google\\Chrome\\NativeMessagingHosts",
        "HKLM\\Software\\Microsoft\\Edge\\NativeMessagingHosts",
        "HKLM\\Software\\Vivaldi\\NativeMessagingHosts",
      ].map((k) => `${k}\\${HOST_NAME}`),
    );
    const entries = doctor(targets, { hostName: HOST_NAME, extensionId: EXTENSION_ID, registry: reg, destDir: root });
    expect(entries.map((e) => [e.browser, e.installed, e.problems])).toEqual(BROWSERS.map((b) => [b, true, []]));
    uninstall(targets, { registry: reg, destDir: root });
    expect(reg.values.size).toBe(0);
    expect(
      doctor(targets, { hostName: HOST_NAME, extensionId: EXTENSION_ID, registry: reg, destDir: root }).some(
        (e) => e.installed,
      ),
    ).toBe(false);
  });

  it("reads reg.exe's query output", () => {
    expect(
      parseRegQueryDefault("\r\nHKEY_CURRENT_USER\\Software\\X\r\n    (Default)    REG_SZ    C:\\a b\\c.json\r\n"),
    ).toBe("C:\\a b\\c.json");
    expect(parseRegQueryDefault("ERROR: The system was unable to find the specified registry key")).toBeNull();
  });
});
