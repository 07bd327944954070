import Foundation
import Synchronization

/// Runs `transform` over `0..<count` in contiguous chunks on all cores and returns the results in
/// order. For pure work on value types only (no GDAL handles: those stay on one thread).
public func parallelMap<T: Sendable>(count: Int, chunkSize: Int = 4096, _ transform: @Sendable (Int) -> T) -> [T] {
    parallelChunks(count: count, chunkSize: chunkSize) { range in range.map(transform) }
}

/// Like `parallelMap`, but `transform` gets a whole chunk, so per-thread set-up (a PROJ
/// transformation, a GDAL warning collector) is done once per chunk.
public func parallelChunks<T: Sendable>(count: Int, chunkSize: Int, _ transform: @Sendable (Range<Int>) -> [T]) -> [T] {
    guard count > 0 else { return [] }
    let chunks = (count + chunkSize - 1) / chunkSize
    if chunks == 1 { return transform(0..<count) }
    let results = Mutex([[T]](repeating: [], count: chunks))
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = chunk * chunkSize
        let values = transform(start..<min(start + chunkSize, count))
        results.withLock { $0[chunk] = values }
    }
    return results.withLock { slots in
        var joined: [T] = []
        joined.reserveCapacity(count)
        for index in slots.indices {
            joined.append(contentsOf: slots[index])
            slots[index] = []  // freed as it goes
        }
        return joined
    }
}

/// Runs three independent pieces of work at once (on as many cores as there are) and returns
/// their results with how long each took, in seconds. For set-up steps that are each too small
/// to split but, run one after the other, leave a core idle. Throws the first piece's error.
public func concurrently<A: Sendable, B: Sendable, C: Sendable, E: Error>(
    _ a: @Sendable () throws(E) -> A, _ b: @Sendable () throws(E) -> B, _ c: @Sendable () throws(E) -> C
) throws(E) -> (A, B, C, seconds: (Double, Double, Double)) {
    let first = Mutex<(Result<A, E>, Double)?>(nil), second = Mutex<(Result<B, E>, Double)?>(nil), third = Mutex<(Result<C, E>, Double)?>(nil)
    DispatchQueue.concurrentPerform(iterations: 3) { piece in
        let start = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        switch piece {
        case 0: let result = Result { () throws(E) -> A in try a() }; let took = seconds(); first.withLock { $0 = (result, took) }
        case 1: let result = Result { () throws(E) -> B in try b() }; let took = seconds(); second.withLock { $0 = (result, took) }
        default: let result = Result { () throws(E) -> C in try c() }; let took = seconds(); third.withLock { $0 = (result, took) }
        }
    }
    let (ra, sa) = first.withLock { $0! }, (rb, sb) = second.withLock { $0! }, (rc, sc) = third.withLock { $0! }
    return (try ra.get(), try rb.get(), try rc.get(), (sa, sb, sc))
}

/// Two independent pieces of work at once (`concurrently(_:_:_:)`).
public func concurrently<A: Sendable, B: Sendable, E: Error>(_ a: @Sendable () throws(E) -> A, _ b: @Sendable () throws(E) -> B) throws(E) -> (A, B) {
    let (first, second, _, _) = try concurrently(a, b, { () throws(E) in })
    return (first, second)
}
