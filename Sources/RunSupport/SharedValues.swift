/// Equal values kept once: the value made for a key the first time is handed out for every equal
/// key after. A run's repeated texts and lists (crop names, reason lists) then share one storage
/// instead of an allocation per parcel (docs/scaling.md).
public struct SharedValues<Key: Hashable, Value> {
    private var kept: [Key: Value] = [:]
    /// Past this many keys nothing more is kept (a field of distinct texts would only fill it).
    private let limit: Int

    public init(limit: Int = .max) { self.limit = limit }

    /// The value kept for `key`, else `make(key)`, kept when there is room.
    public mutating func value(for key: Key, making make: (Key) -> Value) -> Value {
        if let value = kept[key] { return value }
        let value = make(key)
        if kept.count < limit { kept[key] = value }
        return value
    }
}

extension SharedValues where Key == Value {
    /// The equal value kept before, else `value` (kept when there is room).
    public mutating func shared(_ value: Value) -> Value { self.value(for: value) { $0 } }
}
