#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Threads that one call starts and joins before it returns.
///
/// Why not Dispatch: libdispatch keeps a process-wide worker pool that outlives the call. In a
/// child forked after a parallel search the pool is gone but libdispatch still believes it has
/// it, so the child's next parallel search never returns (Python's multiprocessing forks by
/// default on Linux); and a host that dlcloses libpdcost unmaps code its parked workers are
/// still in (SIGSEGV). Plain POSIX threads, always joined, leave nothing behind: between two
/// calls the library runs no thread of its own, so fork and dlclose are safe there.
struct JoinedThreads: ~Copyable {
    private var handles: [pthread_t] = []

    init() {}

    /// Threads started and not yet joined.
    var count: Int { handles.count }

    /// Starts `body` on a new thread; false (and `body` not run) if the system refuses one,
    /// e.g. EAGAIN at the process's thread limit: callers fall back to fewer threads.
    mutating func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(ThreadBody(body))
        #if canImport(Darwin)
        var handle: pthread_t?
        let status = pthread_create(&handle, nil, threadEntry, box.toOpaque())
        guard status == 0, let handle else {
            box.release()
            return false
        }
        #else
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, threadEntry, box.toOpaque())
        guard status == 0 else {
            box.release()
            return false
        }
        #endif
        handles.append(handle)
        return true
    }

    /// Waits for every started thread to finish.
    mutating func joinAll() {
        for handle in handles {
            _ = pthread_join(handle, nil)
        }
        handles.removeAll()
    }

    deinit {
        // A caller that forgot joinAll() still leaves no thread running past its scope.
        for handle in handles {
            _ = pthread_join(handle, nil)
        }
    }
}

/// The closure a thread runs, passed through pthread_create's `void *` argument.
private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

#if canImport(Darwin)
private func threadEntry(_ raw: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
    return nil
}
#else
private func threadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
    return nil
}
#endif

extension JoinedThreads {
    /// CPU time the calling thread has used, in nanoseconds (0 where the clock is missing):
    /// unlike wall time, it does not grow while other processes hold the cores.
    static func threadCPUNanoseconds() -> Int {
        var t = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 else { return 0 }
        return Int(t.tv_sec) &* 1_000_000_000 &+ Int(t.tv_nsec)
    }

    /// Sleeps the calling thread (a polling interval; EINTR just ends it early).
    static func sleep(microseconds: Int) {
        var request = timespec(tv_sec: 0, tv_nsec: microseconds * 1000)
        _ = nanosleep(&request, nil)
    }
}
