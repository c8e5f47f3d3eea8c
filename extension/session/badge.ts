import type { SessionStatus } from "./status";

/**
 * The toolbar badge at a glance: elapsed minutes while recording, "II" while paused, "!" on
 * error, "…" while getting ready; its colour follows health (ok / warning / critical).
 */

export interface Badge {
  text: string;
  color: string;
  title: string;
}

export const BADGE_COLORS = { ok: "#1e8e3e", warning: "#f29900", critical: "#d93025", idle: "#5f6368" } as const;

export function badgeFor(s: SessionStatus): Badge {
  const color = s.health ? BADGE_COLORS[s.health.level] : BADGE_COLORS.ok;
  switch (s.state) {
    case "recording":
      return { text: elapsedText(s.elapsedMs), color, title: "Sessions: recording — click to stop" };
    case "paused":
      return { text: "II", color: BADGE_COLORS.warning, title: "Sessions: paused — click to stop" };
    case "preparing":
    case "starting":
      return { text: "…", color: BADGE_COLORS.idle, title: "Sessions: starting…" };
    case "stopping":
    case "finalizing":
      return { text: "…", color: BADGE_COLORS.idle, title: "Sessions: saving…" };
    case "failed":
      return {
        text: "!",
        color: BADGE_COLORS.critical,
        title: `Sessions: ${s.error?.code ?? "error"} — click to retry`,
      };
    default:
      return { text: "", color: BADGE_COLORS.idle, title: "Sessions: start recording" };
  }
}

export function elapsedText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return minutes < 100 ? `${minutes}m` : `${Math.floor(minutes / 60)}h`;
}

export async function applyBadge(action: typeof chrome.action, badge: Badge): Promise<void> {
  await Promise.all([
    action.setBadgeText({ text: badge.text }),
    action.setBadgeBackgroundColor({ color: badge.color }),
    action.setTitle({ title: badge.title }),
  ]);
}
