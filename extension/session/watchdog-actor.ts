import { fromCallback } from "xstate";

/**
 * A deadline as an invoked actor: it fires `watchdog.timeout` at `deadline` (Unix ms). Unlike a
 * state's `after`, it survives a worker restart: a restored machine re-invokes it with the same
 * deadline from context, so a start that hung before the restart still times out on time.
 */

export type WatchdogEvent = { type: "watchdog.timeout" };

export const watchdogActor = fromCallback<{ type: string }, { deadline: number | null }, WatchdogEvent>(
  ({ input, sendBack }) => {
    if (input.deadline === null) return;
    const t = setTimeout(() => sendBack({ type: "watchdog.timeout" }), Math.max(0, input.deadline - Date.now()));
    return () => clearTimeout(t);
  },
);
