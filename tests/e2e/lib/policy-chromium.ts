/**
 * Test support: Chromium that reads machine-wide policy and system host manifests from a folder
 * the test owns. As root, a wrapper starts Chromium in its own mount namespace with that folder
 * bind-mounted over /etc/chromium, so Chromium reads the policy from its real managed folder
 * (/etc/chromium/policies/managed) and hosts from /etc/chromium/native-messaging-hosts, while the
 * rest of the machine — other engineers' browsers and tests running at the same time — never sees
 * them. The namespace dies with Chromium, so nothing leaks even if a test is killed; `cleanup()`
 * removes the folder. Point the harness at `executable` via CHROMIUM_PATH.
 */
import { execFileSync, type SpawnSyncReturns, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface PolicyMachine {
  /** A stand-in for `/`: `<root>/etc/chromium` is what Chromium sees as /etc/chromium. */
  root: string;
  etcChromium: string;
  /** The Chromium wrapper to hand to the harness (CHROMIUM_PATH). */
  executable: string;
  /** Runs a command that sees the same /etc/chromium as the wrapped Chromium (e.g. the installer). */
  run(command: string, args: string[]): SpawnSyncReturns<string>;
  writePolicy(name: string, policy: object): string;
  removePolicy(name: string): void;
  cleanup(): void;
}

const REAL_CHROMIUM = "/usr/bin/chromium";
const IN_NAMESPACE = `unshare --mount --propagation private sh -c 'mount --bind "$0" /etc/chromium && exec "$@"'`;

export function policyMachine(): PolicyMachine {
  if (process.getuid?.() !== 0) throw new Error("policy tests need root (mount namespaces and bind mounts)");
  for (const tool of ["unshare", "mount"]) execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "pipe" }); // throws with a clear status if missing
  if (!fs.existsSync("/etc/chromium")) throw new Error("/etc/chromium is missing: apt-get install chromium");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-policy-machine-"));
  const etcChromium = path.join(root, "etc/chromium");
  fs.cpSync("/etc/chromium", etcChromium, { recursive: true }); // keep Debian's own files (master_preferences)
  const managed = path.join(etcChromium, "policies/managed");
  fs.mkdirSync(managed, { recursive: true });
  const executable = path.join(root, "chromium");
  fs.writeFileSync(executable, `#!/bin/sh\nexec ${IN_NAMESPACE} "${etcChromium}" ${REAL_CHROMIUM} "$@"\n`, {
    mode: 0o755,
  });
  return {
    root,
    etcChromium,
    executable,
    run(command, args) {
      return spawnSync(
        "unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          'mount --bind "$0" /etc/chromium && exec "$@"',
          etcChromium,
          command,
          ...args,
        ],
        { encoding: "utf8" },
      );
    },
    writePolicy(name, policy) {
      const file = path.join(managed, `${name}.json`);
      const tmp = path.join(root, `${name}.json.tmp`); // outside the folder Chromium reads
      fs.writeFileSync(tmp, JSON.stringify(policy, null, 2));
      fs.renameSync(tmp, file); // Chromium's watcher never sees half a file
      return file;
    },
    removePolicy(name) {
      fs.rmSync(path.join(managed, `${name}.json`), { force: true });
    },
    cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
