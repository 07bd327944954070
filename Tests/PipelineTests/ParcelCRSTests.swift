import Foundation
import Testing
import GeoKit
@testable import Ingest
import IrrigationModel

/// The reader's step from a layer's geographic CRS to WGS84 (`ParcelReader.TransformPrototype`):
/// skipped when PROJ says it is a no-op, set up by the geometry workers when it is not.
@Suite struct ParcelCRSTests {
    static let ring = [(-90.0, 40.0), (-89.99, 40.0), (-89.99, 40.01), (-90.0, 40.01), (-90.0, 40.0)]

    static func layer(epsg: Int) -> String {
        let coordinates = ring.map { "[\($0.0), \($0.1)]" }.joined(separator: ", ")
        return """
        {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::\(epsg)"}}, "features": [
        {"type": "Feature", "properties": {"parcel_id": "P1"}, "geometry": {"type": "Polygon", "coordinates": [[\(coordinates)]]}}
        ]}
        """
    }

    /// NAD27 → WGS84 is a datum shift (tens of metres here): the parcel's WGS84 vertices are
    /// GDAL's own transformation of the input, and not the input itself.
    @Test func aDatumShiftToWGS84IsApplied() throws {
        let path = try temporaryDirectory() + "/nad27.geojson"
        try Self.layer(epsg: 4267).write(toFile: path, atomically: true, encoding: .utf8)
        let reading = try ParcelReader(options: ParcelInputOptions(path: path)).read()
        let ring = try #require(reading.parcels.first?.geometry.polygons.first?.rings.first)
        let gdal = try CoordinateTransformation(from: SpatialReference(epsg: 4267), to: SpatialReference.wgs84())
        var largestShift = 0.0
        for position in ring {
            // The input vertex this output vertex came from (rings may start elsewhere or turn).
            let input = try #require(Self.ring.min { hypot($0.0 - position.x, $0.1 - position.y) < hypot($1.0 - position.x, $1.1 - position.y) })
            let expected = try #require(gdal.transform(x: input.0, y: input.1))
            // (The reader keeps 7 decimals, the output's precision.)
            #expect(abs(expected.x - position.x) <= 0.6e-7 && abs(expected.y - position.y) <= 0.6e-7, "\(position) against GDAL's \(expected)")
            largestShift = max(largestShift, hypot(position.x - input.0, position.y - input.1))
        }
        #expect(largestShift > 1e-5)  // shifted (≈ 1e-4 degrees), not passed through
    }

    /// CGCS2000 → WGS84 is a no-op: the vertices are the input's.
    @Test func aNoOperationStepLeavesTheCoordinates() throws {
        let path = try temporaryDirectory() + "/cgcs2000.geojson"
        try Self.layer(epsg: 4490).write(toFile: path, atomically: true, encoding: .utf8)
        let reading = try ParcelReader(options: ParcelInputOptions(path: path)).read()
        let ring = try #require(reading.parcels.first?.geometry.polygons.first?.rings.first)
        for position in ring {
            #expect(Self.ring.contains { $0.0 == position.x && $0.1 == position.y }, "\(position)")
        }
    }

    /// A layer's extent and the wells' x/y reach WGS84 in the parcels' two steps
    /// (`WGS84Transform`), and land where GDAL's one transformation puts them.
    @Test(arguments: [(26716, 500_000.0, 4_430_000.0), (4547, 416_254.3, 4_272_411.9)])
    func pointsReachWGS84AsGDALPutsThem(epsg: Int, x: Double, y: Double) throws {
        let crs = try SpatialReference(epsg: epsg)
        let twoSteps = try #require(try WGS84Transform(from: crs).transform(x: x, y: y))
        let gdal = try #require(try CoordinateTransformation(from: crs, to: SpatialReference.wgs84()).transform(x: x, y: y))
        #expect(abs(twoSteps.x - gdal.x) < 1e-9 && abs(twoSteps.y - gdal.y) < 1e-9, "\(twoSteps) against GDAL's \(gdal)")
        if epsg == 26716 {
            // NAD27's datum shift is applied: not just the inverse projection.
            let geographic = try #require(try CoordinateTransformation(from: crs, to: crs.geographic()).transform(x: x, y: y))
            #expect(hypot(twoSteps.x - geographic.x, twoSteps.y - geographic.y) > 1e-5)
        }
    }

    /// PROJ is asked once per CRS: the CRS read back from the layer's WKT (as the monitoring
    /// tables take it, without the area of use) shares the answer of the layer's own.
    @Test func theNoOperationAnswerIsShared() throws {
        let layerCRS = try SpatialReference(epsg: 26716)  // NAD27 / UTM 16N: NAD27 is asked of PROJ
        let readBack = try SpatialReference(userInput: try layerCRS.wkt())
        #expect(try readBack.geographic().wkt() != layerCRS.geographic().wkt())
        let first = try GeographicToWGS84.isNoOperation(layerCRS.geographic())
        let second = try GeographicToWGS84.isNoOperation(readBack.geographic())
        #expect(first === second)
        #expect(!first.wait())
        // CGCS2000 (under EPSG:4547, and read back) is another CRS, with another answer: a
        // no-op, given without asking PROJ (which says the same: `SpatialTests`).
        let cgcs2000 = try SpatialReference(epsg: 4547)
        let answers = [try GeographicToWGS84.isNoOperation(cgcs2000.geographic()),
                       try GeographicToWGS84.isNoOperation(SpatialReference(userInput: try cgcs2000.wkt()).geographic())]
        for answer in answers {
            #expect(answer === GeographicToWGS84.knownNoOperation)
            #expect(answer.wait())
        }
    }

    /// A worker thread keeps the transformations it copied for as long as it works on the same
    /// layer; a later layer's prototype made where a freed one was (at the same address) must
    /// not get them. (Keyed by the prototype's address, a GBK test in EPSG:4547 got the identity
    /// of a WGS84 layer read before it, and every parcel was rejected.)
    @Test func aWorkerNeverTakesAnEarlierLayersTransformations() throws {
        let wgs84 = try SpatialReference.wgs84(), gaussKruger = try SpatialReference(epsg: 4547)
        let gaussKrugerPoint = (x: 416_254.3, y: 4_272_411.9), lonLat = (x: 112.5, y: 38.5)
        let expected = try #require(try CoordinateTransformation(from: gaussKruger, to: gaussKruger.geographic()).transform(x: gaussKrugerPoint.x, y: gaussKrugerPoint.y))
        var addresses = Set<ObjectIdentifier>(), addressReused = false
        for round in 0..<200 {
            // Layers in the two CRSs by turns, each prototype freed before the next is made.
            let crs = round % 2 == 0 ? wgs84 : gaussKruger
            let prototype = try ParcelReader.TransformPrototype(toGeographic: CoordinateTransformation(from: crs, to: crs.geographic()))
            if !addresses.insert(ObjectIdentifier(prototype)).inserted { addressReused = true }
            let (toGeographic, _) = try ParcelReader.WorkerTransforms.forCurrentThread(copying: prototype)
            if crs === wgs84 {
                let point = toGeographic.transform(x: lonLat.x, y: lonLat.y)
                #expect(point.map { abs($0.x - lonLat.x) < 1e-12 && abs($0.y - lonLat.y) < 1e-12 } == true, "round \(round): \(String(describing: point))")
            } else {
                let point = toGeographic.transform(x: gaussKrugerPoint.x, y: gaussKrugerPoint.y)
                #expect(point.map { abs($0.x - expected.x) < 1e-9 && abs($0.y - expected.y) < 1e-9 } == true, "round \(round): \(String(describing: point))")
            }
        }
        // The case above was met: the allocator handed an address out again (AddressSanitizer
        // quarantines freed memory, so under it addresses are not reused).
        #expect(addressReused || dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil)
    }
}
