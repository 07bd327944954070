import Foundation

/// One coordinate transformation for the threads that work on one set of geometry: each thread
/// gets its own clone (`forCurrentThread()`), made the first time the thread asks and kept by the
/// thread for as long as this value lives. A transformation is used on the thread that made it
/// only (`reference/peers.md` C.2); cloning is cheaper than setting one up from the two CRSs,
/// which searches PROJ's database (docs/scaling.md).
///
/// `@unchecked Sendable` because it holds a GDAL object: a clone made on the thread that makes
/// this value, afterwards only cloned again, under `lock`, one thread at a time (`OCTClone` gives
/// the copy the calling thread's PROJ context); it never transforms anything itself.
public final class SharedCoordinateTransformation: @unchecked Sendable {
    private let original: CoordinateTransformation
    private let lock = NSLock()

    /// Keeps a clone of `transformation`: the caller goes on using its own.
    public init(_ transformation: CoordinateTransformation) throws(GDALError) {
        original = try transformation.clone()
    }

    /// The calling thread's own copy.
    public func forCurrentThread() throws(GDALError) -> CoordinateTransformation {
        let storage = Thread.current.threadDictionary
        if let cached = storage[Self.key] as? ThreadCopy, cached.shared === self { return cached.transformation }
        lock.lock()
        defer { lock.unlock() }
        let copy = try original.clone()
        storage[Self.key] = ThreadCopy(shared: self, transformation: copy)
        return copy
    }

    private static let key = "irrizone.SharedCoordinateTransformation"

    /// A thread's copy, with the shared value it came from held weakly: an address alone is handed
    /// out again once freed, and a later transformation made there would take an earlier one's copies.
    private final class ThreadCopy {
        weak var shared: SharedCoordinateTransformation?
        let transformation: CoordinateTransformation
        init(shared: SharedCoordinateTransformation, transformation: CoordinateTransformation) {
            self.shared = shared; self.transformation = transformation
        }
    }
}
