/// Each parcel id's first parcel, for the monitoring rows that name parcels: the ids (sharing the
/// parcels' own bytes, `ParcelIDAndShape`) and an open-addressing table of 32-bit places, a
/// fraction of a `[String: Int]`'s size, held at the reading's peak (docs/scaling.md).
public struct ParcelIDIndex: Sendable {
    private let ids: [ParcelIDAndShape]
    /// Each slot holds a parcel's place + 1, or 0 when empty; a power of two long, at most half full.
    private let slots: [Int32]
    /// How many distinct ids there are.
    public let distinctCount: Int

    /// (A layer of 2³¹ parcels would take far more memory than a machine has: a place fits.)
    public init(_ parcels: [Parcel]) {
        ids = parcels.map(\.idAndShape)
        var count = 16
        while count < 2 * parcels.count { count *= 2 }
        var slots = [Int32](repeating: 0, count: count)
        var distinct = 0
        let mask = count - 1
        for (place, packed) in ids.enumerated() {
            let id = packed.id
            var slot = id.hashValue & mask
            while slots[slot] != 0 {
                if ids[Int(slots[slot]) - 1].idIs(id) { break }  // a later parcel with the id: the first stays
                slot = (slot + 1) & mask
            }
            if slots[slot] == 0 { slots[slot] = Int32(place + 1); distinct += 1 }
        }
        self.slots = slots
        distinctCount = distinct
    }

    /// The first parcel with `id`, if any.
    public func first(_ id: String) -> Int? {
        let mask = slots.count - 1
        var slot = id.hashValue & mask
        while slots[slot] != 0 {
            let place = Int(slots[slot]) - 1
            if ids[place].idIs(id) { return place }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
