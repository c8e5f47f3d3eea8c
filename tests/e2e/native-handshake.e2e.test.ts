import { afterAll, beforeAll, expect, it } from "vitest";
import { launchSessions, type SessionsBrowser } from "./lib/browser";

let s: SessionsBrowser;
beforeAll(async () => {
  s = await launchSessions();
}, 60_000);
afterAll(async () => {
  await s?.close();
});

it("the extension's service worker completes hello with the host the installer put in its profile", async () => {
  const worker = await s.worker();
  const reply = await worker.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const port = chrome.runtime.connectNative("com.sessions.host");
        const timer = setTimeout(() => reject(new Error("no reply in 10 s")), 10_000);
        port.onMessage.addListener((m) => {
          clearTimeout(timer);
          port.disconnect();
          resolve(m);
        });
        port.onDisconnect.addListener(() =>
          reject(new Error(`disconnected: ${chrome.runtime.lastError?.message ?? "no error"}`)),
        );
        port.postMessage({
          type: "hello",
          id: "e2e",
          protocol: 1,
          extensionVersion: chrome.runtime.getManifest().version,
        });
      }),
  );
  expect(reply).toMatchObject({ type: "hello", id: "e2e", protocol: 1, platform: "linux" });
});

it("without the host installed, connecting fails with Chrome's 'not found' error", async () => {
  const bare = await launchSessions({ installHost: false });
  try {
    const worker = await bare.worker();
    const error = await worker.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const port = chrome.runtime.connectNative("com.sessions.host");
          port.onDisconnect.addListener(() => resolve(chrome.runtime.lastError?.message ?? ""));
        }),
    );
    expect(error).toMatch(/not found/i);
  } finally {
    await bare.close();
  }
});
