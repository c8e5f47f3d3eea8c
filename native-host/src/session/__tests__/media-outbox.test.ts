import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type HostMessage, HostMessage as HostMessageSchema, MEDIA_PART_BYTES } from "@sessions/shared";
import { describe, expect, it } from "vitest";
import { MediaOutbox } from "../media-outbox";
import { Spool } from "../spool";

describe("MediaOutbox", () => {
  it("streams an item in checksummed parts of at most MEDIA_PART_BYTES that reassemble exactly", () => {
    for (const size of [0, 1, MEDIA_PART_BYTES, MEDIA_PART_BYTES + 1, 3 * MEDIA_PART_BYTES - 7]) {
      const spool = new Spool(fs.mkdtempSync(path.join(os.tmpdir(), "sessions-outbox-")));
      const data = randomBytes(size);
      const file = path.join(spool.sessionDir("s"), "v-0.mp4");
      fs.writeFileSync(file, data);
      const sent: HostMessage[] = [];
      const outbox = new MediaOutbox(spool, (m) => sent.push(HostMessageSchema.parse(m)));
      outbox.offer({
        sessionId: "s",
        kind: "video",
        seq: 0,
        path: file,
        mime: "video/mp4",
        bytes: size,
        startUs: 0,
        endUs: 1,
        units: 1,
      });
      const parts = [...sent] as Extract<HostMessage, { type: "segment" }>[];
      expect(parts.length).toBe(Math.max(1, Math.ceil(size / MEDIA_PART_BYTES)));
      const chunks = parts.map((p, i) => {
        expect(p).toMatchObject({ part: i, parts: parts.length, bytes: size });
        const b = Buffer.from(p.data, "base64");
        expect(b.length).toBeLessThanOrEqual(MEDIA_PART_BYTES);
        return b;
      });
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      expect(parts[0]?.sha256).toBe(createHash("sha256").update(data).digest("hex"));
      expect(outbox.bytesSent).toBe(size);
      // Resending reads the file again and yields the same parts.
      sent.length = 0;
      expect(outbox.resendAll()).toBe(1);
      expect(sent.map((m) => (m as { data: string }).data)).toEqual(parts.map((p) => p.data));
    }
  });
});
