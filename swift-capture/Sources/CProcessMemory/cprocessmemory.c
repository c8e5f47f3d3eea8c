#include "cprocessmemory.h"

#include <malloc.h>
#include <sys/prctl.h>

int cprocessmemory_tune(void) {
  int rc = 0;
  if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0) rc = -1;
  if (mallopt(M_ARENA_MAX, 2) != 1) rc = -1;
  if (mallopt(M_MMAP_THRESHOLD, 256 * 1024) != 1) rc = -1;
  return rc;
}
