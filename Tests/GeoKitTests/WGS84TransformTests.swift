import Foundation
import TestSupport
import Testing
@testable import GeoKit

/// The one route to WGS84: PROJ asked once per CRS, and each worker thread's own copy.
@Suite struct WGS84TransformTests {
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
            let prototype = try SharedWGS84Transform(from: crs)
            if !addresses.insert(ObjectIdentifier(prototype)).inserted { addressReused = true }
            let toGeographic = try prototype.forCurrentThread().toGeographic
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
