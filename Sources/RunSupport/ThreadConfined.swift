import Foundation
import Synchronization

/// A value that lives on one thread of its own for its whole life: made there, changed there by
/// the jobs queued for it, in the order they were queued, and gone when the thread ends. For
/// state that must not cross threads — a GDAL dataset or a PROJ transformation (`reference/
/// peers.md` C.2: GDAL objects stay on the thread that made them), a file being written — where
/// a serial Dispatch queue, whose items may run on any of its workers, does not promise one thread.
///
/// Jobs get the state `inout` and can hand back only `Sendable` results, so the state itself
/// never leaves the thread. `close()` ends the thread once the jobs queued before it are done.
public final class ThreadConfined<State>: Sendable {
    private struct Queue {
        var jobs: [@Sendable (inout State) -> Void] = []
        var closed = false
    }
    private let queue = Mutex(Queue())
    /// Signalled once per job queued and once on close.
    private let work = DispatchSemaphore(value: 0)

    /// Starts the thread and makes the state there; throws what `make` throws (the thread has
    /// ended then).
    public init(name: String, make: @escaping @Sendable () throws -> State) throws {
        let started = Promise<Result<Void, any Error>>()
        let thread = Thread { [self] in
            var state: State
            do { state = try make() } catch { started.fulfil(.failure(error)); return }
            started.fulfil(.success(()))
            while let job = nextJob() { job(&state) }
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
        try started.wait().get()
    }

    private func nextJob() -> (@Sendable (inout State) -> Void)? {
        while true {
            work.wait()
            let (job, closed) = queue.withLock { queue -> ((@Sendable (inout State) -> Void)?, Bool) in
                queue.jobs.isEmpty ? (nil, queue.closed) : (queue.jobs.removeFirst(), false)
            }
            if let job { return job }
            if closed { return nil }
        }
    }

    /// Queues `job` after the jobs queued before it.
    public func async(_ job: @escaping @Sendable (inout State) -> Void) {
        queue.withLock { queue in
            precondition(!queue.closed, "work queued on a closed ThreadConfined")
            queue.jobs.append(job)
        }
        work.signal()
    }

    /// Runs `job` after the jobs queued before it and waits for its result.
    public func sync<T: Sendable>(_ job: @escaping @Sendable (inout State) throws -> T) throws -> T {
        let done = Promise<Result<T, any Error>>()
        async { state in done.fulfil(Result { try job(&state) }) }
        return try done.wait().get()
    }

    /// Runs `job` after the jobs queued before it; its result, once there, from the promise.
    public func promise<T: Sendable>(_ job: @escaping @Sendable (inout State) throws -> T) -> Promise<Result<T, any Error>> {
        let done = Promise<Result<T, any Error>>()
        async { state in done.fulfil(Result { try job(&state) }) }
        return done
    }

    /// Ends the thread after the jobs queued so far (without waiting for them).
    public func close() {
        let first = queue.withLock { queue in
            defer { queue.closed = true }
            return !queue.closed
        }
        if first { work.signal() }
    }
}

/// Work on a thread of its own, waited for once. Not a Dispatch worker: long work there held one
/// of the few threads Dispatch runs at a time, and work queued behind it stalled.
public final class BackgroundWork<T: Sendable>: Sendable {
    private let outcome = Promise<(Result<T, any Error>, seconds: Double)>()

    public init(_ work: @escaping @Sendable () throws -> T) {
        let outcome = self.outcome
        let thread = Thread {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = Result { try work() }
            outcome.fulfil((result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The result, once the work is done.
    public func wait() -> Result<T, any Error> { outcome.wait().0 }

    /// How long the work took (waits for it).
    public var seconds: Double { outcome.wait().seconds }
}
