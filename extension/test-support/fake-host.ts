import { HostMessage, HostRequest, PROTOCOL_VERSION, type SourcesListResult } from "@sessions/shared";
import type { ConnectNative, NativePort } from "../host/native-port";

/**
 * A test double of the native host that speaks the real wire format: every frame the extension
 * sends must parse as a HostRequest (a bad one throws, failing the test), and every frame it
 * sends back is checked against HostMessage before delivery. Replies arrive asynchronously, like
 * Chrome's port. Handlers per request type can be replaced; `emit` pushes events; `drop`
 * disconnects with a Chrome-style error text.
 */

type Reply = unknown | unknown[] | null;
export type Handler = (req: HostRequest, host: FakeHost) => Reply;

export const FAKE_SOURCES: SourcesListResult = {
  displays: [{ id: "display:0", name: "Screen 0", width: 1920, height: 1080 }],
  windows: [{ id: "window:1", title: "Editor", app: "code", bounds: { x: 0, y: 0, width: 800, height: 600 } }],
  webcams: [],
  audioInputs: [{ id: "default", name: "Default", isDefault: true, channels: 1, sampleRate: 48000 }],
  systemAudio: { available: true, name: "sys.monitor" },
};

export class FakeHost {
  /** What Chrome reports when connecting: null = the host starts. */
  connectError: string | null = null;
  readonly received: HostRequest[] = [];
  readonly connections: FakePort[] = [];
  session: { sessionId: string; state: "starting" | "recording" | "paused" | "stopping" } | null = null;
  unacknowledged = 0;
  handlers: Partial<Record<HostRequest["type"], Handler>> = {};

  readonly connect: ConnectNative = (_name) => {
    const port = new FakePort(this);
    this.connections.push(port);
    if (this.connectError !== null) {
      const err = this.connectError;
      setTimeout(() => port.fireDisconnect(err), 0);
    }
    return port;
  };

  get port(): FakePort | undefined {
    return this.connections.at(-1);
  }

  requests(type: HostRequest["type"]): HostRequest[] {
    return this.received.filter((r) => r.type === type);
  }

  /** Sends an event (or reply) to the extension on the current connection. */
  emit(message: unknown): void {
    this.port?.deliver(message);
  }

  /** Sends a frame without validating it (to test the extension's own validation). */
  emitRaw(frame: unknown): void {
    this.port?.deliverRaw(frame);
  }

  drop(error: string | undefined = "Native host has exited."): void {
    this.port?.fireDisconnect(error);
  }

  handle(req: HostRequest): Reply {
    const custom = this.handlers[req.type];
    if (custom) return custom(req, this);
    return defaultReply(req, this);
  }
}

function defaultReply(req: HostRequest, host: FakeHost): Reply {
  switch (req.type) {
    case "hello":
      return {
        type: "hello",
        id: req.id,
        protocol: PROTOCOL_VERSION,
        hostVersion: "0.0.0-fake",
        platform: "linux",
        capabilities: ["capture.display", "capture.test-pattern", "audio.mic", "audio.system"],
      };
    case "ping":
      return { type: "result", id: req.id, pong: true };
    case "sources.list":
      return { type: "result", id: req.id, ...FAKE_SOURCES };
    case "session.start":
      host.session = { sessionId: req.sessionId, state: "recording" };
      return { type: "result", id: req.id, sessionId: req.sessionId, startedAt: Date.now() };
    case "session.pause":
      if (host.session) host.session.state = "paused";
      return { type: "result", id: req.id };
    case "session.resume":
      if (host.session) host.session.state = "recording";
      return { type: "result", id: req.id };
    case "session.stop":
      host.session = null;
      return { type: "result", id: req.id };
    case "session.status":
      return { type: "result", id: req.id, session: host.session, unacknowledged: host.unacknowledged };
    case "segments.resend":
      return { type: "result", id: req.id, count: 0 };
    default:
      return { type: "result", id: req.id };
  }
}

export class FakePort implements NativePort {
  private messageListeners: ((m: unknown) => void)[] = [];
  private disconnectListeners: ((e: string | undefined) => void)[] = [];
  closed = false;
  /** True once the extension called disconnect(). */
  disconnectedByExtension = false;

  constructor(private readonly host: FakeHost) {}

  postMessage(message: unknown): void {
    if (this.closed) throw new Error("Attempting to use a disconnected port object");
    const req = HostRequest.parse(JSON.parse(JSON.stringify(message)));
    this.host.received.push(req);
    const reply = this.host.handle(req);
    if (reply === null || reply === undefined) return;
    for (const r of Array.isArray(reply) ? reply : [reply]) this.deliver(r);
  }

  disconnect(): void {
    this.closed = true;
    this.disconnectedByExtension = true;
  }

  onMessage(listener: (m: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  onDisconnect(listener: (e: string | undefined) => void): void {
    this.disconnectListeners.push(listener);
  }

  deliver(message: unknown): void {
    this.deliverRaw(HostMessage.parse(message));
  }

  deliverRaw(frame: unknown): void {
    const copy = JSON.parse(JSON.stringify(frame));
    setTimeout(() => {
      if (this.closed) return;
      for (const l of this.messageListeners) l(copy);
    }, 0);
  }

  fireDisconnect(error: string | undefined): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.disconnectListeners) l(error);
  }
}
