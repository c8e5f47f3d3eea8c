#include "cx11.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xcomposite.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

struct cx11_conn {
  Display *dpy;
  int dead;  // the X server connection broke: never touch dpy again
  int has_shm;
  int has_composite;
};

struct cx11_capture {
  cx11_conn *conn;
  Window window;
  int is_root;
  int redirected;
  Pixmap pixmap;
  int width, height;
  XImage *image;
  XShmSegmentInfo shm;
  int using_shm;
  int ready;   // pixmap (and image) prepared for width × height
  int direct;  // grabs go into cx11_shm buffers: no image of its own
  Visual *visual;
  int depth;
};

struct cx11_shm {
  XShmSegmentInfo info;
  XImage *image;
  int attached;
};

// Errors are recorded per thread; each public function runs on one thread from start to end.
static __thread int last_error = 0;

static int record_error(Display *dpy, XErrorEvent *e) {
  (void)dpy;
  last_error = e->error_code ? e->error_code : 1;
  return 0;
}

// A broken connection (the X server went away) makes Xlib call the IO error handler and then exit
// the process. The handler jumps back into the call that hit it instead, which reports the source
// gone; that connection is abandoned (never used or closed again), the process stays up.
static __thread jmp_buf *io_escape = NULL;

static int io_error(Display *dpy) {
  (void)dpy;
  if (io_escape) longjmp(*io_escape, 1);
  return 0;  // not inside a guarded call: Xlib exits, as it would anyway
}

#define GUARDED(conn, on_break)        \
  jmp_buf escape_;                      \
  if ((conn)->dead) return on_break;    \
  if (setjmp(escape_)) {                \
    io_escape = NULL;                   \
    (conn)->dead = 1;                   \
    return on_break;                    \
  }                                     \
  io_escape = &escape_;
#define UNGUARDED() io_escape = NULL

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

// Sources capture on their own threads, each with its own connection; Xlib still wants to know.
static void init_xlib(void) {
  XInitThreads();
  XSetErrorHandler(record_error);
  XSetIOErrorHandler(io_error);
}

cx11_conn *cx11_open(const char *display_name, char *err, int errlen) {
  pthread_once(&init_once, init_xlib);
  Display *dpy = XOpenDisplay(display_name);
  if (!dpy) {
    snprintf(err, errlen, "cannot open X display %s", display_name ? display_name : "(DISPLAY)");
    return NULL;
  }
  cx11_conn *c = calloc(1, sizeof *c);
  c->dpy = dpy;
  int major, minor;
  Bool pixmaps;
  c->has_shm = XShmQueryVersion(dpy, &major, &minor, &pixmaps) ? 1 : 0;
  int ev, er;
  if (XCompositeQueryExtension(dpy, &ev, &er)) {
    int cmaj = 0, cmin = 2;
    XCompositeQueryVersion(dpy, &cmaj, &cmin);
    c->has_composite = (cmaj > 0 || cmin >= 2) ? 1 : 0;
  }
  return c;
}

void cx11_close(cx11_conn *c) {
  if (!c) return;
  if (!c->dead) XCloseDisplay(c->dpy);
  free(c);
}

unsigned long cx11_root(cx11_conn *c) { return DefaultRootWindow(c->dpy); }

int cx11_screen_size(cx11_conn *c, int *width, int *height) {
  Screen *s = DefaultScreenOfDisplay(c->dpy);
  *width = WidthOfScreen(s);
  *height = HeightOfScreen(s);
  return CX11_OK;
}

int cx11_window_size(cx11_conn *c, unsigned long window, int *width, int *height) {
  XWindowAttributes a;
  GUARDED(c, 0);
  last_error = 0;
  Status ok = XGetWindowAttributes(c->dpy, window, &a);
  XSync(c->dpy, False);
  UNGUARDED();
  if (!ok || last_error) return 0;
  *width = a.width;
  *height = a.height;
  return 1;
}

static int list_windows(cx11_conn *c, cx11_window_info *out, int max);

static int describe_window(cx11_conn *c, Window w, cx11_window_info *info) {
  XWindowAttributes a;
  last_error = 0;
  if (!XGetWindowAttributes(c->dpy, w, &a) || last_error) return 0;
  if (a.map_state != IsViewable || a.class != InputOutput || a.override_redirect) return 0;
  char *name = NULL;
  XClassHint hint = {0};
  int has_name = XFetchName(c->dpy, w, &name) && name;
  int has_class = XGetClassHint(c->dpy, w, &hint);
  if (!has_name && !has_class) return 0;
  memset(info, 0, sizeof *info);
  info->id = w;
  snprintf(info->title, sizeof info->title, "%s", has_name ? name : "");
  snprintf(info->app, sizeof info->app, "%s", has_class && hint.res_name ? hint.res_name : "");
  if (name) XFree(name);
  if (hint.res_name) XFree(hint.res_name);
  if (hint.res_class) XFree(hint.res_class);
  Window child;
  int x = 0, y = 0;
  XTranslateCoordinates(c->dpy, w, DefaultRootWindow(c->dpy), 0, 0, &x, &y, &child);
  info->x = x;
  info->y = y;
  info->width = a.width;
  info->height = a.height;
  XSync(c->dpy, False);
  return last_error ? 0 : 1;
}

int cx11_list_windows(cx11_conn *c, cx11_window_info *out, int max) {
  GUARDED(c, 0);
  int count = list_windows(c, out, max);
  UNGUARDED();
  return count;
}

static int list_windows(cx11_conn *c, cx11_window_info *out, int max) {
  Window root = DefaultRootWindow(c->dpy), parent, *children = NULL;
  unsigned int n = 0;
  int count = 0;
  last_error = 0;
  if (!XQueryTree(c->dpy, root, &root, &parent, &children, &n)) return 0;
  for (unsigned int i = 0; i < n && count < max; i++) {
    if (describe_window(c, children[i], &out[count])) {
      count++;
      continue;
    }
    // A reparenting window manager puts the application window one level down.
    Window r2, p2, *grand = NULL;
    unsigned int m = 0;
    last_error = 0;
    if (XQueryTree(c->dpy, children[i], &r2, &p2, &grand, &m) && !last_error) {
      for (unsigned int j = 0; j < m && count < max; j++) {
        if (describe_window(c, grand[j], &out[count])) {
          count++;
          break;
        }
      }
    }
    if (grand) XFree(grand);
  }
  if (children) XFree(children);
  return count;
}

static void release_image(cx11_capture *cap) {
  if (cap->image) {
    if (cap->using_shm) {
      XShmDetach(cap->conn->dpy, &cap->shm);
      XSync(cap->conn->dpy, False);
      shmdt(cap->shm.shmaddr);
    }
    XDestroyImage(cap->image);
    cap->image = NULL;
  }
  if (cap->pixmap) {
    XFreePixmap(cap->conn->dpy, cap->pixmap);
    cap->pixmap = 0;
  }
  cap->using_shm = 0;
  cap->ready = 0;
}

// (Re)creates the pixmap and image for the current size. Returns a CX11 code.
static int prepare(cx11_capture *cap) {
  Display *dpy = cap->conn->dpy;
  XWindowAttributes a;
  last_error = 0;
  if (!XGetWindowAttributes(dpy, cap->window, &a) || last_error) return CX11_GONE;
  if (!cap->is_root && a.map_state != IsViewable) return CX11_NOT_VIEWABLE;
  if (cap->ready && a.width == cap->width && a.height == cap->height) return CX11_OK;
  release_image(cap);
  cap->width = a.width;
  cap->height = a.height;
  cap->visual = a.visual;
  cap->depth = a.depth;
  if (cap->redirected) {
    last_error = 0;
    cap->pixmap = XCompositeNameWindowPixmap(dpy, cap->window);
    XSync(dpy, False);
    if (last_error) {
      cap->pixmap = 0;
      return CX11_NOT_VIEWABLE;
    }
  }
  cap->ready = 1;
  if (cap->direct) return CX11_OK;
  if (cap->conn->has_shm) {
    cap->image = XShmCreateImage(dpy, a.visual, a.depth, ZPixmap, NULL, &cap->shm, a.width, a.height);
    if (cap->image) {
      cap->shm.shmid = shmget(IPC_PRIVATE, (size_t)cap->image->bytes_per_line * cap->image->height, IPC_CREAT | 0600);
      if (cap->shm.shmid >= 0) {
        cap->shm.shmaddr = cap->image->data = shmat(cap->shm.shmid, NULL, 0);
        cap->shm.readOnly = False;
        last_error = 0;
        XShmAttach(dpy, &cap->shm);
        XSync(dpy, False);
        shmctl(cap->shm.shmid, IPC_RMID, NULL);  // freed once both sides detach
        if (!last_error && cap->image->data != (char *)-1) {
          cap->using_shm = 1;
          return CX11_OK;
        }
        if (cap->image->data != (char *)-1) shmdt(cap->image->data);
      }
      cap->image->data = NULL;
      XDestroyImage(cap->image);
      cap->image = NULL;
    }
  }
  return CX11_OK;  // no XShm: XGetImage at each grab
}

cx11_capture *cx11_capture_open(cx11_conn *c, unsigned long window, char *err, int errlen) {
  cx11_capture *cap = calloc(1, sizeof *cap);
  cap->conn = c;
  cap->is_root = window == 0 || window == DefaultRootWindow(c->dpy);
  cap->window = cap->is_root ? DefaultRootWindow(c->dpy) : window;
  XWindowAttributes a;
  last_error = 0;
  if (!XGetWindowAttributes(c->dpy, cap->window, &a) || last_error) {
    snprintf(err, errlen, "window 0x%lx does not exist", window);
    free(cap);
    return NULL;
  }
  if (!cap->is_root && c->has_composite) {
    last_error = 0;
    XCompositeRedirectWindow(c->dpy, cap->window, CompositeRedirectAutomatic);
    XSync(c->dpy, False);
    cap->redirected = last_error ? 0 : 1;
  }
  return cap;
}

static int grab(cx11_capture *cap, const uint8_t **pixels, int *width, int *height, int *stride);

int cx11_capture_grab(cx11_capture *cap, const uint8_t **pixels, int *width, int *height, int *stride) {
  GUARDED(cap->conn, CX11_GONE);
  if (cap->direct) {
    // Back from direct grabs (no shared buffers to be had): prepare an image of its own again.
    cap->direct = 0;
    release_image(cap);
  }
  int rc = grab(cap, pixels, width, height, stride);
  UNGUARDED();
  return rc;
}

static int grab(cx11_capture *cap, const uint8_t **pixels, int *width, int *height, int *stride) {
  Display *dpy = cap->conn->dpy;
  int rc = prepare(cap);
  if (rc != CX11_OK) return rc;
  Drawable d = cap->pixmap ? cap->pixmap : cap->window;
  last_error = 0;
  if (cap->using_shm) {
    if (!XShmGetImage(dpy, d, cap->image, 0, 0, AllPlanes)) last_error = last_error ? last_error : 1;
    XSync(dpy, False);
  } else {
    if (cap->image) XDestroyImage(cap->image);
    cap->image = XGetImage(dpy, d, 0, 0, cap->width, cap->height, AllPlanes, ZPixmap);
    XSync(dpy, False);
  }
  if (last_error || !cap->image) {
    // The pixmap goes stale when the window is resized or unmapped; name it again next time.
    release_image(cap);
    XWindowAttributes a;
    last_error = 0;
    Status exists = XGetWindowAttributes(dpy, cap->window, &a);
    XSync(dpy, False);
    return exists && !last_error ? CX11_NOT_VIEWABLE : CX11_GONE;
  }
  if (cap->image->bits_per_pixel != 32) return CX11_FAILED;
  *pixels = (const uint8_t *)cap->image->data;
  *width = cap->width;
  *height = cap->height;
  *stride = cap->image->bytes_per_line;
  return CX11_OK;
}

int cx11_capture_prepare(cx11_capture *cap, int *width, int *height) {
  GUARDED(cap->conn, CX11_GONE);
  cap->direct = 1;
  int rc = prepare(cap);
  UNGUARDED();
  *width = cap->width;
  *height = cap->height;
  return rc;
}

cx11_shm *cx11_shm_new(cx11_capture *cap, int width, int height) {
  if (!cap->conn->has_shm || !cap->visual || width != cap->width || height != cap->height) return NULL;
  GUARDED(cap->conn, NULL);
  Display *dpy = cap->conn->dpy;
  cx11_shm *s = calloc(1, sizeof *s);
  s->info.shmid = -1;
  s->info.shmaddr = (char *)-1;
  s->image = XShmCreateImage(dpy, cap->visual, cap->depth, ZPixmap, NULL, &s->info, width, height);
  // The pixels must be tightly packed 32-bit rows, as PixelBuffer lays them out.
  if (!s->image || s->image->bits_per_pixel != 32 || s->image->bytes_per_line != width * 4) goto fail;
  s->info.shmid = shmget(IPC_PRIVATE, (size_t)width * height * 4, IPC_CREAT | 0600);
  if (s->info.shmid < 0) goto fail;
  s->info.shmaddr = s->image->data = shmat(s->info.shmid, NULL, 0);
  shmctl(s->info.shmid, IPC_RMID, NULL);  // freed once both sides detach
  if (s->info.shmaddr == (char *)-1) goto fail;
  s->info.readOnly = False;
  last_error = 0;
  XShmAttach(dpy, &s->info);
  XSync(dpy, False);
  if (last_error) goto fail;
  s->attached = 1;
  UNGUARDED();
  return s;
fail:
  UNGUARDED();
  cx11_shm_free(s);
  return NULL;
}

uint8_t *cx11_shm_pixels(cx11_shm *s) { return (uint8_t *)s->info.shmaddr; }

void cx11_shm_detach(cx11_capture *cap, cx11_shm *s) {
  if (!s->attached) return;
  s->attached = 0;
  GUARDED(cap->conn, );
  XShmDetach(cap->conn->dpy, &s->info);
  XSync(cap->conn->dpy, False);
  UNGUARDED();
}

void cx11_shm_free(cx11_shm *s) {
  if (!s) return;
  if (s->info.shmaddr != (char *)-1 && s->info.shmaddr) shmdt(s->info.shmaddr);
  if (s->image) {
    s->image->data = NULL;
    XDestroyImage(s->image);
  }
  free(s);
}

int cx11_capture_grab_into(cx11_capture *cap, cx11_shm *s) {
  GUARDED(cap->conn, CX11_GONE);
  Display *dpy = cap->conn->dpy;
  int rc = CX11_OK;
  if (!cap->ready || s->image->width != cap->width || s->image->height != cap->height) {
    rc = CX11_FAILED;
  } else {
    Drawable d = cap->pixmap ? cap->pixmap : cap->window;
    last_error = 0;
    if (!XShmGetImage(dpy, d, s->image, 0, 0, AllPlanes)) last_error = last_error ? last_error : 1;
    XSync(dpy, False);
    if (last_error) {
      // As in grab: a stale pixmap is named again next time; a window gone is reported.
      release_image(cap);
      XWindowAttributes a;
      last_error = 0;
      Status exists = XGetWindowAttributes(dpy, cap->window, &a);
      XSync(dpy, False);
      rc = exists && !last_error ? CX11_NOT_VIEWABLE : CX11_GONE;
    }
  }
  UNGUARDED();
  return rc;
}

void cx11_capture_close(cx11_capture *cap) {
  if (!cap) return;
  if (cap->conn->dead) {
    if (cap->using_shm && cap->shm.shmaddr) shmdt(cap->shm.shmaddr);
    free(cap);
    return;
  }
  release_image(cap);
  if (cap->redirected) {
    last_error = 0;
    XCompositeUnredirectWindow(cap->conn->dpy, cap->window, CompositeRedirectAutomatic);
    XSync(cap->conn->dpy, False);
  }
  free(cap);
}
