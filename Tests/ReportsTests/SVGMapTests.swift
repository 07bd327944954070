import Foundation
import TestSupport
import Testing
@testable import IrrigationModel
@testable import Reports
import PlanarGeometry

/// The report's map of a layer too large for outlines: a picture whose pixels take the strictest
/// zone of their parcels (issue #26), read back through GDAL.
@Suite struct SVGMapTests {
    static func parcel(_ id: String, lon: Double, lat: Double, side: Double, area: Double) -> Parcel {
        let ring = [Position(x: lon, y: lat), Position(x: lon + side, y: lat), Position(x: lon + side, y: lat + side),
                    Position(x: lon, y: lat + side), Position(x: lon, y: lat)]
        return Parcel(id: id, featureID: nil, crop: nil, landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: nil, adminUnit: nil,
                      attributes: [], geometry: MultiPolygon(polygons: [Polygon(rings: [ring])]), areaSquareMetres: area, geometryRepaired: false)
    }

    static func outcome(_ zone: Zone) -> ParcelOutcome {
        ParcelOutcome(zone: zone, cropClass: .drylandGrainOil, reasons: [], reviewReasons: [], soilReview: false, groundwaterReview: false,
                      irrigationYearsLimit: nil, limitingElement: nil, volumeM3PerHectare: nil)
    }

    @Test func eachPixelTakesTheStrictestZoneOfItsParcels() throws {
        // A and B share a pixel (A suitable and larger, B prohibited); C is alone at the far corner.
        let parcels = [Self.parcel("A", lon: 113.0, lat: 38.0, side: 0.0001, area: 900), Self.parcel("B", lon: 113.00002, lat: 38.00002, side: 0.00005, area: 100),
                       Self.parcel("C", lon: 113.2, lat: 38.1, side: 0.0001, area: 50)]
        let input = ReportInput(language: .zh, generatedAt: "", toolVersion: "", sourceCRS: "", parcels: parcels,
                                outcomes: [Self.outcome(.suitable), Self.outcome(.prohibited), Self.outcome(.restricted)], reviewRows: [], reviewCount: 0,
                                sources: [], wells: [], exclusionAreas: [], zones: [], targets: [], standards: .init(try StandardsCatalog.bundled()),
                                rejected: [], coverage: nil, inputs: [], parameters: [], year: nil, warnings: [])
        let map = SVGMap(input: input)
        let image = try #require(map.zonePicture())
        let base64 = try #require(image.split(separator: ",").last?.split(separator: "\"").first)
        let path = try temporaryDirectory("map") + "/map.png"
        try #require(Data(base64Encoded: String(base64))).write(to: URL(fileURLWithPath: path))

        func pixel(_ p: Position) throws -> [Int] {
            let (x, y) = map.point(p)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/gdallocationinfo")
            process.arguments = ["-valonly", path, String(Int(x)), String(Int(y))]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            process.waitUntilExit()
            return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        }
        #expect(try pixel(Position(x: 113.00005, y: 38.00005)) == [0xe5, 0x39, 0x35, 255], "prohibited: B is not hidden by the larger A")
        #expect(try pixel(Position(x: 113.20005, y: 38.10005)) == [0xfb, 0xc0, 0x2d, 255], "restricted")
        #expect(try pixel(Position(x: 113.1, y: 38.05)) == [0, 0, 0, 0], "no parcel: transparent")
        #expect(image.hasPrefix("<image x=\"0\" y=\"0\" width=\"1000\""))
    }
}
