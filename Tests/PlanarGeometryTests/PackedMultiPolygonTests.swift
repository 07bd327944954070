import Testing
@testable import PlanarGeometry

/// A parcel's shape is kept packed; what comes back must be the shape given, bit for bit.
@Suite struct PackedMultiPolygonTests {
    private func bits(_ shape: MultiPolygon) -> [UInt64] {
        shape.polygons.flatMap { $0.rings.flatMap { $0.flatMap { [$0.x.bitPattern, $0.y.bitPattern] } } }
    }

    @Test func roundedLonLatComeBackBitForBit() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ring = (0..<6).map { _ in Position(x: Double.random(in: -180...180, using: &generator), y: Double.random(in: -90...90, using: &generator)) }
            let shape = MultiPolygon(polygons: [Polygon(rings: [ring + [ring[0]]])]).rounded(decimals: OutputPrecision.coordinateDecimals)
            let back = PackedMultiPolygon(shape).multiPolygon
            #expect(back == shape && bits(back) == bits(shape))
        }
    }

    /// The box read from the packed words is the unpacked shape's (the exteriors'), holes and
    /// several polygons included.
    @Test func boundsAreTheShapes() {
        let exterior = [Position(x: 116.1, y: 39.9), Position(x: 116.4, y: 39.9), Position(x: 116.4, y: 40.2), Position(x: 116.1, y: 39.9)]
        let hole = [Position(x: 116.2, y: 40.0), Position(x: 116.3, y: 40.0), Position(x: 116.3, y: 40.1), Position(x: 116.2, y: 40.0)]
        let far = [Position(x: -3.5, y: -8.25), Position(x: -3.4, y: -8.25), Position(x: -3.4, y: -8.2), Position(x: -3.5, y: -8.25)]
        for shape in [MultiPolygon(polygons: [Polygon(rings: [exterior, hole]), Polygon(rings: [far])]), MultiPolygon(polygons: [Polygon(rings: [far])]),
                      MultiPolygon(polygons: []), MultiPolygon(polygons: [Polygon(rings: [[]])]),
                      MultiPolygon(polygons: [Polygon(rings: [exterior.map { Position(x: $0.x + 1e-9, y: $0.y) }])])] {  // kept as given
            #expect(PackedMultiPolygon(shape).bounds == shape.bounds)
        }
    }

    @Test func anyOtherShapeComesBackAsGiven() {
        let ring = [Position(x: 116.39123456789, y: 39.9), Position(x: 116.4, y: 39.9), Position(x: 116.4, y: 40), Position(x: 116.39123456789, y: 39.9)]
        let hole = [Position(x: -0.0, y: 1), Position(x: 1e12, y: 2), Position(x: 3, y: 4), Position(x: -0.0, y: 1)]
        for shape in [MultiPolygon(polygons: [Polygon(rings: [ring])]), MultiPolygon(polygons: [Polygon(rings: [ring, hole]), Polygon(rings: [])]),
                      MultiPolygon(polygons: []), MultiPolygon(polygons: [Polygon(rings: [[]])])] {
            let back = PackedMultiPolygon(shape).multiPolygon
            #expect(back == shape && bits(back) == bits(shape))
        }
    }
}
