import type { Layout, VideoSourceRef } from "@sessions/shared";
import { type Actor, createActor } from "xstate";
import type { ConnectNative } from "../host/native-port";
import { loadSettings, type Settings, saveSettings } from "../settings/settings";
import type { DbChange } from "../storage/change-feed";
import type { Db } from "../storage/open-db";
import type { PersistenceQueue } from "../storage/persistence-queue";
import type { StorageManagerLike } from "../storage/quota";
import { patchSession } from "../storage/sessions-repo";
import { createMediaSink } from "./media-sink";
import type { SessionEvent } from "./session-events";
import { createSessionMachine, type FinalizeInput, type SessionMachine } from "./session-machine";
import { createSessionRecorder } from "./session-recorder";
import { loadSnapshot } from "./snapshot-store";
import { type SessionStatus, statusOf } from "./status";
import { layoutOfCommand, type SessionCommand } from "./ui-messages";

/**
 * Owns the one session actor of the worker: restores it from the persisted snapshot at start,
 * turns toolbar/keyboard/UI commands into machine events, and mirrors every snapshot into
 * IndexedDB through the queue. `ready` resolves once the restored (or fresh) actor runs.
 */

export interface ControllerDeps {
  db: Db;
  queue: PersistenceQueue;
  connect: ConnectNative;
  extensionVersion: string;
  storage?: StorageManagerLike;
  announce?: (c: DbChange) => void;
  newSessionId?: () => string;
  hostName?: string;
  reconnectDelays?: readonly number[];
  /** Settings for a new recording (default: the stored ones); the managed policy supplies its own. */
  recordingSettings?: () => Promise<Settings>;
  /** Why a start is refused (managed policy), shown as a POLICY_FORBIDDEN error; null lets it start. */
  refuseStart?: (settings: Settings) => string | null;
  /** Why adding a source of this kind is refused (managed policy); null lets it through. */
  refuseSource?: (source: VideoSourceRef) => string | null;
  /** Why switching a running recording to this layout is refused (managed policy); null lets it through. */
  refuseLayout?: (layout: Layout) => string | null;
}

export type Command = SessionCommand;

export interface SessionController {
  command(cmd: Command): Promise<SessionStatus>;
  /** Remembers the picker's choice in the settings and starts with it (when no session runs). */
  startWith(sources: VideoSourceRef[], layout: Layout): Promise<SessionStatus>;
  addSource(source: VideoSourceRef): SessionStatus;
  removeSource(sourceId: string): SessionStatus;
  /** Switches the running recording's layout (also the `layout:…` commands). */
  setLayout(layout: Layout): SessionStatus;
  status(): SessionStatus;
  subscribe(listener: (s: SessionStatus) => void): () => void;
  /** Resolves when every write caused so far is in IndexedDB. */
  flush(): Promise<void>;
  stop(): void;
  actor: Actor<SessionMachine>;
}

export async function startSessionController(deps: ControllerDeps): Promise<SessionController> {
  const { db, queue } = deps;
  let actorRef: Actor<SessionMachine> | null = null;
  const send = (e: SessionEvent) => actorRef?.send(e);
  const sink = createMediaSink({
    db,
    queue,
    send,
    ...(deps.storage ? { storage: deps.storage } : {}),
    ...(deps.announce ? { announce: deps.announce } : {}),
  });
  const machine = createSessionMachine({
    port: {
      connect: deps.connect,
      extensionVersion: deps.extensionVersion,
      ...(deps.hostName ? { hostName: deps.hostName } : {}),
      ...(deps.reconnectDelays ? { delays: deps.reconnectDelays } : {}),
    },
    onMedia: (m) => sink.accept(m),
    // Every start path (toolbar, side panel, restored choice) ends in a plan: the policy checks
    // the sources in it with the kinds the host reported.
    refusePlan: (plan) => {
      for (const source of plan.video?.sources ?? []) {
        const why = deps.refuseSource?.(source);
        if (why) return why;
      }
      return null;
    },
    finalize: async (input) => {
      await sink.settled(); // items already received (e.g. resent after a reconnect) are kept
      await finalizeSession(db, queue, input);
    },
  });
  const record = createSessionRecorder(db, queue, deps.announce);
  const restored = await loadSnapshot(db);
  const actor = createActorSafely(machine, restored);
  actorRef = actor;
  const listeners = new Set<(s: SessionStatus) => void>();
  let lastKey = "";
  // What the policy refused last: the status' error until the machine's status really changes.
  let refusal: string | null = null;
  const current = (snap = actor.getSnapshot()): SessionStatus => {
    const status = statusOf(snap);
    return refusal ? { ...status, error: { code: "POLICY_FORBIDDEN", message: refusal } } : status;
  };
  const refuse = (why: string): SessionStatus => {
    refusal = why;
    const status = current();
    for (const l of listeners) l(status);
    return status;
  };
  const settingsForStart = async () => (deps.recordingSettings ? deps.recordingSettings() : loadSettings(db));
  actor.subscribe((snap) => {
    void record(snap, () => actor.getPersistedSnapshot()).catch((err) =>
      console.error("[sessions] persisting snapshot failed", err),
    );
    // Media events produce a snapshot each (thousands a minute); listeners (badge, pages) hear
    // only real changes. Elapsed time moves on its own: pages tick, the badge has its alarm.
    const status = statusOf(snap);
    const key = JSON.stringify({ ...status, at: 0, elapsedMs: 0 });
    if (key === lastKey) return;
    lastKey = key;
    refusal = null;
    for (const l of listeners) l(status);
  });
  actor.start();
  // Write the restored snapshot back at once so the session record reflects the reattached state.
  await record(actor.getSnapshot(), () => actor.getPersistedSnapshot());

  const setLayout = (layout: Layout): SessionStatus => {
    const why = deps.refuseLayout?.(layout);
    if (why) return refuse(why);
    refusal = null; // an accepted command ends what an earlier refusal said
    actor.send({ type: "ui.setLayout", layout });
    return current();
  };
  const newId = deps.newSessionId ?? (() => crypto.randomUUID());
  return {
    actor,
    async command(cmd) {
      const layout = layoutOfCommand(cmd);
      if (layout) return setLayout(layout);
      const state = statusOf(actor.getSnapshot()).state;
      const idle = state === "idle" || state === "completed" || state === "failed";
      if (cmd === "start" || (cmd === "toggle" && idle)) {
        if (idle) {
          const settings = await settingsForStart();
          const why = deps.refuseStart?.(settings);
          if (why) return refuse(why);
          actor.send({ type: "ui.start", sessionId: newId(), settings });
        }
      } else if (cmd === "toggle" || cmd === "stop") actor.send({ type: "ui.stop" });
      else if (cmd === "pause") actor.send({ type: "ui.pause" });
      else if (cmd === "resume") actor.send({ type: "ui.resume" });
      else if (cmd === "dismiss") actor.send({ type: "ui.dismiss" });
      return current();
    },
    async startWith(sources, layout) {
      const saved = await saveSettings(db, { ...(await loadSettings(db)), chosenSources: sources, layout });
      const settings = deps.recordingSettings ? await deps.recordingSettings() : saved;
      const state = statusOf(actor.getSnapshot()).state;
      if (state === "idle" || state === "completed" || state === "failed") {
        const why = deps.refuseStart?.(settings);
        if (why) return refuse(why);
        actor.send({ type: "ui.start", sessionId: newId(), settings });
      }
      return current();
    },
    addSource(source) {
      const why = deps.refuseSource?.(source);
      if (why) return refuse(why);
      refusal = null;
      actor.send({ type: "ui.addSource", source });
      return current();
    },
    removeSource(sourceId) {
      actor.send({ type: "ui.removeSource", sourceId });
      return current();
    },
    setLayout,
    status: () => current(),
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    flush: () => queue.flush(),
    stop: () => actor.stop(),
  };
}

function createActorSafely(machine: SessionMachine, snapshot: unknown | null): Actor<SessionMachine> {
  if (snapshot) {
    try {
      // biome-ignore lint/suspicious/noExplicitAny: the envelope was validated; XState checks the rest
      return createActor(machine, { snapshot: snapshot as any });
    } catch (err) {
      console.error("[sessions] could not restore the session machine; starting fresh", err);
    }
  }
  return createActor(machine);
}

/** Everything committed stays; the record is closed once pending writes are in. */
async function finalizeSession(db: Db, queue: PersistenceQueue, input: FinalizeInput): Promise<void> {
  await queue.flush();
  if (!input.sessionId) return;
  await patchSession(db, input.sessionId, { endedAt: Date.now(), error: input.error });
}
