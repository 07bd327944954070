import TestSupport
import Testing
import IrrigationModel
import Reports
@testable import Pipeline
import PlanarGeometry

/// `partition.bin`: what a part writes per parcel is what `merge` reads back, and a cut-off file
/// is an error, not fewer parcels.
@Suite struct PartitionFilesTests {
    static func parcel(id: String, unit: String?) -> Parcel {
        let ring = [Position(x: 112.7, y: 38.4), Position(x: 112.71, y: 38.4), Position(x: 112.71, y: 38.41), Position(x: 112.7, y: 38.4)]
        return Parcel(id: id, featureID: 7, crop: "小麦", landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: "ZS01", adminUnit: unit,
                      attributes: [], geometry: MultiPolygon(polygons: [Polygon(rings: [ring])]), areaSquareMetres: 4321.5, geometryRepaired: false)
    }

    @Test func recordsRoundTripAndTruncationIsAnError() throws {
        let parcels = [Self.parcel(id: "地块-1", unit: "晋源区"), Self.parcel(id: "P2", unit: nil)]
        let outcome = ParcelOutcome(zone: .restricted, cropClass: .drylandGrainOil, reasons: [.tierCautious], reviewReasons: [.soilNoData], soilReview: true,
                                    groundwaterReview: false, irrigationYearsLimit: 12.5, limitingElement: "cd", volumeM3PerHectare: nil)
        let row = SummaryFiles.SummaryAccumulator.Row(unit: "晋源区", zone: "restricted", cropClass: "dryland_grain_oil", hectares: 0.43215,
                                                      volumeM3PerHectare: nil, loadsPerHectare: SummaryFiles.SummaryAccumulator.loadKeys.map { $0 == "cd" ? 1.5 : nil },
                                                      soilReview: true, groundwaterReview: false, soilNoData: true, reviewReasons: outcome.reviewReasons)
        var writer = ByteWriter()
        PartitionRecords.encode(parcels[0], outcome, row, fullGeometry: true, into: &writer)
        PartitionRecords.encode(parcels[1], outcome, row, fullGeometry: false, into: &writer)

        var reader = ByteReader(bytes: writer.bytes)
        let first = try PartitionRecords.decode(from: &reader), second = try PartitionRecords.decode(from: &reader)
        #expect(reader.isAtEnd)
        #expect(first.parcel.id == "地块-1" && first.parcel.adminUnit == "晋源区" && first.parcel.sourceID == "ZS01" && first.parcel.areaSquareMetres == 4321.5)
        #expect(first.parcel.geometry == parcels[0].geometry, "the full shape when the report draws parcels one by one")
        #expect(second.parcel.adminUnit == nil && second.parcel.geometry.bounds! == parcels[1].geometry.bounds!, "else its box")
        #expect(first.outcome.zone == .restricted && first.outcome.reasons == [.tierCautious] && first.outcome.irrigationYearsLimit == 12.5
                && first.outcome.limitingElement == "cd" && first.outcome.volumeM3PerHectare == nil && first.outcome.soilReview)
        #expect(first.row == row)

        var cut = ByteReader(bytes: Array(writer.bytes.dropLast(3)))
        _ = try PartitionRecords.decode(from: &cut)
        #expect(throws: ByteReader.Failure.self) { try PartitionRecords.decode(from: &cut) }
    }
}
