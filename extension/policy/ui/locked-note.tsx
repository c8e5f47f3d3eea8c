/** The line under a setting the organization manages: what is locked and that it is by policy. */
export function LockedNote({ reason }: { reason: string | undefined }) {
  if (!reason) return null;
  return (
    <small class="locked" data-testid="locked-note">
      🔒 {reason}
    </small>
  );
}
