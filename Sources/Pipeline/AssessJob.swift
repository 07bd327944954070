import Foundation
import GeoKit
import Ingest
import IrrigationModel
import Reports
import PlanarGeometry
import RunSupport
import Synchronization

/// Everything `assess` and `check` need to know, after flags and project file are merged.
public struct AssessOptions: Sendable {
    public var parcels: ParcelInputOptions
    public var monitoring: MonitoringOptions
    public var linking: LinkingOptions
    /// CRS of x/y columns in monitoring tables (default: the parcels' CRS).
    public var samplesCRS: String?
    /// Polygons with a source id, for parcels that name no source.
    public var serviceAreas: ParcelInputOptions?
    public var outputDirectory: String
    public var projectFile: String?
    /// The command line, recorded in run.json.
    public var command: [String]
    /// "Today", for rejecting future-dated samples (injected in tests).
    public var today: CalendarDate
    public var rules = RuleOptions()
    public var output = OutputOptions()
    /// Run one part of the parcels (`--shard i/N`); `irrizone merge` combines the parts.
    public var shard: Shard?
    /// False: the run's data (parcels, links, outcomes) is kept until the process exits instead
    /// of being freed piece by piece when the run returns; for the command line, which exits
    /// right after (freeing a million parcels took about a second of one core).
    public var freesDataOnReturn = true
    /// GDAL configuration options (`--config KEY VALUE`, project `gdal_config:`), set before
    /// anything is opened.
    public var gdalConfig: [String: String] = [:]

    /// Sets the GDAL configuration options of the run (once, before the first dataset opens).
    func applyGDALConfig() {
        GDALEnvironment.initialize()
        for (key, value) in gdalConfig.sorted(by: { $0.key < $1.key }) { GDALEnvironment.setConfigOption(key, value) }
    }

    public init(parcels: ParcelInputOptions, monitoring: MonitoringOptions = MonitoringOptions(), linking: LinkingOptions = LinkingOptions(),
                samplesCRS: String? = nil, outputDirectory: String, projectFile: String? = nil, command: [String] = [],
                today: CalendarDate = .today) {
        self.parcels = parcels; self.monitoring = monitoring; self.linking = linking; self.samplesCRS = samplesCRS
        self.outputDirectory = outputDirectory; self.projectFile = projectFile; self.command = command; self.today = today
    }
}

/// What a finished run reports back to the CLI.
public struct AssessSummary: Sendable {
    public var outputDirectory: String
    public var manifest: RunManifest
}

/// One `assess` run: ingest and link → source compliance → the per-parcel output pass (rules,
/// parcels file, review.csv) → dissolve → the other outputs and report.html, written atomically.
public struct AssessJob {
    public let options: AssessOptions

    public init(options: AssessOptions) { self.options = options }

    /// The run, stage by stage (docs/architecture.md): ingest and link → the rules → the
    /// per-parcel outputs → dissolve → the other outputs and the report → publish.
    public func run() throws -> AssessSummary {
        let started = Date()
        options.applyGDALConfig()
        guard GDALEnvironment.geosVersion != nil else { throw PipelineError.gdalWithoutGEOS }
        guard !ProjectFile.isDataSourceName(options.outputDirectory) else { throw PipelineError.outputIsDatabase(options.outputDirectory) }
        var timer = PhaseTimer(observer: options.output.progress)

        var project = try IngestStage.run(options, spillAttributes: true, timer: &timer)
        let reading = project.parcels
        try requireParcels(reading)
        let hashing = hashInputs(reading)  // on another thread while the parcels are assessed
        var assessment = try AssessmentStage.run(project, rules: options.rules, timer: &timer)

        let staging = try OutputStaging(outputDirectory: options.outputDirectory)
        let (format, formatNotice) = options.output.parcelFormat(for: reading.parcels.count, partOfARun: options.shard != nil)
        let records = partitionRecords(reading, staging: staging)
        // A database's previous run is read before this run's tables are opened: a GeoPackage is
        // locked by this run's transaction from then until its commit.
        let previous = timer.measure("read_previous_run") { previousRun() }
        // The GeoPackage's and a database's tables, opened here and given their rows in the pass.
        let tables = try openResultTables(project: project, assessment: assessment, geopackage: format == .gpkg, staging: staging, timer: &timer)
        do {
            return try writeOutputs(project: &project, assessment: &assessment, tables: tables, format: format, formatNotice: formatNotice,
                                    records: records, previous: previous, hashing: hashing, staging: staging, started: started, timer: &timer)
        } catch {
            throw tables?.abandon(error) ?? error
        }
    }

    /// The run from the output pass on, with the result tables (if any) open: whatever fails
    /// before the database commits rolls it back (`run()`).
    private func writeOutputs(project: inout IngestedProject, assessment: inout Assessment, tables: ResultTablesStage?,
                              format: OutputOptions.ParcelFormat, formatNotice: String?, records: PartitionRecordsFile.Options?,
                              previous: PreviousRun, hashing: BackgroundWork<[RunManifest.InputFile]>, staging: OutputStaging, started: Date,
                              timer: inout PhaseTimer) throws -> AssessSummary {
        let reading = project.parcels
        let geojson = format == .geojson
        let parcelFile = geojson ? "parcels.geojson" : "parcels.gpkg"
        let pass = try ParcelOutputPass(parcels: reading.parcels, links: project.links, soil: project.monitoring.soilSamples,
                                        assess: assessment.assess, labels: ReportLabels(options.output.language))
            .run(geojson: geojson, tables: tables, staging: staging, records: records, timer: &timer)
        guard !geojson || pass.featuresWritten == reading.parcels.count else {
            throw PipelineError.outputCountMismatch(file: parcelFile, expected: reading.parcels.count, written: pass.featuresWritten)
        }
        assessment.outcomes = pass.outcomes
        // The rules ran once per parcel, in the pass: what they read is let go before the zones
        // are dissolved.
        assessment.dropRules()
        project.links = []
        project.monitoring.soilSamples = []  // read by the rules only (the report counts them from the tables' reports)
        // This run's parcel states, kept for the next run's comparison, written while the zones are dissolved.
        let states = BackgroundWork { [parcels = reading.parcels, outcomes = pass.outcomes, path = staging.path(for: ParcelStates.fileName)] in
            try ParcelStates.write(parcels: parcels, outcomes: outcomes, to: path)
        }

        let zones = try timer.measure("dissolve") { try DissolveStage.run(parcels: reading.parcels, outcomes: pass.outcomes, unions: pass.unions) }
        let inputWarnings = reading.warnings + project.monitoring.assumptionWarnings + assessment.warnings
        var warnings = inputWarnings + Self.overlapWarnings(parcels: reading.parcels, zones: zones) + (formatNotice.map { [$0] } ?? [])
        let inputs = try hashing.wait().get()
        timer.record("hash_inputs", seconds: hashing.seconds)

        let since = try timer.measure("compare_with_last_run") { try sinceLastRun(previous, parcels: reading.parcels, outcomes: pass.outcomes, statesWritten: states, warnings: &warnings) }
        var report = reportInput(project: project, assessment: assessment, reviewRows: pass.reportReviewRows, reviewCount: pass.reviewCount,
                                 zones: zones, inputs: inputs, warnings: warnings, started: started)
        report.sinceLastRun = since
        let written = try writeTablesAndReport(project: project, assessment: assessment, summary: pass.summary, zones: zones, report: report,
                                               staging: staging, timer: &timer)
        var parcelsInTables = 0
        if let tables {
            parcelsInTables = try tables.finish(zones: zones, timer: &timer)
            timer.record(tables.database == nil ? "write_parcels_gpkg" : "write_result_tables", seconds: tables.insertSeconds, items: parcelsInTables)
        }
        let database = tables?.database
        let parcelsWritten = geojson ? pass.featuresWritten : parcelsInTables
        guard parcelsWritten == reading.parcels.count else {
            throw PipelineError.outputCountMismatch(file: parcelFile, expected: reading.parcels.count, written: parcelsWritten)
        }
        var manifest = RunManifest(
            tool: .init(gdal: GDALEnvironment.gdalVersion, geos: GDALEnvironment.geosVersion, proj: GDALEnvironment.projVersion),
            startedAt: ISO8601DateFormatter().string(from: started), command: options.command, inputs: inputs,
            configuration: configuration(for: reading), counts: counts(for: reading),
            repairs: Array(reading.repairs.prefix(RunManifest.repairListLimit)), monitoring: project.monitoring.reports,
            assumedUnits: project.monitoring.assumedUnits, requiredEvidence: .init(assessment.standards.requiredEvidence),
            linking: project.coverage, assessment: AssessmentSummary(assessment, zones: zones, rules: options.rules),
            outputs: written.merging([parcelFile: parcelsWritten, "review.csv": pass.reviewRowsWritten]) { $1 },
            warnings: warnings, timingsSeconds: [:])
        // The parcels file's end, written and flushed to disk meanwhile (`ParcelOutputPass`).
        try timer.measure("wait_for_parcels_file") { try pass.parcelFileSync?.wait().get() }
        manifest.timingsSeconds = timer.asDictionary
        let runJSON = try manifest.encoded()
        try runJSON.write(to: URL(fileURLWithPath: staging.path(for: "run.json")))
        if let database {
            // The files first made ready to publish: what can fail there fails before the commit.
            try staging.prepareToPublish()
            try timer.measure("write_database_commit") {
                try database.finish(run: runRow(manifest, json: runJSON, runID: staging.runID, reading: reading))
            }
        }
        if let shard = options.shard, let records {
            try partitionState(shard: shard, project: project, assessment: assessment, zones: zones, report: report, manifest: manifest,
                               fullGeometry: records.fullGeometry, parcelFile: parcelFile, warnings: inputWarnings)
                .write(to: staging.path(for: PartitionState.fileName))
        }
        try staging.commit()
        if !options.freesDataOnReturn { KeptUntilExit.keep([project, assessment, pass, zones, report]) }
        return AssessSummary(outputDirectory: options.outputDirectory, manifest: manifest)
    }

    /// `parcels.gpkg` with every layer (`--format gpkg`) and the run in a database (`--db`): their
    /// tables made, fields typed from the first parcels' rows, before the output pass gives them
    /// their rows. Nil when the run writes neither.
    private func openResultTables(project: IngestedProject, assessment: Assessment, geopackage: Bool, staging: OutputStaging,
                                  timer: inout PhaseTimer) throws -> ResultTablesStage? {
        guard geopackage || options.output.database != nil else { return nil }
        let reading = project.parcels
        return try timer.measure("open_result_tables") {
            let fieldNames = ParcelProperties.FieldNames(reading.parcels.first?.attributes.names.names ?? [])
            let typingRows = try TableRowMaker.typingRows(parcels: reading.parcels, links: project.links, soil: project.monitoring.soilSamples,
                                                          assess: assessment.assess, fieldNames: fieldNames)
            return try ResultTablesStage.open(geopackagePath: geopackage ? staging.path(for: "parcels.gpkg") : nil, database: options.output.database,
                                              runID: staging.runID, surveyCRSWKT: reading.sourceCRSWKT, typingRows: typingRows,
                                              sources: assessment.sources, parcels: reading.parcels)
        }
    }

    /// The run's row in `irrizone_runs`.
    private func runRow(_ manifest: RunManifest, json: Data, runID: String, reading: ParcelLayerReading) -> [(String, PropertyValue)] {
        let zones = manifest.assessment.parcelsByZone
        return [
            ("run_id", .string(runID)), ("started_at", .string(manifest.startedAt)),
            ("finished_at", .string(ISO8601DateFormatter().string(from: Date()))), ("irrizone_version", .string(manifest.tool.version)),
            ("command", .strings(manifest.command.map(Credentials.redact))), ("parcel_source", .string(Credentials.redact(options.parcels.path))),
            ("parcel_layer", .string(reading.layerName)), ("survey_crs", .string(reading.sourceCRS)),
            ("output_directory", .string(URL(fileURLWithPath: options.outputDirectory).standardizedFileURL.path)),
            ("assessment_year", manifest.assessment.year.map { .integer(Int64($0)) } ?? .null),
            ("features_in", .integer(Int64(manifest.counts.featuresIn))), ("accepted", .integer(Int64(manifest.counts.accepted))),
            ("rejected", .integer(Int64(manifest.counts.rejected))), ("repaired", .integer(Int64(manifest.counts.repaired))),
            ("suitable", .integer(Int64(zones["suitable"] ?? 0))), ("restricted", .integer(Int64(zones["restricted"] ?? 0))),
            ("prohibited", .integer(Int64(zones["prohibited"] ?? 0))), ("sources_to_suspend", .strings(manifest.assessment.sourcesToSuspend)),
            ("run_json", .rawJSON(String(decoding: json, as: UTF8.self))),
        ]
    }

    /// This run's parcel states, kept in its folder for the next run, and what changed since the
    /// run before (published in the same `--out`, else the latest in `--db`). A previous run that
    /// cannot be read is a warning: it changes no verdict of this one.
    private func sinceLastRun(_ previousRun: PreviousRun, parcels: [Parcel], outcomes: [ParcelOutcome], statesWritten: BackgroundWork<Void>,
                              warnings: inout [String]) throws -> ReportInput.SinceLastRun? {
        try statesWritten.wait().get()
        let previous: (states: [ParcelState], run: String)?
        do {
            switch previousRun {
            case .none: return nil
            case .inFolder: previous = try DiffJob.states(ofFolder: options.outputDirectory)
            case .fromDatabase(let read): previous = try read.get()
            }
        } catch {
            warnings.append("the previous run could not be read, so the report has no \"since the last run\" section: \(Credentials.redact(String(describing: error)))")
            return nil
        }
        guard let previous else { return nil }
        let current = ParcelStates.current(parcels: parcels, outcomes: outcomes)
        return ReportInput.SinceLastRun(previousRun: previous.run, parcelsBefore: previous.states.count,
                                        changes: SeasonChanges.compare(old: previous.states, new: current))
    }

    /// Where the previous run's parcel states are: the output folder's, else the database's last
    /// run's (none for a part of a partitioned run).
    enum PreviousRun {
        case none
        /// In the output folder, read when they are compared.
        case inFolder
        /// The database's last run's, read already (`run()`): the states and the run's id, nil when
        /// the database holds no run, or what kept them from being read.
        case fromDatabase(Result<(states: [ParcelState], run: String)?, any Error>)
    }

    private func previousRun() -> PreviousRun {
        guard options.shard == nil else { return .none }
        let current = URL(fileURLWithPath: options.outputDirectory).appendingPathComponent(OutputStaging.stateFolder + "/current")
        if FileManager.default.fileExists(atPath: current.appendingPathComponent(ParcelStates.fileName).path) { return .inFolder }
        guard let target = options.output.database else { return .none }
        if case .geopackage(let path) = target, !FileManager.default.fileExists(atPath: path) { return .none }
        return .fromDatabase(Result {
            let dataset = try Dataset.open(DiffJob.connection(target))
            guard dataset.layer(named: ResultTables.Names.database.runs) != nil,
                  let run = try dataset.queryText("SELECT run_id FROM \(ResultTables.Names.database.runs) ORDER BY finished_at DESC, run_id DESC LIMIT 1") else { return nil }
            return (try ParcelStates.read(layerOf: dataset, named: ResultTables.Names.database.parcels, runID: run, source: target.display), run)
        })
    }

    /// Nothing to assess is a failed run (as `check` says), not an empty set of outputs in place
    /// of the last ones (issue #23). A part of a partitioned run may hold only rejects.
    private func requireParcels(_ reading: ParcelLayerReading) throws {
        guard reading.parcels.isEmpty, options.shard == nil else { return }
        throw PipelineError.noParcelAccepted(path: options.parcels.path, featuresRead: reading.featuresRead,
                                             reasons: Dictionary(reading.rejects.map { ($0.code.rawValue, 1) }, uniquingKeysWith: +))
    }

    /// Every input file's size and SHA-256, worked out on a thread of its own.
    private func hashInputs(_ reading: ParcelLayerReading) -> BackgroundWork<[RunManifest.InputFile]> {
        var files = inputFiles(reading.files, role: "parcels")
        for (role, file) in options.monitoring.allFiles { files += inputFiles([file.path], role: role) }
        if let areas = options.serviceAreas { files += inputFiles([areas.path], role: "service_areas") }
        if let workspace = options.monitoring.workspace { files += inputFiles([workspace.display], role: "workspace") }
        return BackgroundWork { [files] in try Self.describe(files) }
    }

    /// A part of a partitioned run keeps a record per parcel for `merge`; the shapes themselves
    /// only when the merged report will draw parcels one by one.
    private func partitionRecords(_ reading: ParcelLayerReading, staging: OutputStaging) -> PartitionRecordsFile.Options? {
        options.shard.map { _ in
            PartitionRecordsFile.Options(path: staging.path(for: PartitionState.recordsFileName),
                                         fullGeometry: reading.census.featureCount <= SVGMap.parcelLimit)
        }
    }

    /// Zones that cover less than the parcels add up to: the parcels overlap.
    static func overlapWarnings(parcels: [Parcel], zones: [ZonePolygon]) -> [String] {
        let parcelArea = parcels.reduce(0) { $0 + $1.areaSquareMetres }, zoneArea = zones.reduce(0) { $0 + $1.areaSquareMetres }
        guard parcelArea > 0, abs(zoneArea - parcelArea) > 0.001 * parcelArea else { return [] }
        return ["zones cover \(AreaUnit.hectares(squareMetres: zoneArea)) ha but the parcels add up to \(AreaUnit.hectares(squareMetres: parcelArea)) ha: parcels overlap (dissolve method: \(Set(zones.map(\.method)).sorted().joined(separator: ", ")))"]
    }

    /// summary.csv, sources, zones.geojson and rejects.csv, while report.html is made and written
    /// beside them (made after them, it kept one core busy alone at the end of a run). Returns
    /// each file's count of features or rows.
    private func writeTablesAndReport(project: IngestedProject, assessment: Assessment, summary: SummaryFiles.SummaryAccumulator,
                                      zones: [ZonePolygon], report: ReportInput, staging: OutputStaging, timer: inout PhaseTimer) throws -> [String: Int] {
        let sources = assessment.sources, parcels = project.parcels.parcels, rejects = project.allRejects
        let summaryPath = staging.path(for: "summary.csv"), sourcesPaths = (staging.path(for: "sources.geojson"), staging.path(for: "sources.csv"))
        let zonesPath = staging.path(for: "zones.geojson"), rejectsPath = staging.path(for: "rejects.csv"), reportPath = staging.path(for: "report.html")
        let (tables, reportSeconds) = try concurrently({ () throws -> (counts: [String: Int], seconds: [String: Double]) in
            var seconds: [String: Double] = [:], counts: [String: Int] = [:]
            func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
                let start = DispatchTime.now().uptimeNanoseconds
                defer { seconds[name] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
                return try body()
            }
            counts["summary.csv"] = try timed("write_summary_csv") { try summary.write(to: summaryPath) }
            let sourcesOutput = try timed("write_sources") {
                try SourcesFile.write(sources, parcels: parcels, geojsonPath: sourcesPaths.0, csvPath: sourcesPaths.1)
            }
            counts[sourcesOutput.name] = sourcesOutput.count
            counts["zones.geojson"] = try timed("write_zones_geojson") { try ZonesFile.write(zones, to: zonesPath) }
            try timed("write_rejects_csv") { try RejectsFile.write(rejects, to: rejectsPath) }
            counts["rejects.csv"] = rejects.count
            return (counts, seconds)
        }, { () throws -> Double in
            let start = DispatchTime.now().uptimeNanoseconds
            let html = Credentials.redact(HTMLReport.render(report))
            try Data(html.utf8).write(to: URL(fileURLWithPath: reportPath))
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        })
        for name in ["write_summary_csv", "write_sources", "write_zones_geojson", "write_rejects_csv"] { timer.record(name, seconds: tables.seconds[name] ?? 0) }
        timer.record("write_report_html", seconds: reportSeconds)
        return tables.counts.merging(["report.html": 1]) { $1 }
    }

    /// What `merge` needs of a part besides its records (`PartitionState`).
    private func partitionState(shard: Shard, project: IngestedProject, assessment: Assessment, zones: [ZonePolygon], report: ReportInput,
                                manifest: RunManifest, fullGeometry: Bool, parcelFile: String, warnings: [String]) -> PartitionState {
        let reading = project.parcels
        let range = shard.featureRange(of: reading.census.featureCount)
        return PartitionState(
            shard: shard, firstFeature: range.lowerBound, featureCount: reading.featuresRead, layerFeatures: reading.census.featureCount,
            layerHasDuplicateIDs: reading.census.distinctIDCount < reading.census.featureCount,
            fullGeometry: fullGeometry, parcelFile: parcelFile, ellipsoid: reading.ellipsoid, manifest: manifest,
            parcelRejects: reading.rejects, otherRejects: project.serviceAreaRejects + project.monitoring.rejects,
            sources: assessment.sources, zonePieces: zones, warnings: warnings,
            language: report.language, generatedAt: report.generatedAt, sourceCRS: report.sourceCRS,
            wells: report.wells.map { PartitionState.Well(id: $0.id, location: $0.location) },
            exclusionAreas: report.exclusionAreas.map { PartitionState.Exclusion(name: $0.name, shape: $0.shape) },
            targets: report.targets, standards: report.standards, parameters: report.parameters.map { [$0.0, $0.1] }, year: report.year,
            reviewRows: report.reviewRows, reviewCount: report.reviewCount, coverage: report.coverage)
    }

    func reportInput(project: IngestedProject, assessment: Assessment, reviewRows: [[String]], reviewCount: Int, zones: [ZonePolygon], inputs: [RunManifest.InputFile],
                     warnings: [String], started: Date) -> ReportInput {
        var wells: [(id: String, location: Position)] = []
        var seen = Set<String>()
        for reading in project.monitoring.wellReadings where seen.insert(reading.wellID).inserted { wells.append((reading.wellID, reading.location)) }
        let a = options.rules.review.accumulation
        let parameters: [(String, String)] = [
            ("source compliance", "year \(assessment.year.map(String.init) ?? "—"), statistic \(options.rules.statistic.rawValue), indeterminate as \(options.rules.indeterminateAsPass ? "pass" : "fail")"),
            ("accumulation model", a.model == .linear ? "linear: Q = B + n·R" : "residual: Q = B·Kⁿ + R·K(1 − Kⁿ)/(1 − K), K default \(AccumulationOptions.defaultResidualRate)"),
            ("plough layer", "depth \(a.depthMetres) m × bulk density \(a.bulkDensity) t/m³ = \(a.soilMassKgPerHectare) kg/ha"),
            ("horizon", "\(a.horizonYears) years"),
            ("irrigation quota", ReviewOptions.quotaSource),
            ("non-detects in means", options.rules.review.nonDetects.rawValue + " the detection limit"),
            ("concentration per year", ReviewOptions.concentrationYears),
            ("standards", "\(assessment.standards.version); overrides: \(assessment.standards.overrides.map { $0.name }.joined(separator: ", ").isEmpty ? "none" : assessment.standards.overrides.map { $0.name }.joined(separator: ", "))"),
            ("area", "ellipsoidal (PROJ geodesic), 1 亩 = 666.67 m²"),
        ]
        var input = ReportInput(
            language: options.output.language, generatedAt: ISO8601DateFormatter().string(from: started), toolVersion: IrrizoneVersion.current,
            sourceCRS: project.parcels.sourceCRS, parcels: project.parcels.parcels, outcomes: assessment.outcomes, reviewRows: reviewRows, reviewCount: reviewCount, sources: assessment.sources,
            wells: wells, exclusionAreas: assessment.exclusionShapes, zones: zones, targets: options.output.targets, standards: ReportInput.Standards(assessment.standards),
            rejected: ReportInput.Rejected.counts(of: project.allRejects), coverage: project.coverage,
            inputs: inputs.map { ReportInput.InputFile(role: $0.role, path: $0.path, sha256: $0.sha256, sizeBytes: $0.sizeBytes) },
            parameters: parameters, year: assessment.year, warnings: warnings)
        input.assumedUnits = project.monitoring.assumedUnits
        return input
    }

    func configuration(for reading: ParcelLayerReading) -> RunManifest.Configuration {
        RunManifest.Configuration(
            parcels: options.parcels.path, layer: reading.layerName, driver: reading.driver,
            sourceCRS: reading.sourceCRS, crsAssumed: reading.crsWasAssumed, textEncoding: reading.textEncoding,
            fieldMapping: Dictionary(uniqueKeysWithValues: reading.fieldMapping.map { ($0.key.rawValue, $0.value) }),
            projectFile: options.projectFile, samplesCRS: options.samplesCRS, linking: options.linking,
            maxOutsideMetres: options.monitoring.maxOutsideMetres, coordinateDecimals: GeoJSONWriter.coordinateDecimals,
            squareMetresPerMu: AreaUnit.squareMetresPerMu)
    }

    func counts(for reading: ParcelLayerReading) -> RunManifest.ParcelCounts {
        precondition(reading.featuresRead == reading.parcels.count + reading.rejects.count, "parcel counts must balance")
        return RunManifest.ParcelCounts(
            featuresIn: reading.featuresRead, accepted: reading.parcels.count, repaired: reading.repairedCount,
            rejected: reading.rejects.count,
            rejectedByCode: Dictionary(reading.rejects.map { ($0.code.rawValue, 1) }, uniquingKeysWith: +))
    }

    /// The files an input consists of. A dataset read through a GDAL virtual path (a zipped
    /// shapefile) is described by the file the user named.
    func inputFiles(_ files: [String], role: String) -> [(role: String, path: String)] {
        // GDAL lists the members of an archive as /vsizip/… paths: the path the user gave stands for them.
        guard files.contains(where: { $0.hasPrefix("/vsi") }) else { return files.map { (role, $0) } }
        return [(role, role == "parcels" ? options.parcels.path : files[0])]
    }

    /// Size and SHA-256 of each file, in order; the files are hashed on all cores. A path inside
    /// an archive (`/vsizip/…/a.zip/parcels.shp`, `/vsigzip/…`) is identified by its archive; a
    /// source that is no local file (a database, `/vsicurl/`) is listed as not hashed (issue #23:
    /// `/vsizip/` inputs read fine, then failed here with a raw error).
    static func describe(_ files: [(role: String, path: String)]) throws -> [RunManifest.InputFile] {
        try parallelMap(count: files.count, chunkSize: 1) { index in
            Result { () throws -> RunManifest.InputFile in
                let (role, path) = files[index]
                guard let local = localFile(behind: path) else {
                    return RunManifest.InputFile(role: role, path: path, sizeBytes: 0, sha256: "not hashed: not a local file")
                }
                do {
                    let attributes = try FileManager.default.attributesOfItem(atPath: local)
                    let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
                    return RunManifest.InputFile(role: role, path: path, sizeBytes: size, sha256: try SHA256.hexDigest(ofFile: local))
                } catch {
                    throw IngestError.gdal(GDALError(code: 0, message: "could not read \(local) to record its SHA-256: \(OutputStaging.reason(error))",
                                                     function: "hashing the inputs"))
                }
            }
        }.map { try $0.get() }
    }

    /// The local file a path reads: itself, or the archive of a `/vsizip/`, `/vsigzip/` or
    /// `/vsitar/` path; nil for anything else (a connection string, a remote file).
    static func localFile(behind path: String) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return isDirectory.boolValue ? nil : path }
        for prefix in ["/vsizip/", "/vsigzip/", "/vsitar/"] where path.hasPrefix(prefix) {
            // The longest leading part of the rest that is a file: the archive.
            var candidate = String(path.dropFirst(prefix.count))
            if candidate.hasPrefix("/") == false, candidate.hasPrefix("{") == false { candidate = "/" + candidate }
            while !candidate.isEmpty, candidate != "/" {
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue { return candidate }
                candidate = (candidate as NSString).deletingLastPathComponent
            }
        }
        return nil
    }
}

/// Values a command-line run leaves to the process's exit to free (`freesDataOnReturn`): a
/// million parcels' records freed one by one at the end of a run (docs/scaling.md).
enum KeptUntilExit {
    private static let values = Mutex<[any Sendable]>([])

    static func keep(_ more: [any Sendable]) { values.withLock { $0 += more } }
}

/// Writes `rejects.csv`.
enum RejectsFile {
    static let header = OutputSchema.rejects.map(\.name)

    static func write(_ rejects: [Reject], to path: String) throws {
        let csv = try CSVWriter(path: path, header: header)
        // A file named by a connection string carries its password: never written (issue #23).
        for reject in rejects {
            csv.writeRow([Credentials.redact(reject.file), Credentials.redact(reject.location), reject.field, reject.code.rawValue, Credentials.redact(reject.reason)])
        }
        try csv.finish()
    }
}

/// Problems of the run itself (not of one input row).
public enum PipelineError: Error, CustomStringConvertible {
    case gdalWithoutGEOS
    case outputCountMismatch(file: String, expected: Int, written: Int)
    case badSamplesCRS(String, String)
    case serviceAreasWithoutSourceField(String)
    case shardWithServiceAreas(Shard)
    case noParcelAccepted(path: String, featuresRead: Int, reasons: [String: Int])
    /// `--out` names a database (`PG:…`): it is a folder of files (issue #25).
    case outputIsDatabase(String)

    public var description: String {
        switch self {
        case .gdalWithoutGEOS:
            "this GDAL was built without GEOS: geometry validity, repair and spatial joins would be wrong. Install Debian's libgdal-dev (it links GEOS)."
        case let .outputCountMismatch(file, expected, written):
            "\(file): wrote \(written) features but \(expected) were accepted; no outputs were kept"
        case let .serviceAreasWithoutSourceField(path):
            "\(path): no service area has a source id (a field named source_id, SYDM, 水源 or 水源编码)"
        case let .shardWithServiceAreas(shard):
            "--shard \(shard) cannot be combined with service areas: a part would need the geometry of every parcel to know which sources the others take from a service area. Run without --shard, or give the parcels a source id field"
        case let .noParcelAccepted(path, featuresRead, reasons):
            "\(path): no parcel could be assessed (\(featuresRead) features read"
                + (reasons.isEmpty ? ")" : "; rejected: " + reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
                + ". Nothing was written; `irrizone check` lists each reject and its reason"
        case let .outputIsDatabase(name):
            "--out \(Credentials.redact(name)) names a database, but --out is the folder for the files (GeoJSON, CSV, report.html). Give a folder, and the database with --db \(Credentials.redact(name)) to write the run into it too"
        case let .badSamplesCRS(crs, message):
            "--samples-crs \"\(crs)\" is not a CRS GDAL understands: \(message)"
        }
    }
}
