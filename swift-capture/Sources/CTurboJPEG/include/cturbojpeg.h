// JPEG files from BGRA images through libjpeg-turbo (TurboJPEG API), in this process: the
// screenshots of the composite without an ffmpeg child. Synchronous; safe from any thread.
#ifndef CTURBOJPEG_H
#define CTURBOJPEG_H

#include <stdint.h>

enum {
  CJPEG_OK = 0,
  CJPEG_ENCODE_FAILED = -1,
  CJPEG_WRITE_FAILED = -2,  // errno tells why (ENOSPC: disk full)
};

/// Compresses a `width`×`height` BGRA image (`stride` bytes per row) at `quality` (1–100, 4:2:0)
/// and writes it to `path` (created or truncated). On failure, a message in err.
int cjpeg_write_bgra(const uint8_t *bgra, int width, int height, int stride, int quality, const char *path,
                     char *err, int errlen);

#endif
