import { expect, vi } from "vitest";
import { type Actor, createActor } from "xstate";
import type { MediaMessage } from "../session/session-events";
import { createSessionMachine, type FinalizeInput, type SessionMachine } from "../session/session-machine";
import type { RecordingPlan } from "../session/source-plan";
import { stateName } from "../session/status";
import { DEFAULT_SETTINGS, type Settings } from "../settings/settings";
import { FakeHost } from "./fake-host";

/**
 * The session machine on its own, for unit tests: a wire-format fake host, finalize and media
 * recorded in arrays, the state names it walked through, and a clock the test steps (vitest's
 * fake timers). Tests only.
 */

export interface Rig {
  host: FakeHost;
  actor: Actor<SessionMachine>;
  states: string[];
  finalized: FinalizeInput[];
  media: MediaMessage[];
  machine: SessionMachine;
}

export function rig(
  host = new FakeHost(),
  snapshot?: unknown,
  refusePlan?: (plan: RecordingPlan) => string | null,
): Rig {
  const finalized: FinalizeInput[] = [];
  const media: MediaMessage[] = [];
  const machine = createSessionMachine({
    port: { connect: host.connect, extensionVersion: "0.1.0", delays: [100, 200], helloTimeoutMs: 1_000 },
    finalize: async (input) => {
      finalized.push(input);
    },
    onMedia: (m) => media.push(m),
    ...(refusePlan ? { refusePlan } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: restoring a persisted snapshot from JSON
  const actor = createActor(machine, snapshot ? { snapshot: snapshot as any } : {});
  const states: string[] = [];
  actor.subscribe((s) => {
    const name = stateName(s.value);
    if (states.at(-1) !== name) states.push(name);
  });
  actor.start();
  return { host, actor, states, finalized, media, machine };
}

export const state = (r: Rig) => stateName(r.actor.getSnapshot().value);
export const ctx = (r: Rig) => r.actor.getSnapshot().context;
export const tick = (ms = 1) => vi.advanceTimersByTimeAsync(ms);

export async function recordingRig(settings: Settings = DEFAULT_SETTINGS, host = new FakeHost()): Promise<Rig> {
  const r = rig(host);
  r.actor.send({ type: "ui.start", sessionId: "sess-1", settings });
  await tick(5);
  expect(state(r)).toBe("recording");
  return r;
}
