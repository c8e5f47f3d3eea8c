import type { SessionController } from "../session/session-controller";
import { layoutCommand } from "../session/ui-messages";
import type { Db } from "../storage/open-db";
import { planViolation, requiredLayout } from "./apply-policy";
import type { ParsedPolicy } from "./parse-policy";
import type { PolicyRuntime } from "./policy-runtime";
import { enforceRetention } from "./retention";

/**
 * Applies the policy over time: retention and the storage cap at start, every hour (chrome.alarms),
 * whenever the policy changes and whenever a session ends; a recording that a changed policy
 * now forbids is stopped (everything committed so far is kept, like any stop); and a live
 * recording whose layout differs from a managed one is switched to it (the policy changed, or a
 * switch reached the worker without the controller's layout gate).
 */

export const RETENTION_ALARM = "sessions-retention";
export const RETENTION_PERIOD_MINUTES = 60;

const LIVE = new Set(["preparing", "starting", "recording", "paused"]);

export function enforcePolicy(db: Db, policy: PolicyRuntime, controller: SessionController): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const retention = () => {
    running = running.then(async () => {
      const status = controller.status();
      const keep =
        LIVE.has(status.state) || status.state === "stopping" || status.state === "finalizing"
          ? status.sessionId
          : null;
      const r = await enforceRetention(db, policy.current().policy, Date.now(), keep).catch((err) => {
        console.error("[sessions] retention failed", err);
        return { expired: [], evicted: [] };
      });
      if (r.expired.length || r.evicted.length)
        console.info(
          `[sessions] policy deleted ${r.expired.length} expired and ${r.evicted.length} sessions over the cap`,
        );
    });
    return running;
  };

  // Also at start: a session restored from before a policy change must obey the current policy.
  const stopIfForbidden = (p: ParsedPolicy) => {
    const plan = controller.actor.getSnapshot().context.plan;
    const why = LIVE.has(controller.status().state) && plan ? planViolation(plan, p.policy) : null;
    if (why) {
      console.warn(`[sessions] stopping the recording: ${why}`);
      void controller.command("stop");
    }
  };
  const keepLayout = (p: ParsedPolicy) => {
    const status = controller.status();
    if (status.layout === null || (status.state !== "recording" && status.state !== "paused")) return;
    const want = requiredLayout(p.policy, status.sources.length);
    if (want && want !== status.layout) {
      console.warn(`[sessions] switching the recording to the managed layout ${want}`);
      void controller.command(layoutCommand(want));
    }
  };
  policy.subscribe((p) => {
    void retention();
    stopIfForbidden(p);
    keepLayout(p);
  });
  stopIfForbidden(policy.current());
  keepLayout(policy.current());
  let last = controller.status();
  controller.subscribe((s) => {
    if (s.state !== last.state && (s.state === "completed" || s.state === "failed")) void retention();
    // Checked when what is recorded changes, not on every health report (a switch takes a reply).
    if (s.layout !== last.layout || s.state !== last.state || s.sources.length !== last.sources.length)
      keepLayout(policy.current());
    last = s;
  });
  // The entrypoint's own onAlarm listener (registered in the worker's first turn) is what makes
  // Chrome wake a sleeping worker for any alarm; waking runs this startup pass, and an awake
  // worker gets the alarm here.
  const alarms = globalThis.chrome?.alarms;
  alarms?.onAlarm.addListener((a) => {
    if (a.name === RETENTION_ALARM) void retention();
  });
  void alarms?.create(RETENTION_ALARM, { periodInMinutes: RETENTION_PERIOD_MINUTES });
  void retention();
  return retention;
}
