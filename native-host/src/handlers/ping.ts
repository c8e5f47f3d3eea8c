/** `ping`: liveness, usable before the handshake. */
import type { Handler } from "../router/router";

export const pingHandler: Handler<"ping"> = async () => ({ type: "result", pong: true });
