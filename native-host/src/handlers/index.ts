/** The dispatch table: one handler per request type, each in its own file. */

import type { ShutdownHook } from "../host";
import type { HostContext } from "../router/host-context";
import type { HandlerTable } from "../router/router";
import { helloHandler } from "./hello";
import { pingHandler } from "./ping";

export function buildHandlers(_ctx: HostContext, _onShutdown: (hook: ShutdownHook) => void): HandlerTable {
  return {
    hello: helloHandler(() => []),
    ping: pingHandler,
  };
}
