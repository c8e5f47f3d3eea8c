/** One hour of a session, as the storage benchmark writes it (sizes of realistic media). */
export const HOUR = {
  segmentSeconds: 10,
  videoSegments: 360,
  audioSegments: 360,
  screenshots: 720,
  timelineEvents: 5_000,
  /** 1 Mbit/s H.264 screen recording (mostly static windows): 1.25 MB per 10 s segment. */
  videoBytes: 1_250_000,
  /** 64 kbit/s Opus: 80 kB per 10 s segment. */
  audioBytes: 80_000,
  /** 320×180 WebP thumbnail of the composite. */
  screenshotBytes: 30_000,
};
