/// A multipolygon kept for a long time, many of them at once (every parcel of a run), in one
/// array instead of three or more heap arrays (a `MultiPolygon`'s polygons, rings and positions),
/// with 4-byte coordinates (docs/scaling.md).
///
/// Coordinates that are whole multiples of 10⁻⁷ (lon/lat rounded to
/// `OutputPrecision.coordinateDecimals`, as parcels are) are kept as 32-bit integers of 10⁻⁷, from
/// which the same `Double`s come back bit for bit; a shape with any other coordinate is kept as
/// it is. Either way `multiPolygon` gives back exactly the shape that was packed.
public struct PackedMultiPolygon: Sendable {
    private enum Storage: Sendable {
        /// The polygon count; for each polygon its ring count; for each ring its position count
        /// followed by the x, y of each position in 10⁻⁷.
        case fixedPoint([Int32])
        case plain(MultiPolygon)
    }
    private var storage: Storage

    /// The scale of the fixed-point coordinates; `OutputPrecision.coordinateDecimals` places.
    private static let scale = 1e7

    public init(_ shape: MultiPolygon) {
        storage = Self.fixedPoint(shape).map(Storage.fixedPoint) ?? .plain(shape)
    }

    public static let empty = PackedMultiPolygon(MultiPolygon(polygons: []))

    /// The shape as it was packed.
    public var multiPolygon: MultiPolygon {
        switch storage {
        case .plain(let shape): return shape
        case .fixedPoint(let words):
            return words.withUnsafeBufferPointer { words in
                var next = 0
                func take() -> Int { defer { next += 1 }; return Int(words[next]) }
                return MultiPolygon(polygons: (0..<take()).map { _ in
                    Polygon(rings: (0..<take()).map { _ in
                        (0..<take()).map { _ in
                            defer { next += 2 }
                            return Position(x: Double(words[next]) / Self.scale, y: Double(words[next + 1]) / Self.scale)
                        }
                    })
                })
            }
        }
    }

    /// `multiPolygon.bounds` (the box of the exteriors), read from the packed words: the R-trees,
    /// the exclusions and the report's map take every parcel's box, and unpacking the shape
    /// for it would allocate its arrays each time.
    public var bounds: BoundingBox? {
        switch storage {
        case .plain(let shape): return shape.bounds
        case .fixedPoint(let words):
            var minX = Int32.max, minY = Int32.max, maxX = Int32.min, maxY = Int32.min
            var next = 1
            for _ in 0..<Int(words[0]) {
                let rings = Int(words[next]); next += 1
                for ring in 0..<rings {
                    let count = Int(words[next]); next += 1
                    if ring == 0 {  // the exterior
                        for position in 0..<count {
                            let x = words[next + 2 * position], y = words[next + 2 * position + 1]
                            minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                        }
                    }
                    next += 2 * count
                }
            }
            guard minX <= maxX else { return nil }
            return BoundingBox(minX: Double(minX) / Self.scale, minY: Double(minY) / Self.scale,
                               maxX: Double(maxX) / Self.scale, maxY: Double(maxY) / Self.scale)
        }
    }

    /// The words of `shape` in fixed point, or nil when a coordinate is not a whole number of
    /// 10⁻⁷ within 32 bits (or is −0, which would come back as 0).
    private static func fixedPoint(_ shape: MultiPolygon) -> [Int32]? {
        var count = 1
        for polygon in shape.polygons { count += 1; for ring in polygon.rings { count += 1 + 2 * ring.count } }
        var words: [Int32] = []
        words.reserveCapacity(count)
        func append(count: Int) -> Bool {
            guard let word = Int32(exactly: count) else { return false }
            words.append(word); return true
        }
        guard append(count: shape.polygons.count) else { return nil }
        for polygon in shape.polygons {
            guard append(count: polygon.rings.count) else { return nil }
            for ring in polygon.rings {
                guard append(count: ring.count) else { return nil }
                for position in ring {
                    guard let x = fixed(position.x), let y = fixed(position.y) else { return nil }
                    words.append(x); words.append(y)
                }
            }
        }
        return words
    }

    @inline(__always) private static func fixed(_ value: Double) -> Int32? {
        guard let units = Int32(exactly: (value * scale).rounded()), Double(units) / scale == value,
              !(value == 0 && value.sign == .minus) else { return nil }
        return units
    }
}
