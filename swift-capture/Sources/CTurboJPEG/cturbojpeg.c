#include "cturbojpeg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <turbojpeg.h>
#include <unistd.h>

int cjpeg_write_bgra(const uint8_t *bgra, int width, int height, int stride, int quality, const char *path,
                     char *err, int errlen) {
  tjhandle tj = tjInitCompress();
  if (!tj) {
    snprintf(err, errlen, "cannot start libjpeg-turbo");
    return CJPEG_ENCODE_FAILED;
  }
  unsigned char *jpeg = NULL;
  unsigned long size = 0;
  if (tjCompress2(tj, bgra, width, stride, height, TJPF_BGRA, &jpeg, &size, TJSAMP_420, quality, TJFLAG_FASTDCT) != 0) {
    snprintf(err, errlen, "JPEG compression failed: %s", tjGetErrorStr2(tj));
    tjFree(jpeg);
    tjDestroy(tj);
    return CJPEG_ENCODE_FAILED;
  }
  tjDestroy(tj);
  int rc = CJPEG_OK;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    rc = CJPEG_WRITE_FAILED;
  } else {
    unsigned long off = 0;
    while (off < size) {
      ssize_t n = write(fd, jpeg + off, size - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        rc = CJPEG_WRITE_FAILED;
        break;
      }
      off += (unsigned long)n;
    }
    int saved = errno;
    if (close(fd) != 0 && rc == CJPEG_OK) rc = CJPEG_WRITE_FAILED;
    else errno = saved;
  }
  if (rc != CJPEG_OK) snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
  tjFree(jpeg);
  return rc;
}
