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
    public func forCurrentThread() throws -> CoordinateTransformation {
        try threadCopy(key: "irrizone.SharedCoordinateTransformation", of: self) {
            try lock.withLock { try original.clone() }
        }
    }
}

/// The calling thread's copy of something `owner` shares among threads: made by `make` the first
/// time the thread asks, kept in the thread's dictionary under `key` until another owner asks
/// there under the same key. The owner is held weakly and compared by identity: an address alone
/// is handed out again once freed, and a later owner made there would take an earlier one's copies.
func threadCopy<Value>(key: String, of owner: AnyObject, make: () throws -> Value) rethrows -> Value {
    let storage = Thread.current.threadDictionary
    if let cached = storage[key] as? ThreadCopy<Value>, cached.owner === owner { return cached.value }
    let made = try make()
    storage[key] = ThreadCopy(owner: owner, value: made)
    return made
}

private final class ThreadCopy<Value> {
    weak var owner: AnyObject?
    let value: Value
    init(owner: AnyObject, value: Value) { self.owner = owner; self.value = value }
}
