/**
 * Turns decoded frames into replies. Guarantees: every frame gets exactly one answer — its
 * handler's reply, or an `error` with a code (MALFORMED_JSON, BAD_REQUEST, UNKNOWN_TYPE,
 * INVALID_STATE, or the handler's own); nothing a browser sends can throw out of here.
 */
import { ErrorCode, HOST_REQUEST_TYPES, type HostMessage, HostRequest, isRetryable } from "@sessions/shared";
import type { DecodedFrame } from "../framing/frame-decoder";
import { HostError } from "../host-error";
import type { HostContext } from "./host-context";

export type Reply = Exclude<HostMessage, { id: string | null }> | { type: string; [k: string]: unknown };
export type RequestOf<T extends HostRequest["type"]> = Extract<HostRequest, { type: T }>;
export type Handler<T extends HostRequest["type"]> = (request: RequestOf<T>, ctx: HostContext) => Promise<Reply>;
export type HandlerTable = { [T in HostRequest["type"]]?: Handler<T> };

const ALLOWED_BEFORE_HELLO = new Set(["hello", "ping"]);
const knownTypes = new Set<string>(HOST_REQUEST_TYPES);

export class Router {
  constructor(
    private readonly handlers: HandlerTable,
    private readonly ctx: HostContext,
  ) {}

  /** Resolves when the frame's reply has been queued. */
  async handle(frame: DecodedFrame): Promise<void> {
    if (frame.kind === "error") return this.fail(null, frame.code, frame.message);
    const value = frame.value;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return this.fail(null, "BAD_REQUEST", "a message must be a JSON object");
    const raw = value as Record<string, unknown>;
    const id = typeof raw.id === "string" && raw.id.length > 0 && raw.id.length <= 64 ? raw.id : null;
    if (typeof raw.type !== "string") return this.fail(id, "BAD_REQUEST", "message has no string `type`");
    if (!knownTypes.has(raw.type))
      return this.fail(id, "UNKNOWN_TYPE", `unknown message type ${JSON.stringify(raw.type.slice(0, 100))}`);
    const parsed = HostRequest.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("; ");
      return this.fail(id, "BAD_REQUEST", `invalid ${raw.type}: ${issues}`);
    }
    const request = parsed.data;
    if (!this.ctx.handshake && !ALLOWED_BEFORE_HELLO.has(request.type))
      return this.fail(request.id, "INVALID_STATE", `send hello before ${request.type}`);
    const handler = this.handlers[request.type] as Handler<typeof request.type> | undefined;
    if (!handler) return this.fail(request.id, "UNKNOWN_TYPE", `${request.type} is not supported by this host build`);
    try {
      const reply = await handler(request as never, this.ctx);
      this.ctx.send({ ...reply, id: request.id } as HostMessage);
    } catch (e) {
      if (e instanceof HostError) return this.fail(request.id, e.code, e.message);
      this.ctx.logger.error(`handler ${request.type} failed`, { error: (e as Error).stack ?? String(e) });
      return this.fail(request.id, "INTERNAL", `${request.type} failed; details are in the host log`);
    }
  }

  private fail(id: string | null, code: ErrorCode, message: string): void {
    this.ctx.send({ type: "error", id, code: ErrorCode.parse(code), message, retryable: isRetryable(code) });
  }
}
