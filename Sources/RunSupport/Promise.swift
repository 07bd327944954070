import Dispatch
import Synchronization

/// A value handed from one thread to others once: `wait()` until `fulfil` (only the first call
/// counts). Any number of threads may wait.
public final class Promise<Value: Sendable>: Sendable {
    private let group = DispatchGroup()
    private let value = Mutex<Value?>(nil)

    public init() { group.enter() }

    /// A promise already kept.
    public convenience init(fulfilled value: Value) {
        self.init()
        fulfil(value)
    }

    public func fulfil(_ newValue: Value) {
        let first = value.withLock { current in
            guard current == nil else { return false }
            current = newValue
            return true
        }
        if first { group.leave() }
    }

    /// Puts `newValue` in place of the kept value (keeping the promise first if it was not), to
    /// free a large value nobody will wait for again.
    public func replace(with newValue: Value) {
        fulfil(newValue)
        value.withLock { $0 = newValue }
    }

    public func wait() -> Value {
        group.wait()
        return value.withLock { $0! }
    }
}
