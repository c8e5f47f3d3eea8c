import fs from "node:fs";
import path from "node:path";
import { HostMessage, type HostRequest } from "@sessions/shared";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createActor, createMachine, sendTo } from "xstate";
import { FakeHost } from "../../test-support/fake-host";
import { classifyDisconnect } from "../disconnect-reason";
import { createPortActor, type PortEvent } from "../port-actor";

const FIXTURES = path.resolve(import.meta.dirname, "../../../shared/fixtures/browser-message");

/** A parent that invokes the port actor and records every event it sends back. */
function harness(host: FakeHost, delays = [100, 200]) {
  const events: PortEvent[] = [];
  const parent = createMachine({
    invoke: {
      id: "port",
      src: createPortActor({ connect: host.connect, extensionVersion: "1.2.3", delays, helloTimeoutMs: 1_000 }),
    },
    on: {
      "*": { actions: ({ event }) => events.push(event as PortEvent) },
      send: {
        actions: sendTo("port", ({ event }) => ({
          type: "host.send",
          request: (event as unknown as { request: HostRequest }).request,
        })),
      },
    },
  });
  const actor = createActor(parent).start();
  return { actor, events, types: () => events.map((e) => e.type) };
}

describe("port actor", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("says hello first and reports the host ready", async () => {
    const host = new FakeHost();
    const h = harness(host);
    await vi.advanceTimersByTimeAsync(1);
    expect(host.received[0]).toMatchObject({ type: "hello", protocol: 1, extensionVersion: "1.2.3" });
    expect(h.events[0]).toMatchObject({ type: "host.ready", reconnected: false, hello: { hostVersion: "0.0.0-fake" } });
  });

  it("holds requests until the handshake is answered, then sends them in order", async () => {
    const host = new FakeHost();
    host.handlers.hello = () => null; // answer later
    const h = harness(host);
    h.actor.send({ type: "send", request: { type: "ping", id: "p1" } } as never);
    h.actor.send({ type: "send", request: { type: "sources.list", id: "s1" } } as never);
    await vi.advanceTimersByTimeAsync(1);
    expect(host.received.map((r) => r.type)).toEqual(["hello"]);
    host.emit({ type: "hello", id: "hello-1", protocol: 1, hostVersion: "9", platform: "linux", capabilities: [] });
    await vi.advanceTimersByTimeAsync(1);
    expect(host.received.map((r) => r.type)).toEqual(["hello", "ping", "sources.list"]);
    expect(h.types()).toEqual(["host.ready", "host.message", "host.message"]);
  });

  it("rejects an invalid request before it reaches the port", async () => {
    const host = new FakeHost();
    const h = harness(host);
    await vi.advanceTimersByTimeAsync(1);
    expect(() => h.actor.send({ type: "send", request: { type: "session.pause", id: "x" } } as never)).not.toThrow();
    // XState reports the actor's error through the snapshot rather than the send call.
    expect(host.requests("session.pause")).toHaveLength(0);
  });

  it("forwards every valid host message fixture and drops every invalid one", async () => {
    const host = new FakeHost();
    const h = harness(host);
    await vi.advanceTimersByTimeAsync(1);
    h.events.length = 0;
    const load = (kind: string) =>
      fs
        .readdirSync(path.join(FIXTURES, kind))
        .map((f) => JSON.parse(fs.readFileSync(path.join(FIXTURES, kind, f), "utf8")));
    const valid = load("valid").filter((m) => m.type !== "hello");
    const invalid = load("invalid");
    expect(valid.length).toBeGreaterThan(5);
    expect(invalid.length).toBeGreaterThan(2);
    for (const m of valid) host.emitRaw(m);
    for (const m of invalid) host.emitRaw(m);
    await vi.advanceTimersByTimeAsync(1);
    const forwarded = h.events.filter((e) => e.type === "host.message");
    expect(forwarded.map((e) => (e.type === "host.message" ? e.message : null))).toEqual(
      valid.map((m) => HostMessage.parse(m)),
    );
    expect(h.events.filter((e) => e.type === "host.invalid")).toHaveLength(invalid.length);
  });

  it.each([
    ["Specified native messaging host not found.", "HOST_NOT_FOUND"],
    ["Access to the specified native messaging host is forbidden.", "HOST_FORBIDDEN"],
  ])("treats %s as permanent (%s) without reconnecting", async (message, code) => {
    const host = new FakeHost();
    host.connectError = message;
    const h = harness(host);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.events).toEqual([{ type: "host.failed", code, message }]);
    expect(host.connections).toHaveLength(1);
  });

  it("reconnects with backoff after a transient disconnect and says hello again", async () => {
    const host = new FakeHost();
    const h = harness(host, [100, 200]);
    await vi.advanceTimersByTimeAsync(1);
    host.drop("Native host has exited.");
    expect(h.events.at(-1)).toMatchObject({ type: "host.lost", code: "HOST_DISCONNECTED", attempt: 1 });
    await vi.advanceTimersByTimeAsync(99);
    expect(host.connections).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2);
    expect(host.connections).toHaveLength(2);
    expect(h.events.at(-1)).toMatchObject({ type: "host.ready", reconnected: true });
    expect(host.requests("hello")).toHaveLength(2);
  });

  it("gives up after the last backoff step with HOST_DISCONNECTED", async () => {
    const host = new FakeHost();
    const h = harness(host, [100, 200]);
    await vi.advanceTimersByTimeAsync(1);
    host.connectError = "Native host has exited.";
    host.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.types()).toEqual(["host.ready", "host.lost", "host.lost", "host.failed"]);
    expect(h.events.at(-1)).toMatchObject({ code: "HOST_DISCONNECTED" });
    expect(host.connections).toHaveLength(3);
  });

  it("fails with UNSUPPORTED_PROTOCOL when the host refuses the handshake", async () => {
    const host = new FakeHost();
    host.handlers.hello = (req) => ({
      type: "error",
      id: req.id,
      code: "UNSUPPORTED_PROTOCOL",
      message: "v1 only",
      retryable: false,
    });
    const h = harness(host);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.events).toEqual([{ type: "host.failed", code: "UNSUPPORTED_PROTOCOL", message: "v1 only" }]);
    expect(host.port?.disconnectedByExtension).toBe(true);
  });

  it("treats a host that never answers hello as transient (TIMEOUT) and retries", async () => {
    const host = new FakeHost();
    host.handlers.hello = () => null;
    const h = harness(host, [100]);
    await vi.advanceTimersByTimeAsync(1_001);
    expect(h.events[0]).toMatchObject({ type: "host.lost", code: "TIMEOUT" });
    await vi.advanceTimersByTimeAsync(1_200);
    expect(h.events.at(-1)).toMatchObject({ type: "host.failed", code: "HOST_DISCONNECTED" });
  });

  it("disconnects the port when the actor stops", async () => {
    const host = new FakeHost();
    const h = harness(host);
    await vi.advanceTimersByTimeAsync(1);
    h.actor.stop();
    expect(host.port?.disconnectedByExtension).toBe(true);
  });
});

describe("classifyDisconnect", () => {
  it("calls an unknown reason transient", () => {
    expect(classifyDisconnect(undefined)).toMatchObject({ code: "HOST_DISCONNECTED", permanent: false });
    expect(classifyDisconnect("Error when communicating with the native messaging host.").permanent).toBe(false);
  });
});
