/// Multipolygons kept for a long time, many of them at once (every parcel of a run), as bytes in
/// a buffer shared with others (`ParcelIDAndShape` keeps a block of parcels' shapes in one), not
/// three or more heap arrays a shape (a `MultiPolygon`'s polygons, rings and positions;
/// docs/scaling.md).
///
/// A shape whose coordinates are all whole multiples of 10⁻⁷ within 32 bits (lon/lat rounded to
/// `OutputPrecision.coordinateDecimals`, as parcels are) is kept as varint-coded steps of 10⁻⁷
/// between its positions, and the same `Double`s come back bit for bit; any other shape is kept
/// with its `Double`s as they are. Either way `shape(in:at:)` gives back exactly the shape given.
public enum PackedShapeCoding {
    /// The first byte of a packed shape.
    private enum Form: UInt8 {
        /// The polygon count; for each polygon its ring count; for each ring its stored position
        /// count times two, plus one when the ring is closed (its last position, the first
        /// again, is not stored); then each stored position's x and y as the zigzag-coded step
        /// in 10⁻⁷ from the position before (the first from 0, 0). All varints.
        case fixedPointSteps = 0
        /// The same counts, every position stored, each x and y as the 8 bytes of its `Double`.
        case doubles = 1
    }

    /// The scale of the fixed-point coordinates; `OutputPrecision.coordinateDecimals` places.
    private static let scale = 1e7

    /// Appends the bytes of `shape` to `bytes`.
    public static func append(_ shape: MultiPolygon, to bytes: inout [UInt8]) {
        let start = bytes.count
        if appendFixedPoint(shape, to: &bytes) { return }
        bytes.removeSubrange(start...)
        bytes.append(Form.doubles.rawValue)
        appendVarint(UInt64(shape.polygons.count), to: &bytes)
        for polygon in shape.polygons {
            appendVarint(UInt64(polygon.rings.count), to: &bytes)
            for ring in polygon.rings {
                appendVarint(UInt64(ring.count) << 1, to: &bytes)
                for position in ring {
                    withUnsafeBytes(of: position.x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                    withUnsafeBytes(of: position.y.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
            }
        }
    }

    /// The shape whose bytes start at `offset`.
    public static func shape(in bytes: [UInt8], at offset: Int) -> MultiPolygon {
        bytes.withUnsafeBufferPointer { shape(in: $0, at: offset) }
    }

    /// `shape.bounds` (the box of the exteriors) of the shape whose bytes start at `offset`, read
    /// from its bytes: the R-trees, the exclusions and the report's map take every parcel's box,
    /// and unpacking the shape for it would allocate its arrays each time.
    public static func bounds(in bytes: [UInt8], at offset: Int) -> BoundingBox? {
        bytes.withUnsafeBufferPointer { bounds(in: $0, at: offset) }
    }

    private static func shape(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> MultiPolygon {
        var reader = Reader(bytes: bytes, shapeAt: offset)
        return MultiPolygon(polygons: (0..<reader.count()).map { _ in
            Polygon(rings: (0..<reader.count()).map { _ in
                let (stored, closed) = reader.ringHeader()
                var ring: [Position] = []
                ring.reserveCapacity(stored + (closed ? 1 : 0))
                for _ in 0..<stored { ring.append(reader.position()) }
                if closed, let first = ring.first { ring.append(first) }
                return ring
            })
        })
    }

    private static func bounds(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> BoundingBox? {
        var reader = Reader(bytes: bytes, shapeAt: offset)
        guard reader.form == .fixedPointSteps else { return shape(in: bytes, at: offset).bounds }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for _ in 0..<reader.count() {
            for ring in 0..<reader.count() {
                let (stored, _) = reader.ringHeader()
                for _ in 0..<stored {
                    let p = reader.position()
                    guard ring == 0 else { continue }  // the exterior
                    minX = min(minX, p.x); maxX = max(maxX, p.x); minY = min(minY, p.y); maxY = max(maxY, p.y)
                }
            }
        }
        return minX <= maxX ? BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) : nil
    }

    /// False when a coordinate is not a whole number of 10⁻⁷ within 32 bits (or is −0, which
    /// would come back as 0); `bytes` then holds part of the shape, for the caller to remove.
    private static func appendFixedPoint(_ shape: MultiPolygon, to bytes: inout [UInt8]) -> Bool {
        var previous = (x: Int64(0), y: Int64(0))
        bytes.append(Form.fixedPointSteps.rawValue)
        appendVarint(UInt64(shape.polygons.count), to: &bytes)
        for polygon in shape.polygons {
            appendVarint(UInt64(polygon.rings.count), to: &bytes)
            for ring in polygon.rings {
                let closed = ring.count > 1 && ring.first!.x.bitPattern == ring.last!.x.bitPattern
                    && ring.first!.y.bitPattern == ring.last!.y.bitPattern
                let stored = closed ? ring.count - 1 : ring.count
                appendVarint(UInt64(stored) << 1 | (closed ? 1 : 0), to: &bytes)
                for position in ring[..<stored] {
                    guard let x = fixed(position.x), let y = fixed(position.y) else { return false }
                    appendVarint(zigzag(x - previous.x), to: &bytes)
                    appendVarint(zigzag(y - previous.y), to: &bytes)
                    previous = (x, y)
                }
            }
        }
        return true
    }

    @inline(__always) private static func fixed(_ value: Double) -> Int64? {
        guard let units = Int32(exactly: (value * scale).rounded()), Double(units) / scale == value,
              !(value == 0 && value.sign == .minus) else { return nil }
        return Int64(units)
    }

    @inline(__always) private static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    @inline(__always) public static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The varint at `offset`, and the offset after it.
    public static func varint(in bytes: [UInt8], at offset: Int) -> (value: UInt64, next: Int) {
        var next = offset
        return (readVarint(bytes, at: &next), next)
    }

    /// The varint at `next`, which moves past it.
    @inline(__always) private static func readVarint<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at next: inout Int) -> UInt64
    where Bytes.Index == Int {
        var value: UInt64 = 0, shift: UInt64 = 0
        while true {
            let byte = bytes[next]; next += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// Reads a packed shape's bytes in order.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var next: Int
        let form: Form
        private var previous = (x: Int64(0), y: Int64(0))

        /// A reader of the shape whose bytes (its form first) start at `offset`.
        init(bytes: UnsafeBufferPointer<UInt8>, shapeAt offset: Int) {
            self.bytes = bytes
            form = Form(rawValue: bytes[offset]) ?? .doubles
            next = offset + 1
        }

        @inline(__always) mutating func varint() -> UInt64 { PackedShapeCoding.readVarint(bytes, at: &next) }

        mutating func count() -> Int { Int(varint()) }

        mutating func ringHeader() -> (stored: Int, closed: Bool) {
            let word = varint()
            return (Int(word >> 1), word & 1 == 1)
        }

        @inline(__always) mutating func position() -> Position {
            switch form {
            case .fixedPointSteps:
                func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }
                previous.x += unzigzag(varint())
                previous.y += unzigzag(varint())
                return Position(x: Double(previous.x) / PackedShapeCoding.scale, y: Double(previous.y) / PackedShapeCoding.scale)
            case .doubles:
                func double() -> Double {
                    var bits: UInt64 = 0
                    for byte in 0..<8 { bits |= UInt64(bytes[next + byte]) << (8 * UInt64(byte)) }
                    next += 8
                    return Double(bitPattern: bits)
                }
                let x = double()
                return Position(x: x, y: double())
            }
        }
    }
}
