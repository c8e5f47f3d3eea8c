// Process-wide memory settings for swift-capture on Linux (glibc): called once at start-up.
#ifndef CPROCESSMEMORY_H
#define CPROCESSMEMORY_H

/// Keeps resident memory close to what is used:
/// - no transparent huge pages (libx264 asks for them on its frame buffers, and a 2 MiB page is
///   resident as a whole however little of it is touched);
/// - at most two malloc arenas (one per thread by default: each keeps its own freed memory);
/// - blocks of 256 KiB and more mapped from the kernel, so freeing them returns them (by default
///   the threshold grows with the first large free, and later frames stay in the arenas).
/// Returns 0, or -1 when a setting was refused (the process works either way).
int cprocessmemory_tune(void);

#endif
