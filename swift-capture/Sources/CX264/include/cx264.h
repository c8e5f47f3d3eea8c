// A small C layer over libx264 for swift-capture: one H.264 High-profile encoder tuned for a
// realtime screen recording (no lookahead, no B-frames, a bounded number of slice threads), fed
// I420 pictures converted from BGRA here (BT.601, limited range, 2×2 chroma average: what ffmpeg's
// bgra→yuv420p gives). Output is AVC samples (NAL units with 4-byte
// length prefixes) ready for an MP4 `mdat`; the SPS and PPS go into the `avcC` box. Every call is
// synchronous; an encoder is used by one thread at a time.
#ifndef CX264_H
#define CX264_H

#include <stdint.h>

typedef struct cx264 cx264;

typedef struct {
  int width, height;   // even, > 0
  int fps;             // > 0; one frame lasts exactly 1/fps
  int bitrate_kbps;    // average (ABR)
  int maxrate_kbps;    // VBV peak
  int bufsize_kbit;    // VBV buffer
  int level_idc;       // e.g. 31 for level 3.1
  int keyint;          // frames between keyframes (and the minimum)
  int threads;         // slice threads, >= 1
  const char *preset;  // x264 preset name, e.g. "veryfast"
} cx264_config;

/// Opens an encoder. NULL on failure with a message in err.
cx264 *cx264_open(const cx264_config *config, char *err, int errlen);
/// The SPS and PPS (payloads without length prefix or start code); valid until close.
void cx264_parameter_sets(cx264 *e, const uint8_t **sps, int *sps_len, const uint8_t **pps, int *pps_len);
/// Bytes of a `width`×`height` I420 picture: the Y plane, then U, then V (each `width`/2 wide).
int cx264_i420_size(int width, int height);
/// Converts a BGRA image (`stride` bytes per row; width and height even) into an I420 picture.
void cx264_bgra_to_i420(const uint8_t *bgra, int stride, int width, int height, uint8_t *i420);
/// Encodes an I420 picture of the configured size as the next frame (an IDR when force_idr); the
/// encoder copies what it needs, so the picture may be reused at once. On success returns the
/// sample's size (> 0) with *sample pointing at it (valid until the next call) and *keyframe set;
/// returns 0 when the encoder held the frame back (never with this configuration), < 0 on error.
int cx264_encode(cx264 *e, const uint8_t *i420, int force_idr, const uint8_t **sample, int *keyframe);
/// Frames the encoder still holds (0 with this configuration).
int cx264_delayed_frames(cx264 *e);
void cx264_close(cx264 *e);

#endif
