import Foundation

/// Runs `transform` over `0..<count` in contiguous chunks on all cores and returns the results in
/// order. For pure work on value types only (no GDAL handles: those stay on one thread).
public func parallelMap<T: Sendable>(count: Int, chunkSize: Int = 4096, _ transform: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let chunks = (count + chunkSize - 1) / chunkSize
    // Each chunk initializes its own range of the result in place: joining per-chunk arrays
    // copied every element (a retain per reference it holds, then a release when the chunk went).
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        let results = ResultSlots(buffer.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize, end = min(start + chunkSize, count)
            for index in start..<end { (results.base + index).initialize(to: transform(index)) }
        }
        initialized = count
    }
}

/// The result buffer of `parallelMap`, shared by its chunks: each initializes a range no other
/// touches, and the buffer is read only after `concurrentPerform` has returned.
private struct ResultSlots<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Per-chunk results, filled concurrently, each slot written once under a lock.
private final class ChunkResults<T>: @unchecked Sendable {
    private var slots: [[T]]
    private let lock = NSLock()
    init(chunks: Int) { slots = Array(repeating: [], count: chunks) }
    func store(_ values: [T], at index: Int) { lock.lock(); slots[index] = values; lock.unlock() }
    func joined() -> [T] { slots.flatMap { $0 } }
}

/// Like `parallelMap`, but `transform` gets a whole chunk, so per-thread set-up (a PROJ
/// transformation, a GDAL warning collector) is done once per chunk.
public func parallelChunks<T: Sendable>(count: Int, chunkSize: Int, _ transform: @Sendable (Range<Int>) -> [T]) -> [T] {
    guard count > 0 else { return [] }
    let chunks = (count + chunkSize - 1) / chunkSize
    let results = ChunkResults<T>(chunks: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = chunk * chunkSize
        results.store(transform(start..<min(start + chunkSize, count)), at: chunk)
    }
    return results.joined()
}

/// Runs three independent pieces of work at once (on as many cores as there are) and returns
/// their results with how long each took, in seconds. For set-up steps that are each too small
/// to split but, run one after the other, leave a core idle. Throws the first piece's error.
public func concurrently<A: Sendable, B: Sendable, C: Sendable, E: Error>(
    _ a: @Sendable () throws(E) -> A, _ b: @Sendable () throws(E) -> B, _ c: @Sendable () throws(E) -> C
) throws(E) -> (A, B, C, seconds: (Double, Double, Double)) {
    let results = ConcurrentResults<A, B, C, E>()
    DispatchQueue.concurrentPerform(iterations: 3) { piece in
        let start = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        // Each piece sets only its own slot; they are read after `concurrentPerform` returns.
        switch piece {
        case 0: results.a = (Result { () throws(E) -> A in try a() }, seconds())
        case 1: results.b = (Result { () throws(E) -> B in try b() }, seconds())
        default: results.c = (Result { () throws(E) -> C in try c() }, seconds())
        }
    }
    return (try results.a!.0.get(), try results.b!.0.get(), try results.c!.0.get(), (results.a!.1, results.b!.1, results.c!.1))
}

/// Two independent pieces of work at once (`concurrently(_:_:_:)`).
public func concurrently<A: Sendable, B: Sendable, E: Error>(_ a: @Sendable () throws(E) -> A, _ b: @Sendable () throws(E) -> B) throws(E) -> (A, B) {
    let (first, second, _, _) = try concurrently(a, b, { () throws(E) in })
    return (first, second)
}

private final class ConcurrentResults<A, B, C, E: Error>: @unchecked Sendable {
    var a: (Result<A, E>, Double)?
    var b: (Result<B, E>, Double)?
    var c: (Result<C, E>, Double)?
}

/// Work run in order on one thread of its own, which the work keeps for as long as the lane
/// lives: a GDAL dataset made and used there stays on one thread (`reference/peers.md` C.2),
/// which a serial Dispatch queue, whose items may run on any of its workers, does not promise.
/// `close()` ends the thread once the work queued before it is done; it must be called.
public final class SerialThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var closed = false

    public init(name: String) {
        let thread = Thread { [self] in
            while let job = nextJob() { job() }
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func nextJob() -> (() -> Void)? {
        condition.lock(); defer { condition.unlock() }
        while jobs.isEmpty && !closed { condition.wait() }
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }

    /// Queues `job` after the jobs queued before it.
    public func async(_ job: @escaping () -> Void) {
        condition.lock(); defer { condition.unlock() }
        precondition(!closed, "work queued on a closed SerialThread")
        jobs.append(job)
        condition.signal()
    }

    /// Runs `job` after the jobs queued before it and waits for its result.
    public func sync<T>(_ job: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, any Error>? = nil
        async { result = Result { try job() }; done.signal() }
        done.wait()
        return try result!.get()
    }

    /// Ends the thread after the jobs queued so far (without waiting for them).
    public func close() {
        condition.lock(); defer { condition.unlock() }
        closed = true
        condition.signal()
    }
}
