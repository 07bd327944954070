import Foundation
import GeoKit
import IrrigationModel
import Reports
import RunSupport

/// A run's parcel verdicts, for comparing runs (issue #25): kept by each run in its own folder
/// (`parcel-states.tsv`, beside its outputs, not one of them), read back from there, or from a
/// parcels file or a database where a run has none.
enum ParcelStates {
    static let fileName = "parcel-states.tsv"
    static let header = "parcel_id\tzone\tirrigation_years_limit\tunder_review\tzone_reasons\treview_reasons"

    // MARK: - The run's own file

    /// One line per parcel, tab-separated; a tab, newline or backslash in a parcel id escaped.
    /// Made on all cores from the run's parcels and outcomes (docs/scaling.md).
    static func write(parcels: [Parcel], outcomes: [ParcelOutcome], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data((header + "\n").utf8)),
              let file = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { try? file.close() }
        try file.seekToEnd()
        // A batch of lines at a time (made on all cores), so that only a batch is in memory.
        let batch = 262_144
        for start in stride(from: 0, to: parcels.count, by: batch) {
            let end = min(start + batch, parcels.count)
            let pieces = parallelChunks(count: end - start, chunkSize: 32_768) { range -> [[UInt8]] in
                [lines(parcels: parcels, outcomes: outcomes, range: (start + range.lowerBound)..<(start + range.upperBound))]
            }
            for piece in pieces { try file.write(contentsOf: piece) }
        }
    }

    private static func lines(parcels: [Parcel], outcomes: [ParcelOutcome], range: Range<Int>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count * 64)
        for index in range {
            let outcome = outcomes[index]
            bytes.append(contentsOf: escape(parcels[index].id).utf8)
            bytes.append(0x09)
            bytes.append(contentsOf: outcome.zone.rawValue.utf8)
            bytes.append(0x09)
            if let years = outcome.irrigationYearsLimit { bytes.append(contentsOf: JSONText.number((years * 10).rounded() / 10).utf8) }
            bytes.append(0x09)
            bytes.append(outcome.underReview ? 0x31 : 0x30)
            bytes.append(0x09)
            for (n, reason) in outcome.reasons.enumerated() {
                if n > 0 { bytes.append(0x2C) }
                bytes.append(contentsOf: reason.rawValue.utf8)
            }
            bytes.append(0x09)
            for (n, reason) in outcome.reviewReasons.enumerated() {
                if n > 0 { bytes.append(0x2C) }
                bytes.append(contentsOf: reason.rawValue.utf8)
            }
            bytes.append(0x0A)
        }
        return bytes
    }

    static func read(_ path: String) throws -> [ParcelState] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var states: [ParcelState] = []
        var lists = SharedValues<Substring, [String]>()  // a million states hold a few hundred distinct lists
        var number = 0, rest = text[...]
        // Line by line (not split into an array of a million lines first).
        while !rest.isEmpty {
            let end = rest.firstIndex(of: "\n") ?? rest.endIndex
            let line = rest[..<end]
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            guard !line.isEmpty else { continue }  // empty lines are not counted
            defer { number += 1 }
            guard number > 0 else { continue }  // the header
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
            // Every cell as this file writes it, else the file is damaged: a review flag or a
            // zone that does not read is not taken as "cleared" or "no zone".
            guard cells.count == 6, let zone = Zone(rawValue: String(cells[1])), cells[3] == "0" || cells[3] == "1",
                  cells[2].isEmpty || Double(cells[2]) != nil else { throw DiffError.damagedStates(path: path, line: number + 1) }
            states.append(ParcelState(parcelID: unescape(cells[0]), zone: zone, zoneReasons: lists.value(for: cells[4], making: list),
                                      irrigationYearsLimit: Double(cells[2]), underReview: cells[3] == "1", reviewReasons: lists.value(for: cells[5], making: list)))
        }
        return states
    }

    /// This run's states, with equal reason lists shared.
    static func current(parcels: [Parcel], outcomes: [ParcelOutcome]) -> [ParcelState] {
        var zoneReasons = SharedValues<[ZoneReason], [String]>(), reviewReasons = SharedValues<[FindingCode], [String]>()
        return parcels.indices.map { index in
            let outcome = outcomes[index]
            return ParcelState(parcelID: parcels[index].id, outcome, zoneReasons: zoneReasons.value(for: outcome.reasons) { $0.map(\.rawValue) },
                               reviewReasons: reviewReasons.value(for: outcome.reviewReasons) { $0.map(\.rawValue) })
        }
    }

    /// A list cell's reasons.
    private static func list(_ cell: Substring) -> [String] { cell.isEmpty ? [] : cell.split(separator: ",").map(String.init) }

    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\\" || $0 == "\r" }) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var result = "", escaping = false
        for character in text {
            if escaping {
                result.append(character == "t" ? "\t" : character == "n" ? "\n" : character == "r" ? "\r" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    // MARK: - A parcels layer (an output folder without the file, or a database)

    /// The states of a parcels layer as irrizone wrote it: `parcels.geojson`, a GeoPackage's
    /// `parcels`, or a database's `irrizone_parcels` filtered to one run.
    static func read(layerOf dataset: Dataset, named name: String?, runID: String? = nil, source: String) throws -> [ParcelState] {
        guard let layer = name.map({ dataset.layer(named: $0) }) ?? dataset.layer(at: 0) else {
            throw DiffError.noParcels(source)
        }
        if let runID { try layer.setAttributeFilter("run_id = '\(runID.replacingOccurrences(of: "'", with: "''"))'") }
        let reviews = ["soil_review", "groundwater_review", "produce_review"]
        let wanted = ["parcel_id", "zone", "zone_reasons", "irrigation_years_limit", "review_reasons"] + reviews
        let names = layer.fields.map(\.name)
        // Without a review column a parcel's review could only be guessed (as cleared): refused.
        guard (["parcel_id", "zone", "irrigation_years_limit"] + reviews).allSatisfy(names.contains) else { throw DiffError.noParcels(source) }
        try? layer.setIgnoredFields(names.filter { !wanted.contains($0) } + ["OGR_GEOMETRY", "OGR_STYLE"])
        let index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var states: [ParcelState] = []
        try layer.forEachFeature { feature in
            func text(_ field: String) -> String? {
                guard let i = index[field], case .string(let value) = feature.value(at: i) else { return nil }
                return value
            }
            func flag(_ field: String) -> Bool {
                guard let i = index[field] else { return false }
                switch feature.value(at: i) { case .boolean(let b): return b; case .integer(let n): return n != 0; default: return false }
            }
            var years: Double? = nil
            if let i = index["irrigation_years_limit"] {
                switch feature.value(at: i) { case .real(let v): years = v; case .integer(let v): years = Double(v); default: break }
            }
            let reviewReasons = list(text("review_reasons"))
            states.append(ParcelState(
                parcelID: text("parcel_id") ?? "", zone: text("zone").flatMap(Zone.init(rawValue:)), zoneReasons: list(text("zone_reasons")),
                irrigationYearsLimit: years,
                underReview: reviews.contains(where: flag),
                reviewReasons: reviewReasons))
        }
        return states
    }

    /// A list field as GDAL gives it: JSON text (`["A","B"]`, GeoPackage and PostGIS) or a
    /// string list (`(2:A,B)`, GeoJSON).
    static func list(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        if text.hasPrefix("["), let data = text.data(using: .utf8), let array = try? JSONSerialization.jsonObject(with: data) as? [String] {
            return array
        }
        if text.hasPrefix("("), let colon = text.firstIndex(of: ":"), text.hasSuffix(")") {
            let body = text[text.index(after: colon)..<text.index(before: text.endIndex)]
            return body.isEmpty ? [] : body.split(separator: ",").map(String.init)
        }
        return [text]
    }
}

/// Why two runs cannot be compared.
public enum DiffError: Error, CustomStringConvertible {
    case notARun(String)
    case noParcels(String)
    case damagedStates(path: String, line: Int)
    case unknownRun(String, database: String, known: [String])

    public var description: String {
        switch self {
        case .notARun(let path):
            "\(path) holds no irrizone run: expected an output folder of `irrizone assess` (with run.json and parcels.geojson or parcels.gpkg), or a run id with --db"
        case .noParcels(let source):
            "\(source) has no parcels layer as irrizone writes it (parcel_id, zone, irrigation_years_limit, soil_review, groundwater_review, produce_review)"
        case let .damagedStates(path, line):
            "\(path), line \(line): not a line of parcel states (6 tab-separated fields: parcel id, zone, years or empty, review 0 or 1, reasons, review reasons); the file is damaged: compare the runs' parcel files instead by removing it"
        case let .unknownRun(run, database, known):
            "\(database) has no run \(run); its runs are: \(known.suffix(10).joined(separator: ", ")) (or say latest, previous)"
        }
    }
}
