import TestSupport
import Testing
import GeoKit
import IrrigationModel
import Ingest
@testable import Pipeline
import PlanarGeometry

@Suite struct DissolveTests {
    /// Grid coordinates computed one way for every vertex, so neighbours share edges exactly.
    static func gx(_ i: Int) -> Double { 112.7 + Double(i) / 1000 }
    static func gy(_ j: Int) -> Double { 38.4 + Double(j) / 1000 }

    static func cell(_ i: Int, _ j: Int, hole: Bool = false) -> Parcel {
        square(gx(i), gy(j), x1: gx(i + 1), y1: gy(j + 1), hole: hole)
    }

    static func square(_ x: Double, _ y: Double, size: Double = 0.001, hole: Bool = false, id: String = "p") -> Parcel {
        square(x, y, x1: x + size, y1: y + size, hole: hole)
    }

    static func square(_ x: Double, _ y: Double, x1: Double, y1: Double, hole: Bool = false) -> Parcel {
        let size = x1 - x
        var rings = [[Position(x: x, y: y), Position(x: x1, y: y), Position(x: x1, y: y1), Position(x: x, y: y1), Position(x: x, y: y)]]
        if hole {
            let a = size / 4
            rings.append([Position(x: x + a, y: y + a), Position(x: x + a, y: y + 3 * a), Position(x: x + 3 * a, y: y + 3 * a), Position(x: x + 3 * a, y: y + a), Position(x: x + a, y: y + a)])
        }
        let geometry = MultiPolygon(polygons: [Polygon(rings: rings)]).rightHandRule()
        let area = Ellipsoid.cgcs2000.area(of: geometry)
        return Parcel(id: "p", featureID: nil, crop: nil, landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: nil, adminUnit: nil,
                      attributes: [], geometry: geometry, areaSquareMetres: area, geometryRepaired: false)
    }

    static func assessment(_ zone: Zone, _ cropClass: CropClass) -> ParcelAssessment {
        ParcelAssessment(classification: CropClassification(cropClass: cropClass, basis: .none, entry: nil), tier: nil, zone: zone, reasons: [],
                         sourceStatus: nil, exclusionShare: 0, exclusionNames: [], soilClass: .unknown, soilAboveScreening: [],
                         soilAboveIntervention: [], soilPHUsed: nil)
    }

    static func outcome(_ zone: Zone, _ cropClass: CropClass) -> ParcelOutcome { ParcelOutcome(assessment(zone, cropClass)) }

    static func areaHa(_ parcels: [Parcel]) -> Double { parcels.reduce(0) { $0 + $1.areaSquareMetres } / 10_000 }

    @Test func aCoverageDissolvesByCoverageUnionAndConservesArea() throws {
        // A 3 × 3 coverage: two zone/class groups.
        let parcels = (0..<9).map { Self.cell($0 % 3, $0 / 3) }
        let assessments = (0..<9).map { Self.outcome($0 < 6 ? .suitable : .restricted, .feedForage) }
        let zones = try DissolveStage.run(parcels: parcels, outcomes: assessments)
        #expect(zones.count == 2)
        #expect(zones.allSatisfy { $0.method == "coverage" })
        #expect(zones.first { $0.zone == .suitable }?.parcelCount == 6)
        #expect(zones.first { $0.zone == .suitable }?.geometry.polygons.count == 1)  // one rectangle, inner edges gone
        let total = zones.reduce(0) { $0 + $1.areaSquareMetres } / 10_000
        #expect(abs(total - Self.areaHa(parcels)) < 1e-6 * Self.areaHa(parcels))
    }

    @Test func edgesThatDoNotMatchExactlyAreNotTakenForACoverage() throws {
        // 112.7 + 0.001 + 0.001 is not 112.7 + 0.002 in binary: a hairline seam.
        let parcels = [Self.square(112.7, 38.4), Self.square(112.7 + 0.001, 38.4), Self.square(112.7 + 0.001 + 0.001, 38.4)]
        let zones = try DissolveStage.run(parcels: parcels, outcomes: parcels.map { _ in Self.outcome(.suitable, .fruit) })
        #expect(zones.count == 1)
        #expect(abs(zones[0].areaSquareMetres / 10_000 - Self.areaHa(parcels)) < 1e-6 * Self.areaHa(parcels))
    }

    @Test func overlappingParcelsFallBackToACascadedUnion() throws {
        let parcels = [Self.square(112.7, 38.4), Self.square(112.7005, 38.4)]  // half overlap
        let zones = try DissolveStage.run(parcels: parcels, outcomes: parcels.map { _ in Self.outcome(.suitable, .fruit) })
        #expect(zones.count == 1 && zones[0].method == "cascaded")
        // The union is 1.5 squares, not 2.
        #expect(abs(zones[0].areaSquareMetres / parcels[0].areaSquareMetres - 1.5) < 1e-3)
    }

    @Test func unionsBuiltAsOutcomesComeEqualTheDissolveOfAllParcels() throws {
        // A 6 × 6 coverage with holes and zone groups that touch themselves at corners, plus two
        // overlapping parcels in a group of their own (not a coverage: the cascaded fallback).
        var parcels = (0..<36).map { Self.cell($0 % 6, $0 / 6, hole: $0 == 14) }
        var outcomes = (0..<36).map { Self.outcome(($0 % 6 + $0 / 6) % 2 == 0 ? .suitable : .restricted, $0 < 18 ? .fruit : .paddy) }
        parcels += [Self.square(112.8, 38.4), Self.square(112.8005, 38.4)]
        outcomes += [Self.outcome(.prohibited, .fruit), Self.outcome(.prohibited, .fruit)]
        var unions = DissolveStage.GroupUnions()
        for (parcel, outcome) in zip(parcels, outcomes) { unions.add(parcel.geometry, outcome, areaSquareMetres: parcel.areaSquareMetres) }
        let built = try DissolveStage.run(parcels: parcels, outcomes: outcomes, unions: unions)
        let whole = try DissolveStage.run(parcels: parcels, outcomes: outcomes)
        #expect(built.count == whole.count && built.count == 5)
        for (a, b) in zip(built, whole) {
            #expect(a.zone == b.zone && a.cropClass == b.cropClass && a.geometry == b.geometry && a.areaSquareMetres == b.areaSquareMetres
                    && a.parcelCount == b.parcelCount && a.method == b.method)
        }
        #expect(Set(built.map(\.method)) == ["coverage", "cascaded"])
    }

    @Test func holesSurviveTheDissolve() throws {
        let parcels = [Self.cell(0, 0, hole: true), Self.cell(1, 0)]
        let zones = try DissolveStage.run(parcels: parcels, outcomes: parcels.map { _ in Self.outcome(.restricted, .paddy) })
        #expect(zones.count == 1 && zones[0].geometry.polygons[0].rings.count == 2)
        #expect(abs(zones[0].areaSquareMetres / 10_000 - Self.areaHa(parcels)) < 1e-6 * Self.areaHa(parcels))
    }
}

@Suite struct ExclusionTests {
    /// A well as a point exclusion with a 100 m buffer: the parcel 50 m away is touched, the one
    /// 300 m away is not.
    @Test func pointExclusionsAreBufferedInMetres() throws {
        GDALEnvironment.initialize()
        let path = try temporaryDirectory() + "/well.geojson"
        let dataset = try Dataset.create(driver: "GeoJSON", path: path)
        let layer = try dataset.createLayer(named: "well", srs: try SpatialReference.wgs84(), geometryType: .point)
        try layer.createField(FieldDefinition(name: "name", type: .string))
        let feature = layer.makeFeature()
        feature.set(.string("水源井"), at: 0)
        // 50 m west of cell (0, 0): 0.000573° of longitude at 38.4°N.
        try feature.setGeometry(try Geometry(wkt: "POINT(\(DissolveTests.gx(0) - 0.000573) \(DissolveTests.gy(0) + 0.0005))"))
        try layer.create(feature)
        try dataset.close()
        let parcels = [DissolveTests.cell(0, 0), DissolveTests.cell(4, 0)]
        let shares = try ExclusionStage.run(parcels: parcels, inputs: [ExclusionInput(path: path, bufferMetres: 100)]).shares
        // The buffer reaches 50 m into the 87 m × 111 m cell: a circular segment of ≈ 6 142 m²
        // (r² acos(d/r) − d √(r² − d²)), clipped by the cell to ≈ 51 % of it (numeric check on a 2000 × 2000 grid: 0.512).
        #expect(abs(shares[0].share - 0.512) < 0.02 && shares[0].names == ["水源井"])
        #expect(shares[1].share == 0)
        #expect(try ExclusionStage.run(parcels: parcels, inputs: [ExclusionInput(path: path, bufferMetres: 0)]).shares[0].share == 0)
    }
}

@Suite struct StripDissolveTests {
    /// A group larger than one strip: strips are unioned separately, then together. With one
    /// overlapping parcel added, the result must still equal one general union of everything.
    @Test func stripsGiveTheSameUnionAsOneCascadedUnion() throws {
        let side = 70  // 4 900 parcels: two strips
        #expect(side * side > DissolveStage.stripSize)
        var parcels = (0..<(side * side)).map { DissolveTests.cell($0 % side, $0 / side) }
        parcels.append(DissolveTests.square(DissolveTests.gx(10) + 0.0003, DissolveTests.gy(10) + 0.0003))  // overlaps four cells
        let zones = try DissolveStage.run(parcels: parcels, outcomes: parcels.map { _ in DissolveTests.outcome(.suitable, .feedForage) })
        #expect(zones.count == 1 && zones[0].parcelCount == side * side + 1 && zones[0].method == "cascaded")
        let expected = Ellipsoid.cgcs2000.ringArea(longitudes: [DissolveTests.gx(0), DissolveTests.gx(side), DissolveTests.gx(side), DissolveTests.gx(0)],
                                                   latitudes: [DissolveTests.gy(0), DissolveTests.gy(0), DissolveTests.gy(side), DissolveTests.gy(side)])
        #expect(abs(zones[0].areaSquareMetres - expected) < 1e-6 * expected)
        #expect(zones[0].geometry.polygons.count == 1 && zones[0].geometry.polygons[0].rings.count == 1)  // one rectangle, no seams
    }
}
