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

#endif
