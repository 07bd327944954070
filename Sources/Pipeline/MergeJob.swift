import Foundation
import GeoKit
import Ingest
import IrrigationModel
import Reports
import RunSupport

/// `irrizone merge`: puts the parts of a partitioned run (`assess --shard i/N`, i = 0…N−1) back
/// together into the outputs one run over the whole layer writes.
///
/// - parcels.geojson and review.csv: the parts' files joined in part order (each part holds a
///   contiguous run of features, written in input order), byte for byte as one run writes them;
/// - summary.csv, sources, the counts in run.json and report.html: recomputed from every
///   parcel's record (`partition.bin`) in input order, so the sums are the same numbers;
/// - zones.geojson: the parts' zone pieces unioned across the parts' edges;
/// - rejects.csv: the parts' parcel rejects in order, then the monitoring rejects (the same in
///   every part).
/// Facts that every part must share (inputs, source verdicts, monitoring rejects) are checked.
public struct MergeJob {
    public var parts: [String]
    public var outputDirectory: String
    public var command: [String]
    public var progress: (@Sendable (String, Int?, Double) -> Void)?

    public init(parts: [String], outputDirectory: String, command: [String] = []) {
        self.parts = parts; self.outputDirectory = outputDirectory; self.command = command
    }

    struct Part {
        var directory: String
        var state: PartitionState
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    }

    /// The parts, checked to belong together → their per-parcel files joined → every parcel's
    /// record read → the zones' pieces dissolved → the tables, run.json and the report → publish.
    public func run() throws -> AssessSummary {
        let started = Date()
        GDALEnvironment.initialize()
        var timer = PhaseTimer(observer: progress)
        let parts = try timer.measure("read_parts") { try checkedParts() }
        let staging = try OutputStaging(outputDirectory: outputDirectory)
        // The parts' per-parcel files are joined on a thread of their own, bound by the disk,
        // while the records are read and the zones merged on the cores.
        let joining = joinPerParcelFiles(parts, staging: staging)
        do {
            return try mergeRecords(parts, joining: joining, staging: staging, started: started, timer: &timer)
        } catch {
            _ = joining.wait()  // nothing writes into staging once this returns
            throw error
        }
    }

    /// The merge but for the joined files: the records, zones, tables and report; waits for
    /// `joining` before publishing.
    private func mergeRecords(_ parts: [Part], joining: BackgroundWork<JoinSeconds>, staging: OutputStaging, started: Date,
                              timer: inout PhaseTimer) throws -> AssessSummary {
        let first = parts[0].state
        let (parcels, outcomes, summary) = try timer.measure("read_records") { try readRecords(parts) }
        try requireEachParcelOnce(parcels, parts: parts)

        let zones = try timer.measure("dissolve") { try DissolveStage.merge(pieces: parts.flatMap { $0.state.zonePieces }) }
        let sources = Self.sourcesServing(parcels, verdicts: first.sources)
        let rejects = parts.flatMap { $0.state.parcelRejects } + first.otherRejects
        var warnings: [String] = []
        for warning in parts.flatMap({ $0.state.warnings }) where !warnings.contains(warning) { warnings.append(warning) }
        warnings += AssessJob.overlapWarnings(parcels: parcels, zones: zones)

        let summaryRows = try timer.measure("write_summary_csv") { try summary.write(to: staging.path(for: "summary.csv")) }
        let sourcesOutput = try timer.measure("write_sources") {
            try SourcesFile.write(sources, parcels: parcels, geojsonPath: staging.path(for: "sources.geojson"), csvPath: staging.path(for: "sources.csv"))
        }
        let zonesWritten = try timer.measure("write_zones_geojson") { try ZonesFile.write(zones, to: staging.path(for: "zones.geojson")) }
        try timer.measure("write_rejects_csv") { try RejectsFile.write(rejects, to: staging.path(for: "rejects.csv")) }

        var manifest = mergedManifest(parts, started: started, outcomes: outcomes, sources: sources, zones: zones, warnings: warnings)
        manifest.outputs = ["parcels.geojson": parcels.count, "rejects.csv": rejects.count, sourcesOutput.name: sourcesOutput.count,
                            "zones.geojson": zonesWritten, "summary.csv": summaryRows, "review.csv": manifest.outputs["review.csv"] ?? 0, "report.html": 1]
        try timer.measure("write_report_html") {
            var input = ReportInput(
                language: first.language, generatedAt: ISO8601DateFormatter().string(from: started), toolVersion: IrrizoneVersion.current,
                sourceCRS: first.sourceCRS, parcels: parcels, outcomes: outcomes,
                reviewRows: Array(parts.flatMap { $0.state.reviewRows }.prefix(HTMLReport.reviewRowLimit)),
                reviewCount: parts.reduce(0) { $0 + $1.state.reviewCount }, sources: sources,
                wells: first.wells.map { ($0.id, $0.location) }, exclusionAreas: first.exclusionAreas.map { ($0.name, $0.shape) }, zones: zones,
                targets: first.targets, standards: first.standards, rejected: ReportInput.Rejected.counts(of: rejects), coverage: manifest.linking,
                inputs: manifest.inputs.map { ReportInput.InputFile(role: $0.role, path: $0.path, sha256: $0.sha256, sizeBytes: $0.sizeBytes) },
                parameters: first.parameters.map { ($0[0], $0[1]) }, year: first.year, warnings: warnings)
            input.assumedUnits = first.manifest.assumedUnits
            try Data(Credentials.redact(HTMLReport.render(input)).utf8).write(to: URL(fileURLWithPath: staging.path(for: "report.html")))
        }
        let joined = try timer.measure("wait_for_joined_files") { try joining.wait().get() }
        timer.record("join_parcels_geojson", seconds: joined.parcels)
        timer.record("join_review_csv", seconds: joined.review)
        manifest.timingsSeconds = timer.asDictionary
        try manifest.encoded().write(to: URL(fileURLWithPath: staging.path(for: "run.json")))
        try staging.commit()
        return AssessSummary(outputDirectory: outputDirectory, manifest: manifest)
    }

    /// How long each join took, seconds.
    struct JoinSeconds: Sendable { var parcels = 0.0, review = 0.0 }

    /// parcels.geojson and review.csv: the parts' files joined, each part's features as they are,
    /// on a thread of its own.
    private func joinPerParcelFiles(_ parts: [Part], staging: OutputStaging) -> BackgroundWork<JoinSeconds> {
        let parcelFiles = parts.map { $0.path("parcels.geojson") }, reviewFiles = parts.map { $0.path("review.csv") }
        let partsWithParcels = parts.filter { $0.state.manifest.counts.accepted > 0 }.count
        let parcelsTarget = staging.path(for: "parcels.geojson"), reviewTarget = staging.path(for: "review.csv")
        return BackgroundWork {
            var seconds = JoinSeconds()
            var start = DispatchTime.now().uptimeNanoseconds
            let partsWithFeatures = try Self.join(parcelFiles, header: Array(GeoJSONWriter.header(name: "parcels").bytes),
                                                  footer: Array(GeoJSONWriter.footer.utf8), separator: Array(GeoJSONWriter.featureSeparator.utf8),
                                                  to: parcelsTarget)
            guard partsWithFeatures == partsWithParcels else {
                throw MergeError.inconsistent("parcels.geojson", "a part's file holds no features although its run.json counts accepted parcels")
            }
            seconds.parcels = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            start = DispatchTime.now().uptimeNanoseconds
            _ = try Self.join(reviewFiles, header: CSVWriter.headerBytes(SummaryFiles.reviewHeader), footer: [], separator: [], to: reviewTarget)
            seconds.review = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return seconds
        }
    }

    /// Every parcel's record, in input order, and the summary's sums added in that order.
    private func readRecords(_ parts: [Part]) throws -> (parcels: [Parcel], outcomes: [ParcelOutcome], summary: SummaryFiles.SummaryAccumulator) {
        let expected = parts.reduce(0) { $0 + $1.state.manifest.counts.accepted }
        var parcels: [Parcel] = [], outcomes: [ParcelOutcome] = []
        parcels.reserveCapacity(expected); outcomes.reserveCapacity(expected)
        var summary = SummaryFiles.SummaryAccumulator()
        var outcomeLists = OutcomeLists()
        for part in parts {
            let path = part.path(PartitionState.recordsFileName)
            guard let data = FileManager.default.contents(atPath: path) else { throw MergeError.missingFile(path) }
            var reader = ByteReader(bytes: Array(data))
            var count = 0
            while !reader.isAtEnd {
                let record: PartitionRecords.Record
                do { record = try PartitionRecords.decode(from: &reader) } catch { throw MergeError.unreadable(path, "record \(count + 1): \(error)") }
                parcels.append(record.parcel); outcomes.append(outcomeLists.sharing(record.outcome)); summary.add(record.row)
                count += 1
            }
            guard count == part.state.manifest.counts.accepted else {
                throw MergeError.unreadable(path, "\(count) parcel records, but run.json counts \(part.state.manifest.counts.accepted) accepted parcels")
            }
        }
        return (parcels, outcomes, summary)
    }

    /// Every parcel in exactly one part (issue #23): parts are runs of features in the layer's
    /// reading order, and a layer whose order changed between parts (an UPDATE in a database)
    /// gave one parcel to two parts and none to another.
    private func requireEachParcelOnce(_ parcels: [Parcel], parts: [Part]) throws {
        guard !parts.contains(where: { $0.state.layerHasDuplicateIDs }) else { return }
        var seen = Set<String>(minimumCapacity: parcels.count), repeated: [String] = []
        for parcel in parcels where !seen.insert(parcel.id).inserted { repeated.append(parcel.id) }
        guard repeated.isEmpty else {
            throw MergeError.inconsistent("the parts", "\(repeated.count) parcel id(s) are in more than one part (\(repeated.prefix(5).joined(separator: ", "))…): the layer's order changed between the parts' runs, so some parcels are in no part. Run every part again on an unchanging layer")
        }
    }

    /// The sources: the verdicts are the parts' (checked equal); the parcels served are counted again.
    static func sourcesServing(_ parcels: [Parcel], verdicts: [SourceAssessment]) -> [SourceAssessment] {
        var parcelsBySource: [String: [Int]] = [:]
        for (index, parcel) in parcels.enumerated() { if let id = parcel.sourceID { parcelsBySource[id, default: []].append(index) } }
        return verdicts.map { source in
            var merged = source
            merged.parcelIndices = parcelsBySource[source.sourceID] ?? []
            merged.areaServedHectares = merged.parcelIndices.reduce(0) { $0 + parcels[$1].areaHectares }
            return merged
        }
    }

    /// The first part's run.json with the counts, repairs, coverage, assessment and parts of all;
    /// `outputs` holds review.csv's rows summed over the parts.
    private func mergedManifest(_ parts: [Part], started: Date, outcomes: [ParcelOutcome], sources: [SourceAssessment],
                                zones: [ZonePolygon], warnings: [String]) -> RunManifest {
        var manifest = parts[0].state.manifest
        manifest.startedAt = ISO8601DateFormatter().string(from: started)
        manifest.command = command
        manifest.counts = mergedCounts(parts.map { $0.state.manifest.counts })
        manifest.repairs = Array(parts.flatMap { $0.state.manifest.repairs }.prefix(RunManifest.repairListLimit))
        manifest.linking = mergedCoverage(parts.map { $0.state.coverage })
        manifest.assessment.count(outcomes: outcomes, sources: sources, zones: zones)
        manifest.outputs = ["review.csv": parts.reduce(0) { $0 + ($1.state.manifest.outputs["review.csv"] ?? 0) }]
        manifest.warnings = warnings
        manifest.parts = parts.map { part in
            RunManifest.Part(shard: part.state.shard.description, directory: part.directory, command: part.state.manifest.command,
                             startedAt: part.state.manifest.startedAt, features: part.state.featureCount, timingsSeconds: part.state.manifest.timingsSeconds)
        }
        return manifest
    }

    /// Reads every part's state and checks that they are the N parts of one run, in order.
    func checkedParts() throws -> [Part] {
        guard !parts.isEmpty else { throw MergeError.noParts }
        let read = try parts.map { Part(directory: $0, state: try PartitionState.read(from: $0)) }.sorted { $0.state.shard.index < $1.state.shard.index }
        let first = read[0]
        let count = first.state.shard.count
        for part in read {
            guard part.state.shard.count == count else {
                throw MergeError.mismatch("the number of parts (\(first.state.shard) against \(part.state.shard))", first.directory, part.directory)
            }
            guard part.state.parcelFile == "parcels.geojson" else { throw MergeError.geopackagePart(part.directory) }
        }
        for (a, b) in zip(read, read.dropFirst()) where a.state.shard.index == b.state.shard.index {
            throw MergeError.duplicatePart(a.state.shard.description, a.directory, b.directory)
        }
        let missing = Set(0..<count).subtracting(read.map { $0.state.shard.index }).sorted()
        guard missing.isEmpty else { throw MergeError.missingParts(missing.map { "\($0)/\(count)" }, count) }

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func same<T: Encodable>(_ value: @escaping (PartitionState) -> T) throws -> (PartitionState) throws -> Bool {
            let reference = try encoder.encode(value(first.state))
            return { try encoder.encode(value($0)) == reference }
        }
        let checks: [(String, (PartitionState) throws -> Bool)] = [
            ("the features in the layer", try same(\.layerFeatures)),
            ("the input files (size and SHA-256)", try same { $0.manifest.inputs.map { [$0.role, $0.sha256] } }),
            ("the configuration", try same(\.manifest.configuration)),
            ("the monitoring files' reports", try same(\.manifest.monitoring)),
            ("the monitoring rejects", try same(\.otherRejects)),
            ("the sources' verdicts", try same { $0.sources.map { [$0.sourceID, $0.effective.status.rawValue] + $0.classesServed.map(\.rawValue) } }),
            ("the standards", try same(\.standards)),
        ]
        var nextFeature = 0
        for part in read {
            for (what, isSame) in checks where try !isSame(part.state) { throw MergeError.mismatch(what, first.directory, part.directory) }
            guard part.state.firstFeature == nextFeature else {
                throw MergeError.inconsistent(part.directory, "part \(part.state.shard) starts at feature \(part.state.firstFeature), expected \(nextFeature)")
            }
            nextFeature += part.state.featureCount
        }
        guard nextFeature == first.state.layerFeatures else {
            throw MergeError.inconsistent(read.last!.directory, "the parts cover \(nextFeature) of the layer's \(first.state.layerFeatures) features")
        }
        return read
    }

    /// Writes `header`, the bytes of each file between its own header and footer (joined by
    /// `separator` where both sides are non-empty), and `footer`. Returns the number of files
    /// with content.
    static func join(_ files: [String], header: [UInt8], footer: [UInt8], separator: [UInt8], to target: String) throws -> Int {
        // Written by `DiskWriter` (around the page cache, on a thread of its own) while the next
        // bytes are read: the join runs at the disk's speed (docs/scaling.md, "Partitioned runs").
        let out = try DiskWriter(path: target)
        header.withUnsafeBytes { out.append($0) }
        var nonEmpty = 0
        let bufferSize = 8 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 4096)
        defer { buffer.deallocate() }
        for file in files {
            guard let input = FileHandle(forReadingAtPath: file) else { throw MergeError.missingFile(file) }
            defer { try? input.close() }
            let size = Int(try input.seekToEnd())
            let start = header.count, end = size - footer.count
            try input.seek(toOffset: 0)
            guard end >= start, try input.read(upToCount: header.count).map(Array.init) ?? [] == header else {
                throw MergeError.unreadable(file, "does not start as irrizone writes it")
            }
            try input.seek(toOffset: UInt64(end))
            guard try input.readToEnd().map(Array.init) ?? [] == footer else { throw MergeError.unreadable(file, "does not end as irrizone writes it") }
            guard end > start else { continue }
            if nonEmpty > 0 { separator.withUnsafeBytes { out.append($0) } }
            nonEmpty += 1
            var offset = start
            while offset < end {
                let count = pread(input.fileDescriptor, buffer.baseAddress, min(end - offset, bufferSize), off_t(offset))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw MergeError.unreadable(file, count == 0 ? "ended early" : String(cString: strerror(errno))) }
                out.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                offset += count
            }
        }
        footer.withUnsafeBytes { out.append($0) }
        try out.finish()
        try out.synchronize()
        try out.close()
        return nonEmpty
    }

    func mergedCounts(_ counts: [RunManifest.ParcelCounts]) -> RunManifest.ParcelCounts {
        RunManifest.ParcelCounts(featuresIn: counts.reduce(0) { $0 + $1.featuresIn }, accepted: counts.reduce(0) { $0 + $1.accepted },
                                 repaired: counts.reduce(0) { $0 + $1.repaired }, rejected: counts.reduce(0) { $0 + $1.rejected },
                                 rejectedByCode: counts.reduce(into: [:]) { total, c in total.merge(c.rejectedByCode, uniquingKeysWith: +) })
    }

    func mergedCoverage(_ parts: [LinkCoverage?]) -> LinkCoverage? {
        let present = parts.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        var total = LinkCoverage()
        for c in present {
            total.parcels += c.parcels; total.withKnownSource += c.withKnownSource; total.withUnknownSource += c.withUnknownSource
            total.withoutSourceID += c.withoutSourceID; total.sourceFromServiceArea += c.sourceFromServiceArea
            total.soilMeasured += c.soilMeasured; total.soilEstimated += c.soilEstimated; total.soilNone += c.soilNone
            total.withWell += c.withWell; total.withIrrigationRecords += c.withIrrigationRecords; total.withProduceSamples += c.withProduceSamples
        }
        total.unknownSourceIDs = Array(Set(present.flatMap(\.unknownSourceIDs))).sorted()
        return total
    }
}

/// Why parts cannot be merged; nothing is written then.
public enum MergeError: Error, CustomStringConvertible {
    case noParts
    case notAPart(String)
    case unreadable(String, String)
    case missingFile(String)
    case missingParts([String], Int)
    case duplicatePart(String, String, String)
    case mismatch(String, String, String)
    case inconsistent(String, String)
    case geopackagePart(String)

    public var description: String {
        switch self {
        case .noParts: "merge: name the output folders of the parts (assess --shard i/N --out DIR)"
        case .notAPart(let directory): "\(directory): no partition.json; not the output of `irrizone assess --shard i/N`"
        case let .unreadable(path, reason): "\(path): \(reason)"
        case .missingFile(let path): "\(path): missing; the part's output folder is incomplete (run the part again)"
        case let .missingParts(missing, count): "parts \(missing.joined(separator: ", ")) of \(count) are missing: merge needs every part of the run"
        case let .duplicatePart(shard, a, b): "part \(shard) given twice: \(a) and \(b)"
        case let .mismatch(what, a, b): "\(a) and \(b) differ in \(what): they are not parts of the same run (same inputs, same options)"
        case let .inconsistent(what, reason): "\(what): \(reason)"
        case .geopackagePart(let directory): "\(directory): parts must write parcels.geojson (the default --format) to be merged"
        }
    }
}
