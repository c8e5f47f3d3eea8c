import { HOST_NAME, SESSION_KEEPALIVE_MINUTES } from "@sessions/shared";
import { listSourcesOnce } from "../host/list-sources";
import { chromeConnect } from "../host/native-port";
import { enforcePolicy } from "../policy/policy-enforcement";
import { startPolicyRuntime } from "../policy/policy-runtime";
import { createAnnouncer } from "../storage/announcer";
import { openSessionsDb } from "../storage/open-db";
import { PersistenceQueue } from "../storage/persistence-queue";
import { applyBadge, badgeFor } from "./badge";
import { type SessionController, startSessionController } from "./session-controller";
import type { SessionStatus } from "./status";
import { type SourcesReply, type StatusBroadcast, type UiReply, UiRequest } from "./ui-messages";

/**
 * The worker's modules put together: database, queue, session controller, badge, status
 * broadcasts and the session tick alarm. Event listeners are registered by the entrypoint
 * synchronously (MV3 wakes the worker only for listeners added in its first turn) and wait here.
 */

/**
 * While a session is active this alarm fires every SESSION_KEEPALIVE_MINUTES. It refreshes the
 * badge's minutes, and — its real job — wakes a service worker that Chrome stopped: the woken
 * worker restores its snapshot, reconnects and reattaches to the recorder daemon, which keeps
 * recording meanwhile (RECORDER_ORPHAN_GRACE_MS is well above this period).
 */
export const SESSION_TICK_ALARM = "sessions-session-tick";

export async function bootBackground(): Promise<SessionController> {
  const db = await openSessionsDb();
  const queue = new PersistenceQueue({
    onError: (key, err) => console.error(`[sessions] write ${key} failed`, err),
  });
  const policy = await startPolicyRuntime(db);
  const controller = await startSessionController({
    db,
    queue,
    connect: chromeConnect,
    hostName: HOST_NAME,
    extensionVersion: chrome.runtime.getManifest().version,
    storage: policy.storage(navigator.storage),
    announce: createAnnouncer(),
    recordingSettings: policy.recordingSettings,
    refuseStart: policy.refusal,
    refuseSource: (source) => policy.sourceRefusal(source.kind),
    refuseLayout: (layout) => policy.layoutRefusal(layout),
  });
  enforcePolicy(db, policy, controller);
  const onStatus = (s: SessionStatus) => {
    void applyBadge(chrome.action, badgeFor(s)).catch(() => undefined);
    void updateTick(s);
    const msg: StatusBroadcast = { type: "session.status", status: s };
    chrome.runtime.sendMessage(msg).catch(() => undefined); // no page open: nobody listens
  };
  controller.subscribe(onStatus);
  onStatus(controller.status());
  return controller;
}

async function updateTick(s: SessionStatus): Promise<void> {
  const want = s.state !== "idle" && s.state !== "completed" && s.state !== "failed";
  const has = await chrome.alarms.get(SESSION_TICK_ALARM);
  if (want && !has) await chrome.alarms.create(SESSION_TICK_ALARM, { periodInMinutes: SESSION_KEEPALIVE_MINUTES });
  if (!want && has) await chrome.alarms.clear(SESSION_TICK_ALARM);
}

export async function refreshBadge(controller: SessionController): Promise<void> {
  await applyBadge(chrome.action, badgeFor(controller.status()));
}

/** Answers a page's request; anything not matching UiRequest gets an error reply. */
export async function handleUiRequest(controller: SessionController, raw: unknown): Promise<UiReply | SourcesReply> {
  const parsed = UiRequest.safeParse(raw);
  if (!parsed.success) return { ok: false, error: "BAD_REQUEST" };
  const req = parsed.data;
  if (req.type === "session.command") return { ok: true, status: await controller.command(req.command) };
  if (req.type === "sources.list") {
    const sources = await listSourcesOnce({
      connect: chromeConnect,
      hostName: HOST_NAME,
      extensionVersion: chrome.runtime.getManifest().version,
    });
    return { ok: true, sources };
  }
  if (req.type === "session.startWith")
    return { ok: true, status: await controller.startWith(req.sources, req.layout) };
  if (req.type === "session.addSource") return { ok: true, status: controller.addSource(req.source) };
  if (req.type === "session.removeSource") return { ok: true, status: controller.removeSource(req.sourceId) };
  if (req.type === "storage.flush") await controller.flush();
  return { ok: true, status: controller.status() };
}
