/**
 * Managed policy in real Chromium: a policy file in Chromium's managed folder
 * (/etc/chromium/policies/managed, through the policy machine's private mount) sets the
 * extension's 3rd-party policy. The extension obeys it: a forbidden source cannot be started and
 * the side panel says why (with the administrator's message); the options page shows managed
 * values as locked and the invalid value as a warning; an allowed source records with the managed
 * values applied, and is stopped when a changed policy forbids it; shortening retention deletes an
 * old session with all its media; turning recording off shows without a restart.
 */
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXTENSION_ID } from "../../shared/src/extension-identity";
import type { SessionsBrowser } from "./lib/browser";
import { status, TEST_PATTERN_SETTINGS, waitFor, writeSettings } from "./lib/extension-ui";
import { type PolicyMachine, policyMachine } from "./lib/policy-chromium";

interface Status {
  state: string;
  sessionId: string | null;
  error: { code: string; message: string } | null;
}

const MANAGED = {
  allowedSources: ["test-pattern"],
  forbiddenMessage: "Ask IT at it@example.com.",
  microphoneAllowed: false,
  layout: "grid",
  maxFps: 500, // invalid on purpose: ignored, with a visible warning
  retentionDays: 7,
};
const policyFile = (managed: object) => ({ "3rdparty": { extensions: { [EXTENSION_ID]: managed } } });

let machine: PolicyMachine;
let s: SessionsBrowser;
let panel: Page;
let tab: Page;

beforeAll(async () => {
  machine = policyMachine();
  machine.writePolicy("sessions-test", policyFile(MANAGED));
  process.env.CHROMIUM_PATH = machine.executable; // read by the harness at each launch
  const { launchSessions } = await import("./lib/browser");
  s = await launchSessions();
  const worker = await s.worker();
  // Chromium loads 3rd-party policy a few seconds after the extension starts.
  await waitFor("the managed policy in the worker", () =>
    worker.evaluate(async () => "allowedSources" in (await chrome.storage.managed.get())),
  );
  panel = await s.openPage("sidepanel.html");
  tab = await s.browser.newPage();
}, 90_000);

afterAll(async () => {
  await s?.close();
  delete process.env.CHROMIUM_PATH;
  machine?.cleanup();
});

describe("managed policy", () => {
  it("a forbidden source cannot be started, and the side panel says why", async () => {
    await writeSettings(panel, { video: "primary-display", mic: null, systemAudio: false, fps: 10, segmentSeconds: 2 });
    await pressToolbar();
    const refused = await waitFor("a refused start", async () => {
      const st = await status<Status>(panel);
      return st.error?.code === "POLICY_FORBIDDEN" ? st : null;
    });
    expect(refused.state).toBe("idle");
    expect(refused.error?.message).toBe(
      "Your organization does not allow recording the display; allowed: test-pattern. Ask IT at it@example.com.",
    );
    const shown = await waitFor("the refusal in the side panel", () =>
      panel.evaluate(() => document.querySelector("[data-testid=policy-refusal]")?.textContent ?? ""),
    );
    expect(shown).toContain("does not allow recording the display");
    expect(shown).toContain("Ask IT at it@example.com.");
    expect(await panel.$eval("[data-testid=session-error]", (e) => e.getAttribute("data-code"))).toBe(
      "POLICY_FORBIDDEN",
    );

    // Asking the worker directly is refused the same way, and nothing was ever recorded.
    const reply = (await panel.evaluate(() =>
      chrome.runtime.sendMessage({ type: "session.command", command: "start" }),
    )) as {
      status: Status;
    };
    expect(reply.status).toMatchObject({ state: "idle", error: { code: "POLICY_FORBIDDEN" } });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await status<Status>(panel)).state).toBe("idle");
    expect(await countSessions(panel)).toBe(0);
  });

  it("the options page shows managed values as locked, and the invalid value as a warning", async () => {
    const options = await s.openPage("options.html");
    try {
      await options.waitForSelector("[data-testid=options-form] [data-testid=policy-warnings]", { timeout: 15_000 });
      const view = await options.evaluate(() => {
        const form = document.querySelector("[data-testid=options-form]") as HTMLFormElement;
        const selects = form.querySelectorAll("select");
        const boxes = form.querySelectorAll<HTMLInputElement>("input[type=checkbox]");
        return {
          layout: { value: selects[1]?.value, disabled: selects[1]?.disabled },
          displayOption: form.querySelector<HTMLOptionElement>("option[value=primary-display]")?.disabled,
          testPatternOption: form.querySelector<HTMLOptionElement>("option[value=test-pattern]")?.disabled,
          mic: { checked: boxes[0]?.checked, disabled: boxes[0]?.disabled },
          notes: [...form.querySelectorAll("[data-testid=locked-note]")].map((n) => n.textContent ?? ""),
          warnings: [...form.querySelectorAll("[data-testid=policy-warnings] li")].map((n) =>
            n.getAttribute("data-key"),
          ),
        };
      });
      expect(view.layout).toEqual({ value: "grid", disabled: true });
      expect(view.displayOption).toBe(true);
      expect(view.testPatternOption).toBe(false);
      expect(view.mic).toEqual({ checked: false, disabled: true });
      expect(view.notes.join("\n")).toMatch(/Locked: grid, set by your organization/);
      expect(view.notes.join("\n")).toMatch(/microphone is not allowed, set by your organization/);
      expect(view.warnings).toEqual(["maxFps"]);
    } finally {
      await options.close();
    }
  });

  it("retention deletes a session older than the policy's days, with its segments, screenshots and events", async () => {
    const DAY = 86_400_000;
    await seedSession(panel, "old-session", Date.now() - 30 * DAY);
    await seedSession(panel, "recent-session", Date.now() - 1 * DAY);
    expect(await countSessions(panel)).toBe(2);

    // The administrator shortens retention; the worker applies the changed policy at once
    // (the same pass also runs at startup and on the hourly alarm).
    machine.writePolicy("sessions-test", policyFile({ ...MANAGED, retentionDays: 10 }));
    await waitFor("the old session deleted", async () => !(await readRecords(panel, "old-session")).session, 60_000);
    expect(await readRecords(panel, "old-session")).toEqual({
      session: false,
      segments: 0,
      screenshots: 0,
      timeline: 0,
    });
    expect(await readRecords(panel, "recent-session")).toEqual({
      session: true,
      segments: 1,
      screenshots: 1,
      timeline: 1,
    });
  });

  it("an allowed source records with the managed layout and no microphone, until a new policy forbids it", async () => {
    await writeSettings(panel, {
      ...TEST_PATTERN_SETTINGS,
      layout: "passthrough",
    });
    await pressToolbar();
    const rec = await waitFor("recording", async () => {
      const st = await status<Status>(panel);
      return ["recording", "failed"].includes(st.state) ? st : null;
    });
    expect(rec, JSON.stringify(rec)).toMatchObject({ state: "recording", error: null });
    const record = await waitFor("the session record with its layout", async () => {
      const r = await sessionRecord(panel, rec.sessionId as string);
      return r?.layout ? r : null;
    });
    expect(record.layout).toBe("grid");

    // The administrator now forbids the test pattern: the running recording is stopped, live.
    machine.writePolicy("sessions-test", policyFile({ ...MANAGED, allowedSources: ["display"] }));
    const stopped = await waitFor(
      "the recording stopped by the new policy",
      async () => {
        const st = await status<Status>(panel);
        return ["completed", "failed"].includes(st.state) ? st : null;
      },
      60_000,
    );
    expect(stopped).toMatchObject({ state: "completed", sessionId: rec.sessionId });
    const done = await sessionRecord(panel, rec.sessionId as string);
    expect(done?.audio).toEqual({ count: 0, bytes: 0 }); // microphone forbidden: no audio track at all
    expect((done?.video as { count: number } | undefined)?.count).toBeGreaterThan(0);
  });

  it("a changed policy file applies live: turning recording off is shown without a restart", async () => {
    machine.writePolicy(
      "sessions-test",
      policyFile({ ...MANAGED, recordingAllowed: false, forbiddenMessage: "Paused by IT." }),
    );
    const shown = await waitFor(
      "the new policy in the side panel",
      async () => {
        const text = await panel.evaluate(
          () => document.querySelector("[data-testid=policy-refusal]")?.textContent ?? "",
        );
        return text.startsWith("Recording is turned off") ? text : null;
      },
      60_000,
    );
    expect(shown).toBe("Recording is turned off by your organization. Paused by IT.");
    await pressToolbar();
    const refused = await waitFor("a refused start", async () => {
      const st = await status<Status>(panel);
      return st.error?.code === "POLICY_FORBIDDEN" ? st : null;
    });
    expect(refused).toMatchObject({
      error: { message: "Recording is turned off by your organization. Paused by IT." },
    });
  });
});

async function pressToolbar() {
  const ext = (await s.browser.extensions()).get(s.extensionId);
  if (!ext) throw new Error("the Sessions extension is not loaded");
  await ext.triggerAction(tab);
}

// Page-side helpers: each runs whole in the extension page (puppeteer serializes the function,
// so it must be self-contained) against the IndexedDB the worker uses.

function countSessions(page: Page) {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open("sessions");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const r = open.result.transaction("sessions").objectStore("sessions").count();
          r.onsuccess = () => {
            open.result.close();
            resolve(r.result);
          };
          r.onerror = () => reject(r.error);
        };
      }),
  );
}

function sessionRecord(page: Page, id: string) {
  return page.evaluate(
    (sid) =>
      new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
        const open = indexedDB.open("sessions");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const r = open.result.transaction("sessions").objectStore("sessions").get(sid);
          r.onsuccess = () => {
            open.result.close();
            resolve(r.result);
          };
          r.onerror = () => reject(r.error);
        };
      }),
    id,
  );
}

/** A finished session with one segment, one screenshot and one timeline event, started at `startedAt`. */
function seedSession(page: Page, id: string, startedAt: number) {
  return page.evaluate(
    (sid, at) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open("sessions");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["sessions", "segments", "screenshots", "timeline"], "readwrite");
          tx.objectStore("sessions").put({
            id: sid,
            createdAt: at,
            updatedAt: at,
            startedAt: at,
            endedAt: at + 60_000,
            state: "completed",
            error: null,
            durationUs: 60_000_000,
            bytes: 110,
            video: { count: 1, bytes: 100 },
            audio: { count: 0, bytes: 0 },
            screenshots: { count: 1, bytes: 10 },
            timelineCount: 1,
            health: null,
            layout: "passthrough",
            sources: [],
          });
          const sha256 = "0".repeat(64);
          tx.objectStore("segments").put({
            sessionId: sid,
            track: "video",
            seq: 0,
            startUs: 0,
            endUs: 2_000_000,
            units: 20,
            mime: "video/mp4",
            bytes: 100,
            sha256,
            data: new Blob([new Uint8Array(100)]),
            committedAt: at,
          });
          tx.objectStore("screenshots").put({
            sessionId: sid,
            seq: 0,
            ts: 0,
            width: 1,
            height: 1,
            phash: "0",
            mime: "image/jpeg",
            bytes: 10,
            sha256,
            data: new Blob([new Uint8Array(10)]),
            committedAt: at,
          });
          tx.objectStore("timeline").put({ sessionId: sid, ts: 0, kind: "state", detail: "recording", at });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    id,
    startedAt,
  );
}

function readRecords(page: Page, id: string) {
  return page.evaluate(
    (sid) =>
      new Promise<{ session: boolean; segments: number; screenshots: number; timeline: number }>((resolve, reject) => {
        const open = indexedDB.open("sessions");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["sessions", "segments", "screenshots", "timeline"]);
          const s = tx.objectStore("sessions").getKey(sid);
          const seg = tx.objectStore("segments").index("by-session").count(sid);
          const shots = tx.objectStore("screenshots").index("by-session").count(sid);
          const tl = tx.objectStore("timeline").index("by-session").count(sid);
          tx.oncomplete = () => {
            open.result.close();
            resolve({
              session: s.result !== undefined,
              segments: seg.result,
              screenshots: shots.result,
              timeline: tl.result,
            });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    id,
  );
}
