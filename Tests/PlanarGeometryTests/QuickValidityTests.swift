import Foundation
import RunSupport
import TestSupport
import Testing
import GeoKit
import IrrigationModel
import PlanarGeometry

/// `QuickValidity` may only ever say "certainly valid" where GEOS finds the shape valid, and
/// should say so for ordinary parcels (else it saves nothing).
@Suite struct QuickValidityTests {
    static func shape(_ points: [(Double, Double)]) -> MultiPolygon {
        MultiPolygon(polygons: [Polygon(rings: [points.map { Position(x: $0.0, y: $0.1) }])])
    }

    static func geosValid(_ shape: MultiPolygon, _ context: GEOSContext) throws -> Bool {
        let geometry = try context.geometry(wkb: WKB.encode(shape))
        return !geometry.isEmpty && geometry.isValid
    }

    @Test func answersCertainOnlyForSimpleSingleRings() throws {
        GDALEnvironment.initialize()
        let context = GEOSContext()
        let cases: [(name: String, shape: MultiPolygon, certain: Bool)] = [
            ("square", Self.shape([(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]), true),
            ("clockwise square", Self.shape([(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]), true),
            ("triangle", Self.shape([(0, 0), (4, 0), (0, 3), (0, 0)]), true),
            ("concave", Self.shape([(0, 0), (4, 0), (4, 4), (2, 1), (0, 4), (0, 0)]), true),
            ("bow tie", Self.shape([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)]), false),
            ("spike", Self.shape([(0, 0), (2, 0), (3, 0), (2, 0), (2, 2), (0, 2), (0, 0)]), false),
            ("repeated point", Self.shape([(0, 0), (1, 0), (1, 0), (1, 1), (0, 1), (0, 0)]), false),
            ("straight through a vertex", Self.shape([(0, 0), (1, 0), (2, 0), (2, 1), (0, 1), (0, 0)]), false),
            ("touches itself at a vertex", Self.shape([(0, 0), (2, 0), (1, 1), (2, 2), (0, 2), (1, 1), (0, 0)]), false),
            ("edge touching a vertex", Self.shape([(0, 0), (4, 0), (4, 2), (2, 0), (0, 2), (0, 0)]), false),
            ("not closed", Self.shape([(0, 0), (1, 0), (1, 1), (0, 1)]), false),
            ("two points", Self.shape([(0, 0), (1, 0), (0, 0)]), false),
            ("collinear", Self.shape([(0, 0), (1, 0), (2, 0), (0, 0)]), false),
            ("not finite", Self.shape([(0, 0), (1, 0), (.nan, 1), (0, 0)]), false),
            ("with a hole", MultiPolygon(polygons: [Polygon(rings: [
                [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)].map { Position(x: $0.0, y: $0.1) },
                [(1, 1), (1, 2), (2, 2), (2, 1), (1, 1)].map { Position(x: $0.0, y: $0.1) },
            ])]), false),
            ("two parts", MultiPolygon(polygons: Self.shape([(0, 0), (1, 0), (1, 1), (0, 0)]).polygons + Self.shape([(5, 5), (6, 5), (6, 6), (5, 5)]).polygons), false),
        ]
        for item in cases {
            #expect(QuickValidity.isCertainlyValid(item.shape) == item.certain, "\(item.name)")
            if item.certain { #expect(try Self.geosValid(item.shape, context), "\(item.name)") }
        }
        // A long ring is left to GEOS.
        let circle = (0...QuickValidity.maximumEdges).map { k -> (Double, Double) in
            let angle = 2 * Double.pi * Double(k % QuickValidity.maximumEdges) / Double(QuickValidity.maximumEdges)
            return (cos(angle), sin(angle))
        }
        #expect(QuickValidity.isCertainlyValid(Self.shape(circle)))
        #expect(!QuickValidity.isCertainlyValid(Self.shape(circle.dropLast() + [(0.5, 0.5), circle[0]])))
    }

    /// Random rings, many of them degenerate (vertices on a coarse grid touch, cross and repeat),
    /// and star-shaped ones near the precision of the output (7 decimals of a degree).
    @Test func neverCertainWhereGEOSFindsFault() throws {
        GDALEnvironment.initialize()
        let context = GEOSContext()
        var random = SplitMix64(seed: 20_241_015)
        var certain = 0, geosValidStars = 0, certainStars = 0
        for _ in 0..<20_000 {
            let count = 3 + random.int(below: 8)
            var points = (0..<count).map { _ in (Double(random.int(below: 5)), Double(random.int(below: 5))) }
            points.append(points[0])
            let shape = Self.shape(points)
            if QuickValidity.isCertainlyValid(shape) {
                certain += 1
                #expect(try Self.geosValid(shape, context), "\(points)")
            }
        }
        for _ in 0..<5_000 {
            let count = 3 + random.int(below: 20)
            let centre = (random.uniform(73, 135), random.uniform(18, 53))
            let size = [1e-2, 1e-4, 1e-6][random.int(below: 3)]
            var angles = (0..<count).map { _ in random.uniform(0, 2 * Double.pi) }
            angles.sort()
            var points = angles.map { angle -> (Double, Double) in
                let radius = size * random.uniform(0.2, 1)
                let scale = 1e7
                return (((centre.0 + radius * cos(angle)) * scale).rounded() / scale, ((centre.1 + radius * sin(angle)) * scale).rounded() / scale)
            }
            points.append(points[0])
            let shape = Self.shape(points)
            let valid = try Self.geosValid(shape, context)
            if valid { geosValidStars += 1 }
            if QuickValidity.isCertainlyValid(shape) {
                certainStars += 1
                #expect(valid, "\(points)")
            }
        }
        #expect(certain > 1_000, "the grid rings include simple ones")
        // A third of the stars are 10 cm across, where rounding to 7 decimals leaves edges nearly
        // on one line: those are left to GEOS.
        #expect(Double(certainStars) >= 0.8 * Double(geosValidStars), "\(certainStars) of \(geosValidStars) valid star-shaped rings found certain")
    }

    /// Real parcels (the sample's, and LPIS layers from Germany and New Zealand): every one found
    /// certain is valid for GEOS, and most single-ring parcels are found certain.
    @Test func realParcels() throws {
        GDALEnvironment.initialize()
        let context = GEOSContext()
        let layers = [repositoryRoot.appendingPathComponent("SampleData/parcels.shp").path,
                      realData + "/fiboa_lpis_samples/de_bb/antrag_land_gem.shp",
                      realData + "/fiboa_lpis_samples/nz/irrigated-land-area-raw-2020-update.shp"]
        for path in layers {
            let dataset = try Dataset.open(path)
            var singleRings = 0, certain = 0
            for layer in dataset.layers {
                try layer.forEachFeature { feature in
                    guard let wkb = try feature.geometry?.wkb(), let shape = try? WKB.multiPolygon(from: wkb) else { return }
                    if shape.polygons.count == 1, shape.polygons[0].rings.count == 1, shape.polygons[0].rings[0].count <= QuickValidity.maximumEdges + 1 {
                        singleRings += 1
                    }
                    if QuickValidity.isCertainlyValid(shape) {
                        certain += 1
                        #expect(try Self.geosValid(shape, context), "\(path): feature \(feature.id ?? -1)")
                    }
                }
            }
            #expect(singleRings > 0 && Double(certain) >= 0.9 * Double(singleRings), "\(path): \(certain) of \(singleRings) small single-ring parcels found certain")
        }
    }
}
