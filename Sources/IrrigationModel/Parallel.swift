import Foundation

/// Runs `transform` over `0..<count` in contiguous chunks on all cores and returns the results in
/// order. For pure work on value types only (no GDAL handles: those stay on one thread).
public func parallelMap<T: Sendable>(count: Int, chunkSize: Int = 4096, _ transform: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let chunks = (count + chunkSize - 1) / chunkSize
    let results = ChunkResults<T>(chunks: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = chunk * chunkSize, end = min(start + chunkSize, count)
        results.store((start..<end).map(transform), at: chunk)
    }
    return results.joined()
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
