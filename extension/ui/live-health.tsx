import type { SessionStatus } from "../session/status";
import { formatBytes } from "./format";

/**
 * The recording's health at a glance: the level, what is wrong in the host's own words, and the
 * numbers behind it (frame rate, dropped frames, audio buffer fill, free disk, last A/V offset and
 * drift). Each number shows "—" until the host has reported it.
 */
export function LiveHealth({ status }: { status: SessionStatus }) {
  const h = status.health;
  const m = status.metrics ?? null;
  if (!h && !m) return null;
  const dash = "—";
  return (
    <div class={`live-health ${h?.level ?? "ok"}`} data-testid="live-health" data-level={h?.level ?? ""}>
      {h && h.warnings.length > 0 && (
        <p class={`health-warning ${h.level}`} data-testid="health-warning">
          ⚠ {h.warnings.join("; ")}
        </p>
      )}
      <dl class="metrics">
        <dt>Frame rate</dt>
        <dd data-testid="metric-fps">{m?.fps == null ? dash : `${m.fps.toFixed(1)} fps`}</dd>
        <dt>Dropped</dt>
        <dd data-testid="metric-dropped">{m?.droppedPct == null ? dash : `${m.droppedPct.toFixed(1)} %`}</dd>
        <dt>Audio buffer</dt>
        <dd data-testid="metric-buffer">{m?.bufferFill == null ? dash : `${Math.round(m.bufferFill * 100)} %`}</dd>
        <dt>Disk free</dt>
        <dd data-testid="metric-disk">{m?.diskFreeBytes == null ? dash : formatBytes(m.diskFreeBytes)}</dd>
        <dt>A/V offset</dt>
        <dd data-testid="metric-offset">{m?.offsetUs == null ? dash : `${(m.offsetUs / 1000).toFixed(1)} ms`}</dd>
        <dt>Drift</dt>
        <dd data-testid="metric-drift">{m?.driftUs == null ? dash : `${(m.driftUs / 1000).toFixed(1)} ms`}</dd>
      </dl>
    </div>
  );
}
