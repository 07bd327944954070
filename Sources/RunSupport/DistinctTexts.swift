#if canImport(Glibc)
import Glibc
#endif

/// Distinct texts numbered in the order they first come, held as one buffer of UTF-8 and an
/// open-addressing table of places: a few bytes more than the text itself, where a `[String]` and
/// a `[String: Int]` hold each text above 15 bytes on the heap, and a table slot per entry
/// (an irrigation table names a million parcels: docs/scaling.md).
public struct DistinctTexts: Sendable {
    /// Every text's bytes, one after another; text `n` ends at `ends[n]`.
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// Each slot holds a text's place + 1 in its low 32 bits (0 when empty) and the low 32 bits
    /// of the text's hash in its high ones: a probe compares texts only when their hashes agree,
    /// and the table grows without hashing or reading a text again. A power of two long (at most
    /// 2³² slots, so the stored bits say where a text goes), at most half full.
    private var slots: [UInt64] = [UInt64](repeating: 0, count: 16)
    /// The place last asked for, compared first: the rows of a table name the same text one
    /// after another (an irrigation table lists a parcel's years together), and that text's
    /// bytes are still in the cache where its slot, found by hashing, is not.
    private var lastPlace = -1

    public init() {}

    public var count: Int { ends.count }

    /// The text at `place`.
    public subscript(place: Int) -> String {
        String(decoding: bytes[start(of: place)..<ends[place]], as: UTF8.self)
    }

    /// The text's place, numbering it when it is new.
    /// - Precondition: fewer than 2³¹ distinct texts (a place is kept in 32 bits).
    public mutating func place(of text: String) -> Int {
        var text = text
        return text.withUTF8 { place(ofBytes: $0) }
    }

    private mutating func place(ofBytes text: UnsafeBufferPointer<UInt8>) -> Int {
        if lastPlace >= 0, equals(lastPlace, text) { return lastPlace }
        let place = lookUp(text)
        lastPlace = place
        return place
    }

    private mutating func lookUp(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        if slots.isEmpty {  // after `dropLookup`
            var count = 16
            while count < 2 * (ends.count + 1) { count *= 2 }
            makeSlots(count: count)
        }
        let hash = Self.hash(text)
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if UInt32(truncatingIfNeeded: entry >> 32) == hash {
                let place = Int(UInt32(truncatingIfNeeded: entry)) - 1
                if equals(place, text) { return place }
            }
            slot = (slot + 1) & mask
        }
        let place = ends.count
        precondition(place < Int(Int32.max), "more than 2³¹ distinct texts")
        bytes.append(contentsOf: text)
        ends.append(bytes.count)
        slots[slot] = UInt64(hash) << 32 | UInt64(place + 1)
        if ends.count * 2 > slots.count { makeSlots(count: slots.count * 2) }
        return place
    }

    private func start(of place: Int) -> Int { place == 0 ? 0 : ends[place - 1] }

    /// Whether the text at `place` is `text`, byte for byte.
    private func equals(_ place: Int, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = start(of: place), count = ends[place] - start
        guard count == text.count else { return false }
        guard count > 0 else { return true }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + start, text.baseAddress!, count) == 0 }
    }

    /// The low 32 bits of the text's hash.
    private static func hash(_ text: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(text))
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    /// The table of places made again with `count` slots (a power of two, at most 2³²), from the
    /// hashes the slots keep, or from the texts when there is no table (after `dropLookup`).
    private mutating func makeSlots(count: Int) {
        precondition(count <= 1 << 32, "a table of more than 2³² slots")
        var larger = [UInt64](repeating: 0, count: count)
        let mask = count - 1
        func put(_ entry: UInt64) {
            var slot = Int(entry >> 32) & mask
            while larger[slot] != 0 { slot = (slot + 1) & mask }
            larger[slot] = entry
        }
        if slots.isEmpty {
            bytes.withUnsafeBufferPointer { bytes in
                for place in ends.indices {
                    let text = UnsafeBufferPointer(rebasing: bytes[start(of: place)..<ends[place]])
                    put(UInt64(Self.hash(text)) << 32 | UInt64(place + 1))
                }
            }
        } else {
            for entry in slots where entry != 0 { put(entry) }
        }
        slots = larger
    }

    /// Frees the table of places; the texts stay readable by place (`place(of:)` makes the
    /// table again).
    public mutating func dropLookup() { slots = [] }
}
