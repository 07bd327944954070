import Foundation
import TestSupport
import Testing
@testable import GeoKit

@Suite struct DatasetTests {
    init() { GDALEnvironment.initialize() }

    @Test func geosIsAvailable() {
        // Without GEOS, OGR_G_Intersects silently compares bounding boxes (peers.md C.7).
        #expect(GDALEnvironment.geosVersion != nil)
        #expect(GDALEnvironment.gdalVersion.hasPrefix("3."))
    }

    @Test func opensAndIteratesAShapefile() throws {
        let dataset = try Dataset.open(realData + "/fiboa_lpis_samples/se/arslager_skiftePolygon.shp")
        #expect(dataset.driverName == "ESRI Shapefile")
        let layer = try #require(dataset.layer(at: 0))
        #expect(layer.featureCount() == 10)
        #expect(layer.fields.map(\.name).contains("grdkod_mar"))
        var seen = 0
        try layer.forEachFeature { feature in
            seen += 1
            #expect(feature.geometry?.type.isPolygonal == true)
        }
        #expect(seen == 10)
        #expect(dataset.fileList.contains { $0.hasSuffix(".dbf") })
    }

    @Test func picksGeoPackageLayersByName() throws {
        let dataset = try Dataset.open(realData + "/fiboa_lpis_samples/pt/Continente.gpkg")
        #expect(dataset.layers.count == 3)
        let layer = try #require(dataset.layer(named: "Culturas_Aveiro"))
        #expect(layer.featureCount() == 100)
        #expect(dataset.layer(named: "no such layer") == nil)
    }

    /// The GeoPackages the tool writes have SQLite's largest pages; one made the plain way keeps
    /// SQLite's default, and the option set for the creation does not outlive it.
    @Test func geoPackagesAreMadeWithLargePages() throws {
        let directory = try temporaryDirectory()
        func pageSize(_ dataset: Dataset) throws -> Int64? {
            let statement = try SQLiteStatement("PRAGMA page_size", on: dataset)
            defer { statement.finish() }
            return try statement.integer()
        }
        let large = try Dataset.createGeoPackage(path: directory + "/large.gpkg")
        #expect(try pageSize(large) == 65_536)
        let plain = try Dataset.create(driver: "GPKG", path: directory + "/plain.gpkg")
        #expect(try pageSize(plain) == 4096)
        #expect(GDALEnvironment.configOption("OGR_SQLITE_PRAGMA") == nil)
    }

    @Test func openFailureCarriesGDALsMessageAndFunction() {
        do {
            _ = try Dataset.open("/nonexistent/parcels.shp")
            Issue.record("opening a missing file must throw")
        } catch {
            #expect(error.function == "GDALOpenEx")
            #expect(error.message.contains("/nonexistent/parcels.shp"))
            #expect(error.description.hasPrefix("GDALOpenEx failed: "))
        }
    }

    @Test func readsTypedFieldValues() throws {
        let dataset = try Dataset.open(realData + "/pyogrio_fixtures/test_gpkg_nulls.gpkg")
        let layer = try #require(dataset.layer(at: 0))
        var values: [FieldValue] = []
        try layer.forEachFeature { feature in
            for index in 0..<feature.fieldCount { values.append(feature.value(at: index)) }
        }
        #expect(values.contains(.null))
        #expect(values.contains { if case .integer = $0 { true } else { false } })
        #expect(values.contains { if case .real = $0 { true } else { false } })
    }

    /// `withTextBytes` hands over the bytes `textBytes` copies out: nil for a null or unset field,
    /// the text's bytes (empty for an empty string) otherwise.
    @Test func textBytesInPlaceMatchTheCopiedOnes() throws {
        let dataset = try Dataset.create(driver: "Memory", path: "mem")
        let layer = try dataset.createLayer(named: "t", srs: nil, geometryType: .polygon)
        for name in ["a", "b", "c", "d"] { try layer.createField(FieldDefinition(name: name, type: .string)) }
        let feature = layer.makeFeature()
        feature.set(.string("玉米 maize"), at: 0)
        feature.set(.string(""), at: 1)
        feature.set(.null, at: 2)  // and d is never set
        try layer.create(feature)
        var compared = 0
        try layer.forEachFeature { f in
            for index in 0..<4 {
                let inPlace = f.withTextBytes(at: index) { $0.map { Array($0) } }
                #expect(inPlace == f.textBytes(at: index), "field \(index)")
                compared += 1
            }
            #expect(f.withTextBytes(at: 0) { $0.map { String(decoding: $0, as: UTF8.self) } } == "玉米 maize")
            #expect(f.withTextBytes(at: 1) { $0?.count } == 0)
            #expect(f.withTextBytes(at: 2) { $0 == nil } && f.withTextBytes(at: 3) { $0 == nil })
        }
        #expect(compared == 4)
    }

    @Test func writesAndReadsBackThroughMemoryDriver() throws {
        let dataset = try Dataset.create(driver: "Memory", path: "mem")
        let layer = try dataset.createLayer(named: "t", srs: try SpatialReference(epsg: 4547), geometryType: .polygon)
        try layer.createField(FieldDefinition(name: "name", type: .string))
        let feature = layer.makeFeature()
        feature.set(.string("玉米"), at: 0)
        try feature.setGeometry(try Geometry(wkt: "POLYGON((0 0,1 0,1 1,0 1,0 0))"))
        try layer.create(feature)
        var names: [FieldValue] = []
        try layer.forEachFeature { f in names.append(f.value(at: 0)) }
        #expect(names == [.string("玉米")])
    }

    @Test func warningsAreCollectedNotPrinted() throws {
        let diagnostics = Diagnostics()
        let valid = try diagnostics.collect { () throws(GDALError) -> Bool in
            try Geometry(wkt: "POLYGON((0 0,2 2,2 0,0 2,0 0))").isValid
        }
        #expect(valid == false)
        #expect(diagnostics.warnings.contains { $0.message.contains("Self-intersection") })
    }

    @Test func sha256MatchesTheFIPSExample() throws {
        // FIPS 180-2 appendix B.1: SHA-256("abc").
        #expect(SHA256.hexDigest(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let path = try temporaryDirectory() + "/abc.txt"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try SHA256.hexDigest(ofFile: path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
