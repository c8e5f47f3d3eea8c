#include "cx264.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x264.h>

struct cx264 {
  x264_t *enc;
  int width, height;
  int64_t pts;
  uint8_t *sps, *pps;
  int sps_len, pps_len;
};

// x264 logs to stderr through this; only warnings and errors get here (i_log_level).
static void log_to_stderr(void *priv, int level, const char *fmt, va_list args) {
  (void)priv;
  fprintf(stderr, "x264 [%s]: ", level == X264_LOG_ERROR ? "error" : "warning");
  vfprintf(stderr, fmt, args);
}

cx264 *cx264_open(const cx264_config *c, char *err, int errlen) {
  if (c->width <= 0 || c->height <= 0 || (c->width & 1) || (c->height & 1) || c->fps <= 0) {
    snprintf(err, errlen, "bad encoder size %dx%d @ %d fps (even sizes only)", c->width, c->height, c->fps);
    return NULL;
  }
  x264_param_t p;
  if (x264_param_default_preset(&p, c->preset, "zerolatency") < 0) {
    snprintf(err, errlen, "unknown x264 preset %s", c->preset);
    return NULL;
  }
  p.i_width = c->width;
  p.i_height = c->height;
  p.i_csp = X264_CSP_I420;
  p.i_fps_num = (uint32_t)c->fps;
  p.i_fps_den = 1;
  p.i_timebase_num = 1;
  p.i_timebase_den = (uint32_t)c->fps;
  p.b_vfr_input = 0;
  // Memory: zerolatency already means no lookahead, no B-frames, no mbtree and slice threads
  // (no frame delay); the thread count is bounded here so the encoder holds one frame's state.
  p.i_threads = c->threads < 1 ? 1 : c->threads;
  p.b_sliced_threads = 1;
  p.i_lookahead_threads = 1;
  p.i_sync_lookahead = 0;
  p.rc.i_lookahead = 0;
  p.rc.b_mb_tree = 0;
  p.i_bframe = 0;
  p.i_level_idc = c->level_idc;
  p.i_keyint_max = c->keyint;
  p.i_keyint_min = c->keyint;
  p.i_scenecut_threshold = 0;
  p.rc.i_rc_method = X264_RC_ABR;
  p.rc.i_bitrate = c->bitrate_kbps;
  p.rc.i_vbv_max_bitrate = c->maxrate_kbps;
  p.rc.i_vbv_buffer_size = c->bufsize_kbit;
  p.b_repeat_headers = 0;  // SPS/PPS live in avcC
  p.b_annexb = 0;          // 4-byte length prefixes, as MP4 wants
  p.b_aud = 0;
  p.i_log_level = X264_LOG_WARNING;
  p.pf_log = log_to_stderr;
  if (x264_param_apply_profile(&p, "high") < 0) {
    snprintf(err, errlen, "x264 cannot apply the High profile");
    return NULL;
  }
  cx264 *e = calloc(1, sizeof *e);
  if (!e) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  e->width = c->width;
  e->height = c->height;
  e->enc = x264_encoder_open(&p);
  if (!e->enc) {
    snprintf(err, errlen, "x264_encoder_open failed for %dx%d @ %d fps", c->width, c->height, c->fps);
    free(e);
    return NULL;
  }
  x264_nal_t *nals;
  int n = 0;
  if (x264_encoder_headers(e->enc, &nals, &n) < 0) n = 0;
  for (int i = 0; i < n; i++) {
    // Payloads carry a 4-byte length prefix (b_annexb = 0).
    uint8_t *copy = malloc((size_t)nals[i].i_payload - 4);
    if (!copy) continue;
    memcpy(copy, nals[i].p_payload + 4, (size_t)nals[i].i_payload - 4);
    if (nals[i].i_type == NAL_SPS && !e->sps) {
      e->sps = copy;
      e->sps_len = nals[i].i_payload - 4;
    } else if (nals[i].i_type == NAL_PPS && !e->pps) {
      e->pps = copy;
      e->pps_len = nals[i].i_payload - 4;
    } else {
      free(copy);
    }
  }
  if (!e->sps || !e->pps) {
    snprintf(err, errlen, "x264 gave no SPS/PPS");
    cx264_close(e);
    return NULL;
  }
  return e;
}

void cx264_parameter_sets(cx264 *e, const uint8_t **sps, int *sps_len, const uint8_t **pps, int *pps_len) {
  *sps = e->sps;
  *sps_len = e->sps_len;
  *pps = e->pps;
  *pps_len = e->pps_len;
}

int cx264_i420_size(int width, int height) { return width * height + 2 * (width / 2) * (height / 2); }

void cx264_bgra_to_i420(const uint8_t *bgra, int stride, int w, int h, uint8_t *i420) {
  uint8_t *yp = i420, *up = i420 + w * h, *vp = up + (w / 2) * (h / 2);
  for (int y = 0; y < h; y += 2) {
    const uint8_t *r0 = bgra + (size_t)y * stride, *r1 = r0 + stride;
    uint8_t *y0 = yp + (size_t)y * w, *y1 = y0 + w;
    uint8_t *u = up + (size_t)(y / 2) * (w / 2), *v = vp + (size_t)(y / 2) * (w / 2);
    for (int x = 0; x < w; x += 2) {
      const uint8_t *a = r0 + 4 * x, *b = r1 + 4 * x;
      // BT.601 limited range with rounding (bytes are B, G, R, A).
      y0[x] = (uint8_t)(((66 * a[2] + 129 * a[1] + 25 * a[0] + 128) >> 8) + 16);
      y0[x + 1] = (uint8_t)(((66 * a[6] + 129 * a[5] + 25 * a[4] + 128) >> 8) + 16);
      y1[x] = (uint8_t)(((66 * b[2] + 129 * b[1] + 25 * b[0] + 128) >> 8) + 16);
      y1[x + 1] = (uint8_t)(((66 * b[6] + 129 * b[5] + 25 * b[4] + 128) >> 8) + 16);
      const int bb = (a[0] + a[4] + b[0] + b[4] + 2) >> 2;
      const int gg = (a[1] + a[5] + b[1] + b[5] + 2) >> 2;
      const int rr = (a[2] + a[6] + b[2] + b[6] + 2) >> 2;
      // Offset by 128 << 8 before the shift so it never shifts a negative number.
      u[x / 2] = (uint8_t)((-38 * rr - 74 * gg + 112 * bb + 128 + (128 << 8)) >> 8);
      v[x / 2] = (uint8_t)((112 * rr - 94 * gg - 18 * bb + 128 + (128 << 8)) >> 8);
    }
  }
}

int cx264_encode(cx264 *e, const uint8_t *i420, int force_idr, const uint8_t **sample, int *keyframe) {
  x264_picture_t in, out;
  x264_nal_t *nals;
  int n = 0;
  const int w = e->width, h = e->height;
  x264_picture_init(&in);
  in.img.i_csp = X264_CSP_I420;
  in.img.i_plane = 3;
  in.img.plane[0] = (uint8_t *)i420;
  in.img.plane[1] = (uint8_t *)i420 + w * h;
  in.img.plane[2] = (uint8_t *)i420 + w * h + (w / 2) * (h / 2);
  in.img.i_stride[0] = w;
  in.img.i_stride[1] = w / 2;
  in.img.i_stride[2] = w / 2;
  in.i_type = force_idr ? X264_TYPE_IDR : X264_TYPE_AUTO;
  in.i_pts = e->pts++;
  int size = x264_encoder_encode(e->enc, &nals, &n, &in, &out);
  if (size < 0) return -1;
  if (size == 0 || n == 0) return 0;
  // x264 guarantees a frame's NAL payloads are contiguous in memory.
  *sample = nals[0].p_payload;
  *keyframe = out.b_keyframe ? 1 : 0;
  return size;
}

int cx264_delayed_frames(cx264 *e) { return x264_encoder_delayed_frames(e->enc); }

void cx264_close(cx264 *e) {
  if (!e) return;
  if (e->enc) x264_encoder_close(e->enc);
  free(e->sps);
  free(e->pps);
  free(e);
}
