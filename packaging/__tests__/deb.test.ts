/**
 * The .deb on this machine, as root: dpkg -i installs the host with its own Node and the system
 * manifests for every browser; `sessions-host doctor --system --live` passes (a real handshake
 * with the packaged host); dpkg -r removes every file it listed and every manifest and folder it
 * created; --purge leaves no trace in dpkg's database. The machine is restored even on failure.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WATCHED = ["/etc/opt", "/etc/chromium", "/opt", "/usr/bin", "/var/lib/sessions-host"];
let deb: string;
let before: string[];

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" });
const installed = () =>
  run("dpkg-query", ["-W", `-f=${"$"}{Status}`, "sessions-host"]).stdout.includes("install ok installed");

/** Every path below the watched folders, to compare the machine before and after. */
function snapshot(): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number) => {
    if (!fs.existsSync(p)) return;
    out.push(p);
    if (depth === 0 || !fs.lstatSync(p).isDirectory()) return;
    for (const e of fs.readdirSync(p)) walk(path.join(p, e), depth - 1);
  };
  for (const w of WATCHED) walk(w, w === "/usr/bin" ? 1 : 4);
  return out.sort();
}

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error("the .deb test installs a package: run it as root");
  if (installed())
    throw new Error("sessions-host is already installed on this machine; remove it first (dpkg -r sessions-host)");
  deb = execFileSync("bash", [path.join(ROOT, "packaging/deb/build-deb.sh")], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop() as string;
  before = snapshot();
});

afterAll(() => {
  if (installed() || run("dpkg-query", ["-W", "sessions-host"]).status === 0) run("dpkg", ["--purge", "sessions-host"]);
});

it("installs, passes doctor --system --live, and uninstalls leaving nothing behind", () => {
  const info = execFileSync("dpkg-deb", ["-f", deb, "Package", "Depends"], { encoding: "utf8" });
  expect(info).toMatch(/^Package: sessions-host$/m);

  const inst = run("dpkg", ["-i", deb]);
  expect(inst.status, inst.stderr).toBe(0);
  expect(installed()).toBe(true);

  // The packaged host depends on nothing in this checkout.
  const launcher = fs.readFileSync("/opt/sessions/bin/sessions-host", "utf8");
  expect(launcher).toContain('exec "/opt/sessions/bin/sessions-relay" --node "/opt/sessions/bin/node"');
  expect(launcher).toContain('exec "/opt/sessions/bin/node" "/opt/sessions/lib/host.mjs"');
  expect(launcher).not.toContain(ROOT);
  expect(execFileSync("/opt/sessions/bin/node", ["--version"], { encoding: "utf8" })).toMatch(/^v\d+\./);

  const doctor = run("sessions-host", ["doctor", "--system", "--live", "--json"]);
  expect(doctor.status, doctor.stdout + doctor.stderr).toBe(0);
  const report = JSON.parse(doctor.stdout) as {
    installed: number;
    broken: number;
    entries: { manifestPath: string }[];
  };
  expect(report).toMatchObject({ installed: 5, broken: 0 });
  const manifests = report.entries.map((e) => e.manifestPath);
  expect(manifests).toContain("/etc/chromium/native-messaging-hosts/com.sessions.host.json");
  for (const m of manifests)
    expect(JSON.parse(fs.readFileSync(m, "utf8")).path).toBe("/opt/sessions/bin/sessions-host");

  // Reinstalling over itself (the upgrade path: old prerm, new postinst) keeps it working.
  const again = run("dpkg", ["-i", deb]);
  expect(again.status, again.stderr).toBe(0);
  expect(run("sessions-host", ["doctor", "--system"]).status).toBe(0);

  const listed = execFileSync("dpkg", ["-L", "sessions-host"], { encoding: "utf8" }).split("\n").filter(Boolean);
  const files = listed.filter((p) => fs.existsSync(p) && !fs.lstatSync(p).isDirectory());
  expect(files).toEqual(
    expect.arrayContaining([
      "/opt/sessions/bin/node",
      "/opt/sessions/bin/sessions-relay",
      "/opt/sessions/lib/host.mjs",
      "/usr/bin/sessions-host",
    ]),
  );

  const rm = run("dpkg", ["-r", "sessions-host"]);
  expect(rm.status, rm.stderr).toBe(0);
  for (const f of [...files, ...manifests]) expect(fs.existsSync(f), `${f} is left behind`).toBe(false);
  expect(snapshot()).toEqual(before);

  const purge = run("dpkg", ["--purge", "sessions-host"]);
  expect(purge.status, purge.stderr).toBe(0);
  expect(run("dpkg-query", ["-W", "sessions-host"]).status).not.toBe(0);
  expect(snapshot()).toEqual(before);
});
