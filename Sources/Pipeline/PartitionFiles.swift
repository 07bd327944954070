import Foundation
import GeoKit
import Ingest
import IrrigationModel
import Reports
import PlanarGeometry

/// What one part of a partitioned run (`assess --shard i/N`) leaves for `irrizone merge`,
/// besides its ordinary outputs: `partition.json` (this state) and `partition.bin` (one record per
/// parcel, `PartitionRecords`). Everything here is either the same in every part (sources'
/// verdicts, standards, monitoring reports: `merge` checks that) or belongs to this part alone
/// (its parcels, rejects, zone pieces, review rows), so the merge can rebuild the outputs of one
/// run over the whole layer.
struct PartitionState: Codable {
    static let fileName = "partition.json"
    static let recordsFileName = "partition.bin"
    /// Bumped when the layout changes: `merge` refuses parts written by another layout.
    static let currentFormat = 4  // 4: outcomes carry produce review and irrigation methods (issue #27)

    struct Well: Codable { var id: String; var location: Position }
    struct Exclusion: Codable { var name: String; var shape: MultiPolygon }

    var format = PartitionState.currentFormat
    var shard: Shard
    /// This part's features: [first, first + count) in the layer's reading order.
    var firstFeature: Int
    var featureCount: Int
    var layerFeatures: Int
    /// Whether the layer itself holds a parcel id more than once (then `merge` cannot check that
    /// every parcel is in exactly one part by its id).
    var layerHasDuplicateIDs: Bool
    /// Whether partition.bin carries every parcel's shape (the report draws parcels one by one
    /// up to `SVGMap.parcelLimit`), else only its bounding box.
    var fullGeometry: Bool
    var parcelFile: String
    var ellipsoid: Ellipsoid
    var manifest: RunManifest
    var parcelRejects: [Reject]
    /// Monitoring rejects: the same in every part.
    var otherRejects: [Reject]
    var sources: [SourceAssessment]
    /// This part's parcels dissolved per (zone, crop class); `merge` unions them across parts.
    var zonePieces: [ZonePolygon]
    var warnings: [String]

    // What report.html needs besides the parcels.
    var language: ReportLanguage
    var generatedAt: String
    var sourceCRS: String
    var wells: [Well]
    var exclusionAreas: [Exclusion]
    var targets: [ReportInput.Target]
    var standards: ReportInput.Standards
    var parameters: [[String]]
    var year: Int?
    var reviewRows: [[String]]
    var reviewCount: Int
    var coverage: LinkCoverage?

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    static func read(from directory: String) throws -> PartitionState {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { throw MergeError.notAPart(directory) }
        let state: PartitionState
        do { state = try JSONDecoder().decode(PartitionState.self, from: data) } catch {
            throw MergeError.unreadable(path, "\(error)")
        }
        guard state.format == currentFormat else { throw MergeError.unreadable(path, "written by another version of irrizone (layout \(state.format), this one reads \(currentFormat))") }
        return state
    }
}

/// `partition.bin`: per parcel, in input order, what the merged outputs need: identity, area,
/// shape (or bounding box), outcome and summary row. Binary, because a part of a province holds
/// millions of parcels; little-endian, strings as UTF-8 with a length.
enum PartitionRecords {
    static func encode(_ parcel: Parcel, _ outcome: ParcelOutcome, _ row: SummaryFiles.SummaryAccumulator.Row, fullGeometry: Bool, into out: inout ByteWriter) {
        out.string(parcel.id); out.optionalString(parcel.adminUnit); out.optionalString(parcel.sourceID)
        out.double(parcel.areaSquareMetres)
        if fullGeometry {
            out.geometry(parcel.geometry)
        } else if let b = parcel.bounds {
            // The report's map only needs the bounding box above SVGMap.parcelLimit parcels.
            let corners = [Position(x: b.minX, y: b.minY), Position(x: b.maxX, y: b.minY), Position(x: b.maxX, y: b.maxY),
                           Position(x: b.minX, y: b.maxY), Position(x: b.minX, y: b.minY)]
            out.geometry(MultiPolygon(polygons: [Polygon(rings: [corners])]))
        } else {
            out.geometry(MultiPolygon(polygons: []))
        }
        out.string(outcome.zone.rawValue); out.string(outcome.cropClass.rawValue)
        out.strings(outcome.reasons.map(\.rawValue)); out.strings(outcome.reviewReasons.map(\.rawValue))
        out.bool(outcome.soilReview); out.bool(outcome.groundwaterReview); out.bool(outcome.produceReview)
        out.optionalString(outcome.recommendedMethod); out.bool(outcome.methodNotAllowed)
        out.optionalDouble(outcome.irrigationYearsLimit); out.optionalString(outcome.limitingElement); out.optionalDouble(outcome.volumeM3PerHectare)
        out.string(row.unit); out.double(row.hectares)
        out.int(row.loadsPerHectare.count)
        for load in row.loadsPerHectare { out.optionalDouble(load) }
        out.bool(row.soilNoData)
    }

    struct Record {
        var parcel: Parcel
        var outcome: ParcelOutcome
        var row: SummaryFiles.SummaryAccumulator.Row
    }

    static func decode(from input: inout ByteReader) throws -> Record {
        let id = try input.string(), adminUnit = try input.optionalString(), sourceID = try input.optionalString()
        let area = try input.double()
        let geometry = try input.geometry()
        let zoneText = try input.string(), classText = try input.string()
        guard let zone = Zone(rawValue: zoneText), let cropClass = CropClass(rawValue: classText) else { throw ByteReader.Failure.badValue("zone \(zoneText), class \(classText)") }
        let reasons = try input.strings().map { text throws -> ZoneReason in
            guard let reason = ZoneReason(rawValue: text) else { throw ByteReader.Failure.badValue("reason \(text)") }
            return reason
        }
        let reviewReasons = try input.strings().map { text throws -> FindingCode in
            guard let code = FindingCode(rawValue: text) else { throw ByteReader.Failure.badValue("review reason \(text)") }
            return code
        }
        let soilReview = try input.bool(), groundwaterReview = try input.bool(), produceReview = try input.bool()
        let recommendedMethod = try input.optionalString(), methodNotAllowed = try input.bool()
        let years = try input.optionalDouble(), element = try input.optionalString(), volume = try input.optionalDouble()
        let unit = try input.string(), hectares = try input.double()
        let loadCount = try input.int()
        var loads: [Double?] = []
        for _ in 0..<loadCount { loads.append(try input.optionalDouble()) }
        let soilNoData = try input.bool()
        let parcel = Parcel(id: id, featureID: nil, crop: nil, landUseCode: nil, landUseName: nil, soilPH: nil, sourceID: sourceID, adminUnit: adminUnit,
                            attributes: [], geometry: geometry, areaSquareMetres: area, geometryRepaired: false)
        let outcome = ParcelOutcome(zone: zone, cropClass: cropClass, reasons: reasons, reviewReasons: reviewReasons, soilReview: soilReview,
                                    groundwaterReview: groundwaterReview, produceReview: produceReview,
                                    recommendedMethod: recommendedMethod, methodNotAllowed: methodNotAllowed, irrigationYearsLimit: years, limitingElement: element, volumeM3PerHectare: volume)
        let row = SummaryFiles.SummaryAccumulator.Row(unit: unit, zone: zoneText, cropClass: classText, hectares: hectares, volumeM3PerHectare: volume,
                                                      loadsPerHectare: loads, soilReview: soilReview, groundwaterReview: groundwaterReview, produceReview: produceReview, soilNoData: soilNoData,
                                                      reviewReasons: reviewReasons)
        return Record(parcel: parcel, outcome: outcome, row: row)
    }
}

/// Appends little-endian values to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func int(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func double(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func string(_ value: String) { let utf8 = Array(value.utf8); int(utf8.count); bytes += utf8 }
    mutating func strings(_ values: [String]) { int(values.count); for value in values { string(value) } }
    mutating func optionalString(_ value: String?) { bool(value != nil); if let value { string(value) } }
    mutating func optionalDouble(_ value: Double?) { bool(value != nil); if let value { double(value) } }
    mutating func geometry(_ shape: MultiPolygon) {
        int(shape.polygons.count)
        for polygon in shape.polygons {
            int(polygon.rings.count)
            for ring in polygon.rings { int(ring.count); for p in ring { double(p.x); double(p.y) } }
        }
    }
}

/// Reads what `ByteWriter` wrote; throws on a truncated or inconsistent buffer.
struct ByteReader {
    enum Failure: Error, CustomStringConvertible {
        case truncated(at: Int)
        case badValue(String)
        var description: String {
            switch self {
            case .truncated(let offset): "the file ends in the middle of a record (byte \(offset))"
            case .badValue(let text): "unexpected value: \(text)"
            }
        }
    }

    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset >= bytes.count }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else { throw Failure.truncated(at: offset) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    private mutating func word() throws -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func int() throws -> Int { Int(Int64(bitPattern: try word())) }
    mutating func double() throws -> Double { Double(bitPattern: try word()) }
    mutating func bool() throws -> Bool { try take(1).first! != 0 }
    mutating func string() throws -> String { String(decoding: try take(try int()), as: UTF8.self) }
    mutating func strings() throws -> [String] { try (0..<(try int())).map { _ in try string() } }
    mutating func optionalString() throws -> String? { try bool() ? try string() : nil }
    mutating func optionalDouble() throws -> Double? { try bool() ? try double() : nil }
    mutating func geometry() throws -> MultiPolygon {
        var polygons: [Polygon] = []
        for _ in 0..<(try int()) {
            var rings: [[Position]] = []
            for _ in 0..<(try int()) {
                let count = try int()
                var ring: [Position] = []
                ring.reserveCapacity(max(0, min(count, 1 << 20)))
                for _ in 0..<count { ring.append(Position(x: try double(), y: try double())) }
                rings.append(ring)
            }
            polygons.append(Polygon(rings: rings))
        }
        return MultiPolygon(polygons: polygons)
    }
}
