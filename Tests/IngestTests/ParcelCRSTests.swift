import Foundation
import TestSupport
import Testing
import GeoKit
@testable import Ingest
import IrrigationModel
import PlanarGeometry

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

}
