import type { SessionStatus } from "../session/status";
import { formatDuration } from "./format";
import { sendUi, useTicker } from "./hooks/use-session-status";
import { InstallHelp } from "./install-help";
import { LiveHealth } from "./live-health";
import { LiveLayout } from "./live-layout";

/** The active session: state, timer, sources, layout, health, and the buttons that send ui.* commands. */
export function ActiveSession({ status }: { status: SessionStatus | null }) {
  const now = useTicker(status?.running ?? false);
  if (!status) return <section class="active">Connecting to the background…</section>;
  const elapsed = status.elapsedMs + (status.running ? Math.max(0, now - status.at) : 0);
  const live = ["preparing", "starting", "recording", "paused", "stopping", "finalizing"].includes(status.state);
  const command = (c: "start" | "stop" | "pause" | "resume") => void sendUi({ type: "session.command", command: c });
  return (
    <section
      class="active"
      data-testid="active-session"
      data-state={status.state}
      data-session-id={status.sessionId ?? ""}
    >
      <header>
        <span class={`dot ${status.state}`} /> <strong>{label(status.state)}</strong>
        {live && <span class="timer">{formatDuration(elapsed)}</span>}
      </header>
      {status.health && (
        <p class={`health ${status.health.level}`} data-testid="health">
          Health: {status.health.level}
          {status.health.warnings.length > 0 && ` — ${status.health.warnings.join("; ")}`}
        </p>
      )}
      {live && <LiveHealth status={status} />}
      {status.sources.length > 0 && <p class="sources">Sources: {status.sources.join(", ")}</p>}
      <LiveLayout status={status} />
      {status.connection === "reconnecting" && <p class="warn">Host connection lost — reconnecting…</p>}
      {status.error && (
        <p class="error" data-testid="session-error" data-code={status.error.code}>
          {status.error.code}: {status.error.message}
        </p>
      )}
      {status.error?.code === "HOST_NOT_FOUND" && <InstallHelp />}
      <div class="buttons">
        {!live && (
          <button type="button" onClick={() => command("start")}>
            Start recording
          </button>
        )}
        {status.state === "recording" && (
          <button type="button" onClick={() => command("pause")}>
            Pause
          </button>
        )}
        {status.state === "paused" && (
          <button type="button" onClick={() => command("resume")}>
            Resume
          </button>
        )}
        {live && status.state !== "stopping" && status.state !== "finalizing" && (
          <button type="button" onClick={() => command("stop")}>
            Stop
          </button>
        )}
      </div>
    </section>
  );
}

function label(state: SessionStatus["state"]): string {
  return {
    idle: "Ready",
    preparing: "Preparing…",
    starting: "Starting…",
    recording: "Recording",
    paused: "Paused",
    stopping: "Stopping…",
    finalizing: "Saving…",
    completed: "Saved",
    failed: "Failed",
  }[state];
}
