import { describe, expect, it } from "vitest";
import { FAKE_SOURCES, FakeHost } from "../../test-support/fake-host";
import { listSourcesOnce } from "../list-sources";

describe("listSourcesOnce", () => {
  it("says hello, lists the sources and disconnects", async () => {
    const host = new FakeHost();
    const list = await listSourcesOnce({ connect: host.connect, hostName: "h", extensionVersion: "0.1.0" });
    expect(list).toEqual(FAKE_SOURCES);
    expect(host.received.map((r) => r.type)).toEqual(["hello", "sources.list"]);
    expect(host.port?.disconnectedByExtension).toBe(true);
  });

  it("rejects with the host's code when listing fails", async () => {
    const host = new FakeHost();
    host.handlers["sources.list"] = (req) => ({
      type: "error",
      id: req.id,
      code: "CHILD_CRASHED",
      message: "capture exited",
      retryable: true,
    });
    await expect(listSourcesOnce({ connect: host.connect, hostName: "h", extensionVersion: "0.1.0" })).rejects.toThrow(
      "CHILD_CRASHED: capture exited",
    );
  });

  it("rejects when the host cannot be started", async () => {
    const host = new FakeHost();
    host.connectError = "Specified native messaging host not found.";
    await expect(listSourcesOnce({ connect: host.connect, hostName: "h", extensionVersion: "0.1.0" })).rejects.toThrow(
      "not found",
    );
  });
});
