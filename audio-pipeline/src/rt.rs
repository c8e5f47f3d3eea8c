//! Best-effort real-time scheduling for capture threads. A capture thread that the scheduler
//! holds back longer than the pipeline's look-behind leaves a gap in the recording, and on a
//! busy machine an ordinary thread can wait that long. `promote_current_thread` asks for
//! SCHED_FIFO at a low real-time priority; without the right (root, CAP_SYS_NICE or an RLIMIT_RTPRIO
//! allowance) it changes nothing and says so by returning false. One syscall, no allocation,
//! so a device callback may call it once. The promoted threads only wait on a device or a timer
//! and do microseconds of work per wake-up, so they cannot starve the machine.

/// Low in the 1–99 range: above ordinary threads, below audio servers' own threads.
#[cfg(target_os = "linux")]
const PRIORITY: i32 = 10;

#[cfg(target_os = "linux")]
pub fn promote_current_thread() -> bool {
    let param = libc::sched_param { sched_priority: PRIORITY };
    // SAFETY: `param` is a valid sched_param; pid 0 means the calling thread.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &param) == 0 }
}

#[cfg(not(target_os = "linux"))]
pub fn promote_current_thread() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_is_harmless_either_way() {
        let promoted = std::thread::spawn(promote_current_thread).join().unwrap();
        // As root (the test machines) it works; elsewhere it must just report false.
        let root = unsafe { libc::geteuid() } == 0;
        if cfg!(target_os = "linux") && root {
            assert!(promoted, "root may use SCHED_FIFO");
        }
    }
}
