/**
 * The native messaging host manifest Chrome reads. Chrome rejects the whole manifest for small
 * things — an origin without its trailing slash, a relative path on Linux/macOS, a missing
 * description — so the schema checks exactly those.
 */
import { z } from "zod";

export const HostManifest = z.object({
  name: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, "lower-case letters, digits, _ and dots"),
  description: z.string().min(1),
  path: z.string().min(1),
  type: z.literal("stdio"),
  allowed_origins: z.array(z.string().regex(/^chrome-extension:\/\/[a-p]{32}\/$/, "chrome-extension://<id>/")).min(1),
});
export type HostManifest = z.infer<typeof HostManifest>;

export function buildManifest(hostName: string, launcher: string, extensionIds: readonly string[]): HostManifest {
  return HostManifest.parse({
    name: hostName,
    description: "Sessions native host: records windows, microphone and system audio for the Sessions extension",
    path: launcher,
    type: "stdio",
    allowed_origins: [...new Set(extensionIds)].map((id) => `chrome-extension://${id}/`),
  });
}
