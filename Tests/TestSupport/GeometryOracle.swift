import Foundation
import GeoKit
import PlanarGeometry
import Testing

/// The pure-Swift geometry against GEOS: the oracle the coverage-union tests share.
public enum GeometryOracle {
    /// Unit cells on an exact grid; `missing` cells are left out.
    public static func cells(_ width: Int, _ height: Int, missing: Set<[Int]> = []) -> [MultiPolygon] {
        var shapes: [MultiPolygon] = []
        for j in 0..<height {
            for i in 0..<width where !missing.contains([i, j]) {
                let (x0, y0, x1, y1) = (Double(i), Double(j), Double(i + 1), Double(j + 1))
                shapes.append(MultiPolygon(polygons: [Polygon(rings: [[
                    Position(x: x0, y: y0), Position(x: x1, y: y0), Position(x: x1, y: y1), Position(x: x0, y: y1), Position(x: x0, y: y0),
                ]])]))
            }
        }
        return shapes
    }

    public static func ogr(_ shape: MultiPolygon) throws -> Geometry { try Geometry(wkb: WKB.encode(shape)) }

    /// Our union equals GEOS's unary union: valid, same area, no symmetric difference; returns it.
    @discardableResult
    public static func expectSameAsGEOS(_ shapes: [MultiPolygon], polygons: Int? = nil, holes: Int? = nil) throws -> MultiPolygon {
        GDALEnvironment.initialize()
        let union = try #require(CoverageUnion.union(shapes))
        let context = GEOSContext()
        var parts: [GEOSGeometryValue] = []
        for shape in shapes { parts.append(try context.geometry(wkb: WKB.encode(shape))) }
        let reference = try Geometry(wkb: try context.collection(parts).unaryUnion().wkb())
        let ours = try ogr(union)
        #expect(ours.isValid)
        let overlap = try ours.intersection(reference).planarArea
        let symmetricDifference = ours.planarArea + reference.planarArea - 2 * overlap
        #expect(abs(symmetricDifference) <= 1e-9 * reference.planarArea)
        #expect(abs(union.planarArea - shapes.reduce(0) { $0 + $1.planarArea }) <= 1e-9 * reference.planarArea)
        if let polygons { #expect(union.polygons.count == polygons) }
        if let holes { #expect(union.polygons.reduce(0) { $0 + $1.rings.count - 1 } == holes) }
        return union
    }
}
