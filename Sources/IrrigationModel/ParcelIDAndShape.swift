import PlanarGeometry

/// A parcel's id and shape, as bytes in a buffer shared with the parcels read with it: a run
/// holds every parcel's, and an id above 15 bytes (a 19-digit 地块编码) was a heap object of its
/// own, the shape three heap arrays or more (docs/scaling.md).
///
/// At `offset`: the id's UTF-8 length as a varint, its bytes, then the shape
/// (`PackedShapeCoding`). Both come back exactly as given.
public struct ParcelIDAndShape: Sendable {
    private let bytes: [UInt8]
    private let offset: UInt32

    /// The two in a buffer of their own.
    public init(id: String, shape: MultiPolygon) {
        var bytes: [UInt8] = []
        Self.append(id: id, shape: shape, to: &bytes)
        self.init(bytes: bytes, offset: 0)
    }

    private init(bytes: [UInt8], offset: UInt32) { self.bytes = bytes; self.offset = offset }

    /// An empty id and shape, one buffer for all parcels that wait for theirs.
    public static let unpacked = ParcelIDAndShape(id: "", shape: MultiPolygon(polygons: []))

    /// Each parcel's id and shape, in buffers they share (a new one past 4 GiB).
    public static func packTogether(_ parcels: [(id: String, shape: MultiPolygon)]) -> [ParcelIDAndShape] {
        var packed: [ParcelIDAndShape] = []
        packed.reserveCapacity(parcels.count)
        var start = 0
        while start < parcels.count {
            var bytes: [UInt8] = [], offsets: [UInt32] = []
            var end = start
            while end < parcels.count, let offset = UInt32(exactly: bytes.count) {
                offsets.append(offset)
                append(id: parcels[end].id, shape: parcels[end].shape, to: &bytes)
                end += 1
            }
            // Held as long as the run: without the doubling's spare room.
            let kept = bytes.capacity > bytes.count + bytes.count / 16
                ? [UInt8](unsafeUninitializedCapacity: bytes.count) { copy, count in count = copy.initialize(from: bytes).1 }
                : bytes
            packed += offsets.map { ParcelIDAndShape(bytes: kept, offset: $0) }
            start = end
        }
        return packed
    }

    private static func append(id: String, shape: MultiPolygon, to bytes: inout [UInt8]) {
        PackedShapeCoding.appendVarint(UInt64(id.utf8.count), to: &bytes)
        bytes.append(contentsOf: id.utf8)
        PackedShapeCoding.append(shape, to: &bytes)
    }

    public var id: String { String(decoding: bytes[idBytes], as: UTF8.self) }

    /// Whether `id == other` (Unicode canonical equivalence, as `String`'s `==`), without making
    /// a `String` when the bytes settle it: the same bytes, or different ASCII.
    public func idIs(_ other: String) -> Bool {
        let mine = bytes[idBytes]
        if mine.elementsEqual(other.utf8) { return true }
        if mine.allSatisfy({ $0 < 0x80 }) && other.utf8.allSatisfy({ $0 < 0x80 }) { return false }
        return String(decoding: mine, as: UTF8.self) == other
    }

    public var shape: MultiPolygon { PackedShapeCoding.shape(in: bytes, at: idBytes.upperBound) }

    /// `shape.bounds`, without unpacking the shape.
    public var bounds: BoundingBox? { PackedShapeCoding.bounds(in: bytes, at: idBytes.upperBound) }

    /// Where the id's UTF-8 is in `bytes` (the shape follows).
    private var idBytes: Range<Int> {
        let (count, start) = PackedShapeCoding.varint(in: bytes, at: Int(offset))
        return start..<(start + Int(count))
    }
}
