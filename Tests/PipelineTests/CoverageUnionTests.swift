import Foundation
import Testing
import GeoKit
@testable import IrrigationModel
import Ingest
@testable import Pipeline

/// The hand-written coverage union against GEOS's general union, on the shapes that trip GEOS
/// 3.11's own coverage union (boundaries touching themselves at a vertex) and on real zones.
@Suite struct CoverageUnionTests {
    /// Unit cells on an exact grid; `missing` cells are left out.
    static func cells(_ width: Int, _ height: Int, missing: Set<[Int]> = []) -> [MultiPolygon] {
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

    static func ogr(_ shape: MultiPolygon) throws -> Geometry { try Geometry(wkb: WKB.encode(shape)) }

    /// Our union equals GEOS's unary union: valid, same area, no symmetric difference; returns it.
    @discardableResult
    static func expectSameAsGEOS(_ shapes: [MultiPolygon], polygons: Int? = nil, holes: Int? = nil) throws -> MultiPolygon {
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

    @Test func aBlockBecomesOneRectangle() throws {
        let union = try Self.expectSameAsGEOS(Self.cells(4, 3), polygons: 1, holes: 0)
        #expect(union.polygons[0].exterior.count == 4 + 3 + 4 + 3 + 1)  // grid vertices along the edge are kept
    }

    @Test func cellsTouchingAtACornerStayTwoPolygons() throws {
        // A checkerboard pair: GEOS 3.11's coverage union throws on exactly this.
        try Self.expectSameAsGEOS(Self.cells(2, 2, missing: [[1, 0], [0, 1]]), polygons: 2, holes: 0)
    }

    @Test func aHoleTouchingTheShellAtAVertex() throws {
        // 4 × 4 without the corner cell (0,0) and cell (1,1): the hole meets the notch at (1,1).
        try Self.expectSameAsGEOS(Self.cells(4, 4, missing: [[0, 0], [1, 1]]), polygons: 1, holes: 1)
    }

    @Test func anIslandInAHoleInAnIsland() throws {
        // 7 × 7: ring of missing cells around the centre 3 × 3, whose centre is missing too.
        var missing: Set<[Int]> = [[3, 3]]
        for i in 1...5 { for j in 1...5 where i == 1 || i == 5 || j == 1 || j == 5 { missing.insert([i, j]) } }
        try Self.expectSameAsGEOS(Self.cells(7, 7, missing: missing), polygons: 2, holes: 2)
    }

    @Test func aCheckerboardIsManyPolygons() throws {
        var missing: Set<[Int]> = []
        for i in 0..<6 { for j in 0..<6 where (i + j) % 2 == 1 { missing.insert([i, j]) } }
        try Self.expectSameAsGEOS(Self.cells(6, 6, missing: missing), polygons: 18, holes: 0)
    }

    @Test func overlapsAreNotACoverage() throws {
        var shapes = Self.cells(2, 1)
        shapes.append(shapes[0])  // the same cell twice: an edge runs the same way twice
        #expect(CoverageUnion.union(shapes) == nil)
        // Overlap without shared edges passes the edge test but not the caller's area check.
        let shifted = MultiPolygon(polygons: [Polygon(rings: [[Position(x: 0.5, y: 0), Position(x: 1.5, y: 0), Position(x: 1.5, y: 1),
                                                               Position(x: 0.5, y: 1), Position(x: 0.5, y: 0)]])])
        let context = GEOSContext()
        #expect(try DissolveStage.checkedCoverageUnion(CoverageUnion.union([Self.cells(1, 1)[0], shifted]), partsArea: ([Self.cells(1, 1)[0], shifted]).reduce(0) { $0 + $1.planarArea }, context: context) == nil)
    }

    @Test func aTJunctionIsCaughtByTheCheck() throws {
        // One cell on top of two half-width cells: its bottom edge has no vertex at x = 0.5.
        let bottom = [0.0, 0.5].map { x in MultiPolygon(polygons: [Polygon(rings: [[Position(x: x, y: 0), Position(x: x + 0.5, y: 0),
                                                                                     Position(x: x + 0.5, y: 1), Position(x: x, y: 1), Position(x: x, y: 0)]])]) }
        let top = MultiPolygon(polygons: [Polygon(rings: [[Position(x: 0, y: 1), Position(x: 1, y: 1), Position(x: 1, y: 2), Position(x: 0, y: 2), Position(x: 0, y: 1)]])])
        GDALEnvironment.initialize()
        #expect(try DissolveStage.checkedCoverageUnion(CoverageUnion.union(bottom + [top]), partsArea: (bottom + [top]).reduce(0) { $0 + $1.planarArea }, context: GEOSContext()) == nil)
        // The dissolve still gets it right through GEOS.
        let parcels = (bottom + [top]).map { shape in
            Parcel(id: "p", featureID: nil, crop: nil, landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: nil, adminUnit: nil,
                   attributes: [], geometry: shape, areaSquareMetres: 1, geometryRepaired: false)
        }
        let zones = try DissolveStage.run(parcels: parcels, outcomes: parcels.map { _ in DissolveTests.outcome(.suitable, .fruit) })
        #expect(zones.count == 1 && zones[0].geometry.polygons.count == 1)
        #expect(abs(zones[0].geometry.planarArea - 2) < 1e-12)
    }

    /// The sample project's zones: every (zone, crop class) group of its 2 999 parcels, as
    /// assessed, equals GEOS's union of the same parcels.
    @Test func theSampleZonesEqualGEOSUnions() throws {
        let directory = try temporaryDirectory()
        _ = try SampleProject(parcelCount: 3000, seed: 20_241_015).write(to: directory)
        let reading = try ParcelReader(options: ParcelInputOptions(path: directory + "/parcels.shp")).read()
        // Group by a property that cuts the coverage into irregular pieces: the crop field.
        let groups = Dictionary(grouping: reading.parcels.indices, by: { reading.parcels[$0].crop ?? "" })
        #expect(groups.count > 10)
        for (_, indices) in groups { try Self.expectSameAsGEOS(indices.map { reading.parcels[$0].geometry }) }
    }
}

/// The builder's own hash tables against the standard library's Set and Dictionary, on random
/// work with many collisions (small vertex numbers, few distinct coordinates) and growth.
@Suite struct CoverageUnionTableTests {
    @Test func theEdgeSetAgreesWithASet() {
        var random = SplitMix64(seed: 7)
        var edges = CoverageUnion.EdgeSet()
        struct Edge: Hashable { var from: Int, to: Int }
        var expected = Set<Edge>()
        for step in 0..<200_000 {
            // Few vertices at first (dense runs, removals inside them), then many (growth).
            let range = step < 100_000 ? 64 : 50_000
            let from = Int(random.next() % UInt64(range)), to = Int(random.next() % UInt64(range))
            if random.next() % 3 == 0 {
                #expect(edges.remove(from: from, to: to) == (expected.remove(Edge(from: from, to: to)) != nil))
            } else {
                #expect(edges.insert(from: from, to: to) == expected.insert(Edge(from: from, to: to)).inserted)
            }
            if step % 20_000 == 0 { #expect(edges.count == expected.count) }
        }
        #expect(Set(edges.elements.map { Edge(from: $0.from, to: $0.to) }) == expected)
        #expect(edges.count == expected.count)
    }

    @Test func theVertexTableAgreesWithADictionary() {
        var random = SplitMix64(seed: 11)
        var table = CoverageUnion.VertexTable()
        var vertices: [Position] = []
        var expected: [Position: Int] = [:]
        for _ in 0..<100_000 {
            // Coordinates from a small set, with both zeros (one vertex, as `==` has it).
            let pick = { (r: UInt64) -> Double in r % 7 == 0 ? (r % 2 == 0 ? 0.0 : -0.0) : 112.5 + Double(r % 400) * 1e-4 }
            let p = Position(x: pick(random.next()), y: pick(random.next()))
            let index = table.index(of: p, in: &vertices)
            if let known = expected[p] { #expect(index == known) } else {
                #expect(index == vertices.count - 1)
                expected[p] = index
            }
            #expect(vertices[index] == p)
        }
        #expect(vertices.count == expected.count)
    }
}
