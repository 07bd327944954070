/// A position: x = easting or longitude, y = northing or latitude.
public struct Position: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A polygon as plain values: the exterior ring first, then holes. Rings are closed
/// (first position repeated at the end), as in WKB and GeoJSON.
public struct Polygon: Sendable, Hashable, Codable {
    public var rings: [[Position]]
    public init(rings: [[Position]]) { self.rings = rings }

    public var exterior: [Position] { rings.first ?? [] }
    public var holes: ArraySlice<[Position]> { rings.dropFirst() }
}

/// A multipolygon as plain values; every parcel geometry is carried in this form.
public struct MultiPolygon: Sendable, Hashable {
    public var polygons: [Polygon]
    public init(polygons: [Polygon]) { self.polygons = polygons }

    public var isEmpty: Bool { polygons.allSatisfy { $0.exterior.isEmpty } }

    /// Every position's x and y, ring after ring in the order WKB writes them: the arrays a
    /// coordinate transformation takes (`withCoordinates` puts them back).
    public var coordinateArrays: (xs: [Double], ys: [Double]) {
        // Sized first, not grown by appending (docs/scaling.md).
        let count = polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } }
        var xs: [Double] = [], ys: [Double] = []
        xs.reserveCapacity(count)
        ys.reserveCapacity(count)
        for polygon in polygons { for ring in polygon.rings { for p in ring { xs.append(p.x); ys.append(p.y) } } }
        return (xs, ys)
    }

    /// The same rings with their positions taken from `xs` and `ys`, in `coordinateArrays`' order.
    public func withCoordinates(xs: [Double], ys: [Double]) -> MultiPolygon {
        precondition(xs.count == ys.count)
        var cursor = 0
        return MultiPolygon(polygons: polygons.map { polygon in
            Polygon(rings: polygon.rings.map { ring in
                defer { cursor += ring.count }
                return (cursor..<(cursor + ring.count)).map { Position(x: xs[$0], y: ys[$0]) }
            })
        })
    }

    /// The bounding box of the exteriors, or nil when empty.
    public var bounds: BoundingBox? {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for polygon in polygons {
            for p in polygon.exterior {
                minX = min(minX, p.x); maxX = max(maxX, p.x)
                minY = min(minY, p.y); maxY = max(maxY, p.y)
            }
        }
        return minX <= maxX ? BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) : nil
    }

    /// The same shape written in one canonical order: each closed ring starts at its smallest
    /// vertex (by x, then y; direction kept), holes and polygons sorted by that vertex. Unions
    /// built in different orders (one run, or the parts of a partitioned run merged) then write
    /// the same bytes.
    public func canonicalOrder() -> MultiPolygon {
        func less(_ a: Position, _ b: Position) -> Bool { (a.x, a.y) < (b.x, b.y) }
        func rotated(_ ring: [Position]) -> [Position] {
            guard ring.count > 2, ring.first == ring.last else { return ring }
            let open = ring.dropLast()
            let start = open.indices.min { less(open[$0], open[$1]) }!
            let turned = Array(open[start...] + open[..<start])
            return turned + [turned[0]]
        }
        let canonical = polygons.map { polygon -> Polygon in
            let rings = polygon.rings.map(rotated)
            guard let exterior = rings.first else { return polygon }
            let holes = rings.dropFirst().sorted { less($0.first ?? Position(x: 0, y: 0), $1.first ?? Position(x: 0, y: 0)) }
            return Polygon(rings: [exterior] + holes)
        }
        return MultiPolygon(polygons: canonical.sorted { less($0.exterior.first ?? Position(x: 0, y: 0), $1.exterior.first ?? Position(x: 0, y: 0)) })
    }

    /// The same shape with RFC 7946 §3.1.6 winding: exterior rings counter-clockwise, holes
    /// clockwise ("right-hand rule"), judged by the shoelace sign in the x/y plane.
    public func rightHandRule() -> MultiPolygon {
        MultiPolygon(polygons: polygons.map { polygon in
            Polygon(rings: polygon.rings.enumerated().map { index, ring in
                let counterClockwise = Ring.signedArea(ring) > 0
                let wantCounterClockwise = index == 0
                return counterClockwise == wantCounterClockwise ? ring : ring.reversed()
            })
        })
    }
}

extension MultiPolygon {
    /// Area in the units of the coordinates (exteriors minus holes), for consistency checks.
    public var planarArea: Double {
        polygons.reduce(0) { total, polygon in
            polygon.rings.enumerated().reduce(total) { $0 + ($1.offset == 0 ? 1 : -1) * abs(Ring.signedArea($1.element)) }
        }
    }

    /// Every coordinate rounded to `decimals` places, as it will be written out.
    public func rounded(decimals: Int) -> MultiPolygon {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return MultiPolygon(polygons: polygons.map { polygon in
            Polygon(rings: polygon.rings.map { ring in
                ring.map { Position(x: ($0.x * scale).rounded() / scale, y: ($0.y * scale).rounded() / scale) }
            })
        })
    }
}

/// Output precision of geographic coordinates: 7 decimals (≈ 1 cm), GDAL's RFC 7946 default.
public enum OutputPrecision {
    public static let coordinateDecimals = 7
}

/// Ring arithmetic.
public enum Ring {
    /// Shoelace signed area: positive for counter-clockwise rings (x right, y up).
    public static func signedArea(_ ring: [Position]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var sum = 0.0
        var previous = ring[ring.count - 1]
        for current in ring {
            sum += (previous.x - current.x) * (previous.y + current.y)
            previous = current
        }
        return sum / 2
    }
}

/// Encoded as polygons of rings of flat coordinates (`[[[x0, y0, x1, y1, …]]]`): keyed
/// `{"x": …, "y": …}` objects per vertex made a part's zone pieces slow to read back.
extension MultiPolygon: Codable {
    public init(from decoder: any Decoder) throws {
        let flat = try decoder.singleValueContainer().decode([[[Double]]].self)
        polygons = try flat.map { rings in
            Polygon(rings: try rings.map { ring in
                guard ring.count % 2 == 0 else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a ring needs pairs of coordinates"))
                }
                return stride(from: 0, to: ring.count, by: 2).map { Position(x: ring[$0], y: ring[$0 + 1]) }
            })
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(polygons.map { $0.rings.map { ring in ring.flatMap { [$0.x, $0.y] } } })
    }
}
