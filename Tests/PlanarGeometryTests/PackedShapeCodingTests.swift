import Testing
@testable import PlanarGeometry

/// A parcel's shape is kept packed; what comes back must be the shape given, bit for bit.
@Suite struct PackedShapeCodingTests {
    private func bits(_ shape: MultiPolygon) -> [UInt64] {
        shape.polygons.flatMap { $0.rings.flatMap { $0.flatMap { [$0.x.bitPattern, $0.y.bitPattern] } } }
    }

    /// Each shape appended to one buffer, read back from where it starts.
    private func packedAndRead(_ shapes: [MultiPolygon]) -> [(shape: MultiPolygon, bounds: BoundingBox?)] {
        var bytes: [UInt8] = [0xFF]  // a shape need not start the buffer
        var offsets: [Int] = []
        for shape in shapes { offsets.append(bytes.count); PackedShapeCoding.append(shape, to: &bytes) }
        return offsets.map { (PackedShapeCoding.shape(in: bytes, at: $0), PackedShapeCoding.bounds(in: bytes, at: $0)) }
    }

    @Test func roundedLonLatComeBackBitForBit() {
        var generator = SystemRandomNumberGenerator()
        let shapes = (0..<2000).map { _ in
            let ring = (0..<6).map { _ in Position(x: Double.random(in: -180...180, using: &generator), y: Double.random(in: -90...90, using: &generator)) }
            return MultiPolygon(polygons: [Polygon(rings: [ring + [ring[0]]])]).rounded(decimals: OutputPrecision.coordinateDecimals)
        }
        for (shape, back) in zip(shapes, packedAndRead(shapes)) {
            #expect(back.shape == shape && bits(back.shape) == bits(shape))
        }
    }

    /// The box read from the packed bytes is the unpacked shape's (the exteriors'), holes and
    /// several polygons included, packed in steps or kept as given.
    @Test func boundsAreTheShapes() {
        let exterior = [Position(x: 116.1, y: 39.9), Position(x: 116.4, y: 39.9), Position(x: 116.4, y: 40.2), Position(x: 116.1, y: 39.9)]
        let hole = [Position(x: 116.2, y: 40.0), Position(x: 116.3, y: 40.0), Position(x: 116.3, y: 40.1), Position(x: 116.2, y: 40.0)]
        let far = [Position(x: -3.5, y: -8.25), Position(x: -3.4, y: -8.25), Position(x: -3.4, y: -8.2), Position(x: -3.5, y: -8.25)]
        let shapes = [MultiPolygon(polygons: [Polygon(rings: [exterior, hole]), Polygon(rings: [far])]), MultiPolygon(polygons: [Polygon(rings: [far])]),
                      MultiPolygon(polygons: []), MultiPolygon(polygons: [Polygon(rings: [[]])]),
                      MultiPolygon(polygons: [Polygon(rings: [exterior.map { Position(x: $0.x + 1e-9, y: $0.y) }])])]  // kept as given
        for (shape, back) in zip(shapes, packedAndRead(shapes)) { #expect(back.bounds == shape.bounds) }
    }

    /// Closed or open rings, a ring of one position twice, holes, shapes far apart and negative,
    /// and shapes that cannot be kept in steps among them.
    @Test func anyShapeComesBackAsGiven() {
        let exterior = [Position(x: 116.1, y: 39.9), Position(x: 116.4, y: 39.9), Position(x: 116.4, y: 40.2), Position(x: 116.1, y: 39.9)]
        let open = [Position(x: -179.9999999, y: -89.5), Position(x: 179.9999999, y: 89.5), Position(x: 0, y: 0)]
        let twice = [Position(x: 1, y: 2), Position(x: 1, y: 2)]
        let unrounded = [Position(x: 116.39123456789, y: 39.9), Position(x: 116.4, y: 39.9), Position(x: 116.4, y: 40), Position(x: 116.39123456789, y: 39.9)]
        let negativeZero = [Position(x: -0.0, y: 1), Position(x: 1e12, y: 2), Position(x: 3, y: 4), Position(x: -0.0, y: 1)]
        let shapes = [MultiPolygon(polygons: [Polygon(rings: [exterior, open]), Polygon(rings: [twice])]),
                      MultiPolygon(polygons: [Polygon(rings: [unrounded])]),
                      MultiPolygon(polygons: [Polygon(rings: [unrounded, negativeZero]), Polygon(rings: [])]),
                      MultiPolygon(polygons: []), MultiPolygon(polygons: [Polygon(rings: [[]])]),
                      MultiPolygon(polygons: [Polygon(rings: [exterior])])]
        for (shape, back) in zip(shapes, packedAndRead(shapes)) {
            #expect(back.shape == shape && bits(back.shape) == bits(shape))
        }
    }

    /// A field's steps take a few bytes each: far less than the 16 bytes of a position.
    @Test func aFieldTakesFewBytes() {
        let ring = [Position(x: 116.3912345, y: 39.9012345), Position(x: 116.3921345, y: 39.9012345), Position(x: 116.3921345, y: 39.9019345),
                    Position(x: 116.3912345, y: 39.9019345), Position(x: 116.3912345, y: 39.9012345)]
        var bytes: [UInt8] = []
        PackedShapeCoding.append(MultiPolygon(polygons: [Polygon(rings: [ring])]), to: &bytes)
        #expect(bytes.count <= 4 + 10 + 3 * 6)  // form and counts, the first position, three steps
    }
}
