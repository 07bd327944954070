import Foundation
import TestSupport
import Testing
import GeoKit
@testable import Ingest
import IrrigationModel
import PlanarGeometry

/// `ParcelCensus`: the facts of the whole layer that a part of a partitioned run reads from the
/// attributes alone must be those a whole run gathers while reading, rejected geometries included.
@Suite struct CensusTests {
    static let layer = """
    {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}, "features": [
    {"type": "Feature", "properties": {"parcel_id": "P1", "crop": "小麦", "source_id": "S1"},
     "geometry": {"type": "Polygon", "coordinates": [[[112.70, 38.40], [112.71, 38.40], [112.71, 38.41], [112.70, 38.41], [112.70, 38.40]]]}},
    {"type": "Feature", "properties": {"parcel_id": "P2", "crop": "生菜", "source_id": "S1"}, "geometry": null},
    {"type": "Feature", "properties": {"parcel_id": " ", "crop": "玉米", "source_id": "S2"},
     "geometry": {"type": "Polygon", "coordinates": [[[112.72, 38.40], [112.73, 38.40], [112.73, 38.42], [112.72, 38.42], [112.72, 38.40]]]}}
    ]}
    """

    @Test func attributeCensusEqualsTheReadersAndCountsRejectedGeometries() throws {
        let path = try temporaryDirectory() + "/parcels.geojson"
        try Self.layer.write(toFile: path, atomically: true, encoding: .utf8)
        let reader = ParcelReader(options: ParcelInputOptions(path: path))
        let reading = try reader.read()
        #expect(reading.parcels.map(\.id) == ["P1", "2"] && reading.rejects.map(\.code.rawValue) == ["GEOMETRY_NULL"])

        let census = try reader.census()
        #expect(census == reading.census)
        #expect(census.featureCount == 3)
        #expect(census.parcelIDs == ["P1", "P2", "2"], "the rejected parcel's id is known; an empty id falls back to the feature id")
        #expect(census.cropsBySource["S1"] == [ParcelCensus.CropKey(crop: "小麦", landUseCode: nil), ParcelCensus.CropKey(crop: "生菜", landUseCode: nil)])
        let extent = try #require(census.extent)
        #expect(abs(extent.minX - 112.70) < 1e-9 && abs(extent.maxX - 112.73) < 1e-9 && abs(extent.minY - 38.40) < 1e-9 && abs(extent.maxY - 38.42) < 1e-9)
    }

    @Test func aPartReadsItsOwnFeaturesAndTheWholeCensus() throws {
        let path = try temporaryDirectory() + "/parcels.geojson"
        try Self.layer.write(toFile: path, atomically: true, encoding: .utf8)
        var options = ParcelInputOptions(path: path)
        options.featureRange = 1..<3  // features 1…2, the second of two parts
        let part = try ParcelReader(options: options).read()
        #expect(part.featuresRead == 2 && part.parcels.map(\.id) == ["2"] && part.rejects.map(\.location) == ["feature 1"])
        #expect(part.census.parcelIDs == ["P2", "2"], "a part's reader counts only its own features")
        options.census = try ParcelReader(options: ParcelInputOptions(path: path)).census()
        let given = try ParcelReader(options: options).read()
        #expect(given.census == options.census && given.census.parcelIDs == ["P1", "P2", "2"], "a census given is carried, not recounted")
    }

    @Test func aCensusReadInSeveralRunsEqualsOneRun() throws {
        // The sample's GBK shapefile: 3 000 features, one with no geometry.
        let reader = ParcelReader(options: ParcelInputOptions(path: repositoryRoot.appendingPathComponent("SampleData/parcels.shp").path))
        let whole = try reader.census(runs: 1, splitMinimum: 0)
        #expect(whole.featureCount == 3_000 && whole.parcelIDs.count == 3_000 && whole.extent != nil)
        for runs in [2, 3, 7] {
            #expect(try reader.census(runs: runs, splitMinimum: 0) == whole, "\(runs) runs")
        }
    }

    @Test func repeatedParcelIDsAreWarnedOfWhetherTheCensusIsCountedOrGiven() throws {
        let path = try temporaryDirectory() + "/parcels.geojson"
        try Self.layer.replacingOccurrences(of: "\"P2\"", with: "\"P1\"").write(toFile: path, atomically: true, encoding: .utf8)
        var options = ParcelInputOptions(path: path)
        let counted = try ParcelReader(options: options).read()
        options.census = try ParcelReader(options: options).census()
        let given = try ParcelReader(options: options).read()
        for reading in [counted, given] {
            // P1's second feature has no geometry: the id is repeated in the layer, not among the parcels.
            #expect(reading.census.parcelIDs.count == 2 && reading.census.featureCount == 3)
            #expect(!reading.warnings.contains { $0.contains("more than once") }, "only accepted parcels' ids are compared")
        }

        try Self.layer.replacingOccurrences(of: "\" \"", with: "\"P1\"").write(toFile: path, atomically: true, encoding: .utf8)
        options = ParcelInputOptions(path: path)
        let repeated = try ParcelReader(options: options).read()
        #expect(repeated.warnings.contains { $0.contains("1 parcel ids occur more than once") && $0.contains("P1") })
    }
}
