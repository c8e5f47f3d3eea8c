//! The real-time path allocates nothing: a counting global allocator checks that the callback's
//! work (noting the time, pushing into the ring, including when the ring is full) and the mixing
//! steps (gain-sum, limiter, meter) make no allocation on the calling thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use sessions_audio::mix::{mix_into, Limiter, Meter};
use sessions_audio::ring::capture_ring;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts calls on the current thread.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(|c| c.get())
}

#[test]
fn the_counter_sees_allocations() {
    let before = allocations();
    let v: Vec<u8> = Vec::with_capacity(64);
    assert!(allocations() > before);
    drop(v);
}

#[test]
fn the_callback_path_does_not_allocate() {
    let (mut writer, _reader) = capture_ring(4_800, 2);
    let block = vec![0.25f32; 960];
    let before = allocations();
    for i in 0..100u64 {
        // 100 × 480 frames into a 4800-frame ring: it fills up and drops, still without allocating.
        writer.stats().note_callback(1_000_000 + i * 10_000_000);
        writer.push(&block);
    }
    assert_eq!(allocations() - before, 0, "the callback path allocated");
    assert!(writer.stats().overruns.load(std::sync::atomic::Ordering::Relaxed) > 0, "the ring did fill up");
}

#[test]
fn mixing_does_not_allocate() {
    let a = vec![0.9f32; 1_920];
    let b = vec![0.8f32; 1_920];
    let mut acc = vec![0f32; 1_920];
    let mut limiter = Limiter::default();
    let mut meter = Meter::default();
    let before = allocations();
    for _ in 0..50 {
        acc.iter_mut().for_each(|s| *s = 0.0);
        mix_into(&mut acc, &a, 1.0);
        mix_into(&mut acc, &b, 1.0);
        limiter.process(&mut acc);
        meter.feed(&acc);
    }
    let _ = meter.take();
    assert_eq!(allocations() - before, 0, "mixing allocated");
    assert!(acc.iter().all(|s| s.abs() <= 0.98 + 1e-6));
}
