/**
 * When the recorder daemon acts on its own. Guarantees: a session with no extension attached for
 * `orphanGraceMs` is stopped (once; its media stays in the spool); a daemon with no connection
 * and no session for `idleExitMs` exits. Pure: the daemon feeds it facts and a clock.
 */
export interface LifetimeFacts {
  connections: number;
  session: { sessionId: string; stoppable: boolean } | null;
  attached: boolean;
}

export type LifetimeAction = { kind: "stop-orphan"; sessionId: string } | { kind: "exit" } | null;

export class DaemonLifetime {
  private orphanSince: number | null = null;
  private idleSince: number | null = null;
  private stopped = new Set<string>();

  constructor(private readonly limits: { orphanGraceMs: number; idleExitMs: number }) {}

  tick(now: number, facts: LifetimeFacts): LifetimeAction {
    const orphan = facts.session !== null && !facts.attached;
    this.orphanSince = orphan ? (this.orphanSince ?? now) : null;
    const idle = facts.session === null && facts.connections === 0;
    this.idleSince = idle ? (this.idleSince ?? now) : null;
    const s = facts.session;
    if (
      s &&
      this.orphanSince !== null &&
      now - this.orphanSince >= this.limits.orphanGraceMs &&
      s.stoppable &&
      !this.stopped.has(s.sessionId)
    ) {
      this.stopped.add(s.sessionId);
      return { kind: "stop-orphan", sessionId: s.sessionId };
    }
    if (this.idleSince !== null && now - this.idleSince >= this.limits.idleExitMs) return { kind: "exit" };
    return null;
  }
}
