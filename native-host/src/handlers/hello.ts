/** `hello`: the handshake. Answered in kind with the request's id, or UNSUPPORTED_PROTOCOL. */
import { PROTOCOL_VERSION } from "@sessions/shared";
import { HostError } from "../host-error";
import type { Handler } from "../router/router";

export function helloHandler(capabilities: () => string[]): Handler<"hello"> {
  return async (request, ctx) => {
    if (request.protocol !== PROTOCOL_VERSION)
      throw new HostError(
        "UNSUPPORTED_PROTOCOL",
        `this host speaks protocol ${PROTOCOL_VERSION}; the extension asked for ${request.protocol}`,
      );
    ctx.handshake = { protocol: request.protocol, extensionVersion: request.extensionVersion };
    ctx.logger.info("handshake", { extensionVersion: request.extensionVersion });
    return {
      type: "hello",
      protocol: PROTOCOL_VERSION,
      hostVersion: ctx.hostVersion,
      platform: hostPlatform(),
      capabilities: capabilities(),
    };
  };
}

export function hostPlatform(): "linux" | "darwin" | "win32" {
  const p = process.platform;
  return p === "darwin" || p === "win32" ? p : "linux";
}
