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
