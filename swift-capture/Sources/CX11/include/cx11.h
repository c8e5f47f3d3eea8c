// A small C layer over Xlib, XShm and XComposite for swift-capture: window listing and
// pixel capture of one window (or the root) into 32-bit BGRX. Every function is synchronous and
// reports X errors as return codes (a process-wide handler records them per thread), so a closed
// window is an error code, never an abort.
#ifndef CX11_H
#define CX11_H

#include <stdint.h>

typedef struct cx11_conn cx11_conn;
typedef struct cx11_capture cx11_capture;

typedef struct {
  unsigned long id;
  int x, y, width, height;
  char title[256];
  char app[128];
} cx11_window_info;

enum {
  CX11_OK = 0,
  CX11_GONE = -1,          // the window no longer exists
  CX11_NOT_VIEWABLE = -2,  // unmapped or minimised: nothing to capture right now
  CX11_FAILED = -3,
};

cx11_conn *cx11_open(const char *display_name, char *err, int errlen);
void cx11_close(cx11_conn *c);
int cx11_screen_size(cx11_conn *c, int *width, int *height);
unsigned long cx11_root(cx11_conn *c);
/// Top-level application windows (mapped, with a title or class), at most `max`; returns the count.
int cx11_list_windows(cx11_conn *c, cx11_window_info *out, int max);
/// 1 when the window exists, 0 otherwise; fills the size.
int cx11_window_size(cx11_conn *c, unsigned long window, int *width, int *height);

/// Starts capturing `window` (0 = the root window). Uses XComposite when available so covered
/// windows are captured whole, and XShm when available.
cx11_capture *cx11_capture_open(cx11_conn *c, unsigned long window, char *err, int errlen);
/// Grabs the current contents. On CX11_OK `*pixels` points at `height` rows of `*stride` bytes,
/// valid until the next grab or close.
int cx11_capture_grab(cx11_capture *cap, const uint8_t **pixels, int *width, int *height, int *stride);
void cx11_capture_close(cx11_capture *cap);

/// Direct grabs, without a copy: the X server writes each grab into pixel memory the caller
/// holds (a shared-memory segment), one of several, so a frame stays valid while the next is
/// grabbed. `cx11_capture_prepare` switches the capture to this mode and gives the window's size
/// (CX11_OK, or CX11_GONE / CX11_NOT_VIEWABLE as for a grab); buffers of that size come from
/// `cx11_shm_new` (NULL when XShm is not available or the size is not the prepared one: copy from
/// `cx11_capture_grab` instead) and are filled by `cx11_capture_grab_into`. A buffer is detached
/// (`cx11_shm_detach`, on the capture's thread, while the capture is open) and then freed
/// (`cx11_shm_free`, any thread; after the connection closed, freeing alone is enough).
typedef struct cx11_shm cx11_shm;
int cx11_capture_prepare(cx11_capture *cap, int *width, int *height);
cx11_shm *cx11_shm_new(cx11_capture *cap, int width, int height);
/// width·height 32-bit pixels, rows of width·4 bytes.
uint8_t *cx11_shm_pixels(cx11_shm *s);
int cx11_capture_grab_into(cx11_capture *cap, cx11_shm *s);
void cx11_shm_detach(cx11_capture *cap, cx11_shm *s);
void cx11_shm_free(cx11_shm *s);

#endif
