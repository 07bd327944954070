import Foundation
import RunSupport
import TestSupport
import Testing
import GeoKit
import IrrigationModel
import Ingest
@testable import PlanarGeometry

/// The hand-written coverage union against GEOS's general union, on the shapes that trip GEOS
/// 3.11's own coverage union (boundaries touching themselves at a vertex) and on real zones.
@Suite struct CoverageUnionTests {

    @Test func aBlockBecomesOneRectangle() throws {
        let union = try GeometryOracle.expectSameAsGEOS(GeometryOracle.cells(4, 3), polygons: 1, holes: 0)
        #expect(union.polygons[0].exterior.count == 4 + 3 + 4 + 3 + 1)  // grid vertices along the edge are kept
    }

    @Test func cellsTouchingAtACornerStayTwoPolygons() throws {
        // A checkerboard pair: GEOS 3.11's coverage union throws on exactly this.
        try GeometryOracle.expectSameAsGEOS(GeometryOracle.cells(2, 2, missing: [[1, 0], [0, 1]]), polygons: 2, holes: 0)
    }

    @Test func aHoleTouchingTheShellAtAVertex() throws {
        // 4 × 4 without the corner cell (0,0) and cell (1,1): the hole meets the notch at (1,1).
        try GeometryOracle.expectSameAsGEOS(GeometryOracle.cells(4, 4, missing: [[0, 0], [1, 1]]), polygons: 1, holes: 1)
    }

    @Test func anIslandInAHoleInAnIsland() throws {
        // 7 × 7: ring of missing cells around the centre 3 × 3, whose centre is missing too.
        var missing: Set<[Int]> = [[3, 3]]
        for i in 1...5 { for j in 1...5 where i == 1 || i == 5 || j == 1 || j == 5 { missing.insert([i, j]) } }
        try GeometryOracle.expectSameAsGEOS(GeometryOracle.cells(7, 7, missing: missing), polygons: 2, holes: 2)
    }

    @Test func aCheckerboardIsManyPolygons() throws {
        var missing: Set<[Int]> = []
        for i in 0..<6 { for j in 0..<6 where (i + j) % 2 == 1 { missing.insert([i, j]) } }
        try GeometryOracle.expectSameAsGEOS(GeometryOracle.cells(6, 6, missing: missing), polygons: 18, holes: 0)
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
