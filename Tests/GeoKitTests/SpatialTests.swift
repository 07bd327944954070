import Foundation
import TestSupport
import Testing
@testable import GeoKit

@Suite struct SpatialReferenceTests {
    /// CGCS2000 → WGS 84 is a "ballpark" operation PROJ does not shift: the parcel reader skips
    /// it. A datum change with real shifts (NAD27, Beijing 1954) must not be taken for one.
    @Test func noOperationOnlyWhereProjShiftsNothing() throws {
        GDALEnvironment.initialize()
        let wgs84 = try SpatialReference.wgs84()
        #expect(try CoordinateTransformation.isNoOperation(from: SpatialReference(userInput: "EPSG:4490"), to: wgs84))
        #expect(try CoordinateTransformation.isNoOperation(from: wgs84, to: wgs84))
        #expect(try !CoordinateTransformation.isNoOperation(from: SpatialReference(userInput: "EPSG:4267"), to: wgs84))
        #expect(try !CoordinateTransformation.isNoOperation(from: SpatialReference(userInput: "EPSG:4214"), to: wgs84))
        #expect(try !CoordinateTransformation.isNoOperation(from: SpatialReference(userInput: "EPSG:4547"), to: wgs84))
    }

    init() { GDALEnvironment.initialize() }

    /// GDAL 3 orders EPSG:4326 and the CGCS2000 GK CRSs northing-first by authority; GeoKit must
    /// keep x = longitude/easting (peers.md B.3, C.9). Reference values from pyproj 3.7.2 / PROJ 9.5.1:
    /// Transformer.from_crs(4326, 4547, always_xy=True).transform(112.68, 38.42).
    @Test func gaussKrugerTransformKeepsTraditionalAxisOrder() throws {
        let transform = try CoordinateTransformation(from: try SpatialReference.wgs84(), to: try SpatialReference(epsg: 4547))
        let point = try #require(transform.transform(x: 112.68, y: 38.42))
        #expect(abs(point.x - 384_723.153_217) < 0.01)
        #expect(abs(point.y - 4_254_943.473_884) < 0.01)
        let back = try CoordinateTransformation(from: try SpatialReference(epsg: 4547), to: try SpatialReference.wgs84())
        let lonLat = try #require(back.transform(x: point.x, y: point.y))
        #expect(abs(lonLat.x - 112.68) < 1e-8 && abs(lonLat.y - 38.42) < 1e-8)
    }

    @Test(arguments: [4490, 4513, 4534, 4547, 4554, 4326])
    func chineseCRSsAreUnderstood(epsg: Int) throws {
        let srs = try SpatialReference(epsg: epsg)
        #expect(srs.authorityCode == "EPSG:\(epsg)")
        let ellipsoid = try srs.ellipsoid()
        #expect(ellipsoid.semiMajorAxis == 6_378_137)
    }

    @Test func esriStylePrjIsIdentified() throws {
        let dataset = try Dataset.open(realData + "/fiboa_lpis_samples/dk/Marker_2026.shp")
        let srs = try #require(try dataset.layer(at: 0)?.spatialReference())
        #expect(srs.authorityCode == "EPSG:25832")
    }

    @Test func unknownCRSInputThrows() {
        #expect(throws: GDALError.self) { try SpatialReference(userInput: "EPSG:999999") }
    }
}

@Suite struct GeometryTests {
    init() { GDALEnvironment.initialize() }

    @Test func bowTieIsRepairedIntoTwoTriangles() throws {
        let bowTie = try Geometry(wkt: "POLYGON((0 0,2 2,2 0,0 2,0 0))")
        #expect(!bowTie.isValid)
        let fixed = try #require(try bowTie.makeValid().polygonalPart())
        #expect(fixed.isValid)
        #expect(fixed.type == .multiPolygon)
        #expect(fixed.subGeometryCount == 2)
        #expect(abs(fixed.planarArea - 2) < 1e-12)  // two triangles of area 1
    }

    @Test func unclosedAndDuplicatePointRingsAreHandled() throws {
        // A duplicate consecutive vertex is valid OGC; a spike (zero-width) is not.
        let duplicate = try Geometry(wkt: "POLYGON((0 0,1 0,1 0,1 1,0 1,0 0))")
        #expect(duplicate.isValid)
        let spike = try Geometry(wkt: "POLYGON((0 0,2 0,2 1,3 1,2 1,0 1,0 0))")
        #expect(!spike.isValid)
        let repaired = try #require(try spike.makeValid().polygonalPart())
        #expect(repaired.isValid)
        #expect(abs(repaired.planarArea - 2) < 1e-12)
    }

    @Test func wkbRoundTrips() throws {
        let geometry = try Geometry(wkt: "MULTIPOLYGON(((0 0,4 0,4 4,0 4,0 0),(1 1,1 2,2 2,2 1,1 1)))")
        let copy = try Geometry(wkb: try geometry.wkb())
        #expect(try copy.wkt() == (try geometry.wkt()))
        #expect(copy.planarArea == 15)
    }

    @Test func curvesAreLinearised() throws {
        let dataset = try Dataset.open(realData + "/pyogrio_fixtures/curvepolygon.gpkg")
        let layer = try #require(dataset.layer(at: 0))
        var types: [GeometryType] = []
        try layer.forEachFeature { feature in
            let geometry = try #require(feature.geometry)
            types.append(geometry.type)
            #expect(try geometry.linearized().type == .polygon)
        }
        #expect(types.allSatisfy { if case .curve = $0 { true } else { false } })
    }

    /// Reference: pyproj 3.7.2 Geod(ellps="GRS80").polygon_area_perimeter([0,1,1,0],[0,0,1,1])
    /// = 12 308 778 361.0636 m²; with ellps="WGS84", 12 308 778 361.4695 m².
    @Test func geodesicAreaMatchesGeographicLib() {
        let lon = [0.0, 1, 1, 0], lat = [0.0, 0, 1, 1]
        #expect(abs(Ellipsoid.cgcs2000.ringArea(longitudes: lon, latitudes: lat) - 12_308_778_361.0636) < 0.01)
        #expect(abs(Ellipsoid.wgs84.ringArea(longitudes: lon, latitudes: lat) - 12_308_778_361.4695) < 0.01)
    }

    /// A field-sized ring is measured in an equal-area projection; it must agree with PROJ's
    /// geodesic area (Karney) to well below the 0.01 m² that `area_ha` shows, at any latitude a
    /// parcel layer may have, for convex and concave rings, open or closed, either winding.
    @Test func fieldSizedRingsAgreeWithTheGeodesicArea() {
        var generator = SystemRandomNumberGenerator()
        var worst = 0.0
        for trial in 0..<20_000 {
            let size = Double.random(in: 0.00002...Ellipsoid.equalAreaExtentDegrees, using: &generator)
            let centre = (lon: Double.random(in: -179...179, using: &generator), lat: Double.random(in: -75...75, using: &generator))
            // A star-shaped ring: random radii around the centre (concave as often as not).
            let count = Int.random(in: 3...12, using: &generator)
            var lon: [Double] = [], lat: [Double] = []
            for index in 0..<count {
                let angle = 2 * Double.pi * Double(index) / Double(count), radius = Double.random(in: 0.2...0.5, using: &generator) * size
                lon.append(centre.lon + radius * cos(angle)); lat.append(centre.lat + radius * sin(angle))
            }
            if trial % 2 == 0 { lon.reverse(); lat.reverse() }
            if trial % 3 == 0 { lon.append(lon[0]); lat.append(lat[0]) }
            let ellipsoid = trial % 5 == 0 ? Ellipsoid.wgs84 : Ellipsoid.cgcs2000
            let difference = abs(ellipsoid.ringArea(longitudes: lon, latitudes: lat) - ellipsoid.geodesicRingArea(longitudes: lon, latitudes: lat))
            worst = max(worst, difference)
        }
        #expect(worst < 0.001, "largest difference from geod_polygonarea: \(worst) m²")
    }

    /// Beyond the equal-area limit (or across the antimeridian) the geodesic area is used as it is.
    @Test func largerRingsTakeTheGeodesicArea() {
        for (lon, lat) in [([112.0, 112.01, 112.01, 112.0], [38.0, 38.0, 38.001, 38.001]), ([179.9995, -179.9995, -179.9995, 179.9995], [10.0, 10.0, 10.001, 10.001])] {
            #expect(Ellipsoid.cgcs2000.ringArea(longitudes: lon, latitudes: lat) == Ellipsoid.cgcs2000.geodesicRingArea(longitudes: lon, latitudes: lat))
        }
    }
}

@Suite struct TextRecodingTests {
    init() { GDALEnvironment.initialize() }

    @Test func gbkRoundTrips() {
        let bytes = TextRecoding.encode("玉米", to: "CP936")
        #expect(bytes == [0xD3, 0xF1, 0xC3, 0xD7])
        #expect(TextRecoding.decode(bytes, from: "CP936") == "玉米")
        #expect(TextRecoding.isSupported("GB18030"))
    }
}
