/// Decodes the polygonal subset of ISO/OGC WKB (both byte orders; Z, M and ZM coordinates are
/// read and their extra ordinates dropped) into `MultiPolygon` values.
///
/// GeoKit exports geometries as ISO WKB; decoding here keeps the domain free of C handles.
public enum WKB {
    public enum DecodeError: Error, Equatable, Sendable {
        case truncated
        case unsupportedType(UInt32)
    }

    /// Polygon, MultiPolygon (and a GeometryCollection of them) → MultiPolygon.
    public static func multiPolygon(from bytes: [UInt8]) throws(DecodeError) -> MultiPolygon {
        var reader = Reader(bytes: bytes)
        var polygons: [Polygon] = []
        try reader.readGeometry(into: &polygons)
        return MultiPolygon(polygons: polygons)
    }

    /// Encodes a multipolygon as little-endian ISO WKB (MultiPolygon, 2D).
    public static func encode(_ geometry: MultiPolygon) -> [UInt8] {
        var bytes: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        bytes.append(1); u32(6); u32(UInt32(geometry.polygons.count))
        for polygon in geometry.polygons {
            bytes.append(1); u32(3); u32(UInt32(polygon.rings.count))
            for ring in polygon.rings {
                u32(UInt32(ring.count))
                for p in ring { f64(p.x); f64(p.y) }
            }
        }
        return bytes
    }

    /// Encodes a point as little-endian ISO WKB (Point, 2D).
    public static func encode(point: Position) -> [UInt8] {
        var bytes: [UInt8] = [1]
        bytes.reserveCapacity(21)
        withUnsafeBytes(of: UInt32(1).littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: point.x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: point.y.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0
        var littleEndian = true

        mutating func readGeometry(into polygons: inout [Polygon]) throws(DecodeError) {
            littleEndian = try byte() == 1
            let rawType = try uint32()
            // ISO: +1000 Z, +2000 M, +3000 ZM. EWKB high bits are not produced by GeoKit.
            let base = rawType % 1000
            let dimensions = rawType >= 3000 ? 4 : (rawType >= 1000 ? 3 : 2)
            switch base {
            case 3: polygons.append(try polygon(dimensions: dimensions))
            case 6, 7:
                let count = try uint32()
                for _ in 0..<count { try readGeometry(into: &polygons) }
            default: throw .unsupportedType(rawType)
            }
        }

        mutating func polygon(dimensions: Int) throws(DecodeError) -> Polygon {
            let ringCount = Int(try uint32())
            var rings: [[Position]] = []
            rings.reserveCapacity(ringCount)
            for _ in 0..<ringCount {
                let pointCount = Int(try uint32())
                guard offset + pointCount * dimensions * 8 <= bytes.count else { throw .truncated }
                var ring: [Position] = []
                ring.reserveCapacity(pointCount)
                for _ in 0..<pointCount {
                    let x = try double(), y = try double()
                    offset += (dimensions - 2) * 8
                    ring.append(Position(x: x, y: y))
                }
                rings.append(ring)
            }
            return Polygon(rings: rings)
        }

        mutating func byte() throws(DecodeError) -> UInt8 {
            guard offset < bytes.count else { throw .truncated }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uint32() throws(DecodeError) -> UInt32 {
            guard offset + 4 <= bytes.count else { throw .truncated }
            var value: UInt32 = 0
            for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * i) }
            offset += 4
            return littleEndian ? value : value.byteSwapped
        }

        mutating func double() throws(DecodeError) -> Double {
            guard offset + 8 <= bytes.count else { throw .truncated }
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * i) }
            offset += 8
            return Double(bitPattern: littleEndian ? value : value.byteSwapped)
        }
    }
}
