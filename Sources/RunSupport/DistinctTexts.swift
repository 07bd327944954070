/// Distinct texts numbered in the order they first come, held as one buffer of UTF-8 and an
/// open-addressing table of places: a few bytes more than the text itself, where a `[String]` and
/// a `[String: Int]` hold each text above 15 bytes on the heap, and a table slot per entry
/// (an irrigation table names a million parcels: docs/scaling.md).
public struct DistinctTexts: Sendable {
    /// Every text's bytes, one after another; text `n` ends at `ends[n]`.
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// Each slot holds a text's place + 1, or 0 when empty; a power of two long, at most half full.
    private var slots: [Int] = [Int](repeating: 0, count: 16)

    public init() {}

    public var count: Int { ends.count }

    /// The text at `place`.
    public subscript(place: Int) -> String {
        String(decoding: bytes[start(of: place)..<ends[place]], as: UTF8.self)
    }

    /// The text's place, numbering it when it is new.
    public mutating func place(of text: String) -> Int {
        var text = text
        return text.withUTF8 { place(ofBytes: $0) }
    }

    private mutating func place(ofBytes text: UnsafeBufferPointer<UInt8>) -> Int {
        if slots.isEmpty {  // after `dropLookup`
            var count = 16
            while count < 2 * (ends.count + 1) { count *= 2 }
            makeSlots(count: count)
        }
        let mask = slots.count - 1
        var slot = Self.hash(text) & mask
        while slots[slot] != 0 {
            let place = slots[slot] - 1
            if bytes[start(of: place)..<ends[place]].elementsEqual(text) { return place }
            slot = (slot + 1) & mask
        }
        let place = ends.count
        bytes.append(contentsOf: text)
        ends.append(bytes.count)
        slots[slot] = place + 1
        if ends.count * 2 > slots.count { makeSlots(count: slots.count * 2) }
        return place
    }

    private func start(of place: Int) -> Int { place == 0 ? 0 : ends[place - 1] }

    private static func hash(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(text))
        return hasher.finalize()
    }

    /// The table of places made again with `count` slots (a power of two).
    private mutating func makeSlots(count: Int) {
        var larger = [Int](repeating: 0, count: count)
        let mask = count - 1
        bytes.withUnsafeBufferPointer { bytes in
            for place in ends.indices {
                var slot = Self.hash(UnsafeBufferPointer(rebasing: bytes[start(of: place)..<ends[place]])) & mask
                while larger[slot] != 0 { slot = (slot + 1) & mask }
                larger[slot] = place + 1
            }
        }
        slots = larger
    }

    /// Frees the table of places; the texts stay readable by place (`place(of:)` makes the
    /// table again).
    public mutating func dropLookup() { slots = [] }
}
