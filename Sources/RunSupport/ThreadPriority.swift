#if canImport(Glibc)
import Glibc
#endif

/// Lowers the calling thread's priority by 5 nice steps (on Linux nice is per thread, so this
/// thread only; raising it back would need privileges): for work beside the thread that decides
/// how long a phase takes, which then keeps its core while this work takes what is left. Threads
/// this thread starts afterwards start at its priority.
public func lowerThisThreadsPriority() {
    #if os(Linux)
    errno = 0
    let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    guard errno == 0 else { return }
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, current + 5)
    #endif
}
