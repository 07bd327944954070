import Foundation
import TestSupport
import Testing
import GeoKit
@testable import Ingest
import IrrigationModel
@testable import Pipeline
import PlanarGeometry

/// The dissolve's use of the coverage union: its check catches what is not a coverage, and the
/// sample project's zones equal GEOS's unions.
@Suite struct DissolveCoverageTests {
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

    /// A shape GEOS found valid whose vertices rounding does not move is written as it is,
    /// without another check; one that rounding moves is checked (and repaired) again.
    @Test func aCheckedShapeIsCheckedAgainOnlyWhenRoundingMovesIt() throws {
        GDALEnvironment.initialize()
        let context = GEOSContext()
        // A bow tie, invalid: taken as given when said to be checked and already rounded ...
        let bowTie = MultiPolygon(polygons: [Polygon(rings: [[Position(x: 0, y: 0), Position(x: 1, y: 1), Position(x: 1, y: 0),
                                                               Position(x: 0, y: 1), Position(x: 0, y: 0)]])])
        #expect(try OutputGeometry.valid(bowTie, checkedValid: true, context: context) == bowTie.rightHandRule())
        // ... repaired when not said to be checked, or when rounding moves a vertex.
        #expect(try OutputGeometry.valid(bowTie, context: context).polygons.count == 2)
        let moved = MultiPolygon(polygons: [Polygon(rings: [[Position(x: 0, y: 0), Position(x: 1, y: 1), Position(x: 1, y: 0),
                                                              Position(x: 0, y: 1.00000000004), Position(x: 0, y: 0)]])])
        #expect(try OutputGeometry.valid(moved, checkedValid: true, context: context).polygons.count == 2)
    }

    @Test func overlapsAreNotACoverage() throws {
        var shapes = GeometryOracle.cells(2, 1)
        shapes.append(shapes[0])  // the same cell twice: an edge runs the same way twice
        #expect(CoverageUnion.union(shapes) == nil)
        // Overlap without shared edges passes the edge test but not the caller's area check.
        let shifted = MultiPolygon(polygons: [Polygon(rings: [[Position(x: 0.5, y: 0), Position(x: 1.5, y: 0), Position(x: 1.5, y: 1),
                                                               Position(x: 0.5, y: 1), Position(x: 0.5, y: 0)]])])
        let context = GEOSContext()
        #expect(try DissolveStage.checkedCoverageUnion(CoverageUnion.union([GeometryOracle.cells(1, 1)[0], shifted]), partsArea: ([GeometryOracle.cells(1, 1)[0], shifted]).reduce(0) { $0 + $1.planarArea }, context: context) == nil)
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
        for (_, indices) in groups { try GeometryOracle.expectSameAsGEOS(indices.map { reading.parcels[$0].geometry }) }
    }
}
