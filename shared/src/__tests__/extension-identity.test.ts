import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { EXTENSION_ID, EXTENSION_ORIGIN, EXTENSION_PUBLIC_KEY } from "../extension-identity";

it("EXTENSION_ID is the ID Chrome derives from the manifest key", () => {
  const hex = createHash("sha256").update(Buffer.from(EXTENSION_PUBLIC_KEY, "base64")).digest("hex").slice(0, 32);
  const id = [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join("");
  expect(id).toBe(EXTENSION_ID);
  expect(EXTENSION_ORIGIN).toBe(`chrome-extension://${id}/`);
});
