import type { Layout } from "@sessions/shared";
import { useManagedPolicy } from "../policy/ui/use-managed-policy";
import type { SessionStatus } from "../session/status";
import { layoutCommand } from "../session/ui-messages";
import { sendUi } from "./hooks/use-session-status";
import { LayoutSelect } from "./layout-select";

/**
 * The running recording's layout, switchable while recording or paused. It shows what the host
 * confirmed (the status), not what was last picked: a switch the host refuses leaves it as it
 * was, with the error above. "One source" needs a single recorded source (with several the host
 * would show only the first); a layout the organization fixed is locked.
 */
export function LiveLayout({ status }: { status: SessionStatus }) {
  const locked = useManagedPolicy()?.policy.layout;
  if (status.layout === null || (status.state !== "recording" && status.state !== "paused")) return null;
  const choose = (l: Layout) => void sendUi({ type: "session.command", command: layoutCommand(l) });
  return (
    <div class="live-layout" data-testid="live-layout" data-layout={status.layout}>
      <LayoutSelect
        testid="live-layout-select"
        value={status.layout}
        locked={locked}
        onChange={choose}
        onlyOneSource={status.sources.length > 1}
      />
    </div>
  );
}
