import ArgumentParser
import Foundation
import Ingest
import IrrigationModel
import Pipeline
import Reports

@main
struct Irrizone: ParsableCommand {
    /// Runs the command; an error's message has its passwords removed before it is printed.
    static func main() {
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }  // usage, help, version: ArgumentParser's own
        do {
            try command.run()
        } catch let error where error is ExitCode || error is ValidationError || error is CleanExit || isArgumentParsers(error) {
            exit(withError: error)
        } catch {
            exit(withError: RedactedError(message: Credentials.redact(sentence(for: error))))
        }
    }

    /// ArgumentParser answers `--help` by parsing to its own help command, whose `run()` throws an
    /// error of a type internal to ArgumentParser; only `exit(withError:)` turns that into the help text.
    static func isArgumentParsers(_ error: Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    /// A file error from Foundation as a sentence naming the file and what to do (issue #23:
    /// "The operation could not be completed" named neither).
    static func sentence(for error: Error) -> String {
        let nsError = error as NSError
        guard nsError.domain == NSCocoaErrorDomain else { return String(describing: error) }
        let path = nsError.userInfo[NSFilePathErrorKey] as? String ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
        let reason = OutputStaging.reason(error)
        if nsError.code == CocoaError.fileWriteOutOfSpace.rawValue {
            return "the disk is full while writing \(path): free some space and run again (the previous outputs are unchanged)"
        }
        if nsError.code >= CocoaError.fileWriteUnknown.rawValue && nsError.code < CocoaError.fileWriteUnknown.rawValue + 100 || path.contains("/.irrizone/") {
            return "could not write \(path): \(reason). Check that the output folder is writable and has room (the previous outputs are unchanged)"
        }
        return "could not read \(path): \(reason). Check that it exists and is readable"
    }

    static let configuration = CommandConfiguration(
        commandName: "irrizone",
        abstract: "Reclaimed-water irrigation zoning: parcels, loads, allowed irrigation years and review flags.",
        discussion: """
        Exit status: 0 when the run finished (flagged parcels are results, not errors); 1 when an input \
        cannot be read or the configuration is wrong (no outputs are written then); 64 for bad usage.
        """,
        version: IrrizoneVersion.current,
        subcommands: [Assess.self, Check.self, Load.self, Merge.self, Diff.self, Standards.self, Crops.self, Fields.self, Init.self, Synth.self]
    )
}

/// Inputs shared by `assess`, `check` and `load`; flags override the project file.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("project"), help: "Project file (YAML); flags override it.")
    var project: String?

    @Option(name: .customLong("config"), parsing: .upToNextOption,
            help: ArgumentHelp("A GDAL configuration option, as in GDAL's own tools (repeatable), e.g. --config PG_USE_COPY NO. An older --config FILE.yaml still names the project file, with a warning: use --project.",
                               valueName: "KEY VALUE"))
    var gdalConfig: [String] = []

    @Option(help: ArgumentHelp("A survey workspace (a GeoPackage or PG:…) that irrizone load filled: its monitoring records join the files given.", valueName: "CONN"))
    var workspace: String?

    @Option(name: .customLong("oo"), help: ArgumentHelp("An open option of the parcel source's GDAL driver, as GDAL's -oo (repeatable).", valueName: "NAME=VALUE"))
    var openOptions: [String] = []

    @Option(name: .customLong("where"), help: ArgumentHelp("Read only the parcels this OGR SQL clause selects, as GDAL's -where, e.g. \"DLMC IN ('水浇地', '旱地')\".", valueName: "SQL"))
    var attributeFilter: String?

    @Option(help: "Parcel layer: any OGR vector source (Shapefile, GeoPackage, GeoJSON, zipped shapefile).")
    var parcels: String?

    @Option(help: "Layer to read when the source has several.")
    var layer: String?

    @Option(help: "Character set of the attribute text when the file does not declare it (e.g. GBK, UTF-8).")
    var encoding: String?

    @Option(name: .customLong("assume-crs"), help: "CRS for a layer that has none, e.g. EPSG:4547.")
    var assumeCRS: String?

    @Option(help: "Reclaimed-water plants/outlets (CSV, XLSX or point layer).")
    var sources: String?

    @Option(help: "Water-quality samples (repeatable).")
    var water: [String] = []

    @Option(help: "Soil samples (repeatable).")
    var soil: [String] = []

    @Option(help: "Groundwater well readings (repeatable).")
    var wells: [String] = []

    @Option(help: "Irrigation records: parcel_id, year, volume.")
    var irrigation: String?

    @Option(help: "Produce samples (农产品): sample_id, parcel_id or location, crop or food_category, date, Cd/Pb/Hg/As/Cr in mg/kg fresh weight (repeatable).")
    var produce: [String] = []

    @Option(name: .customLong("table-encoding"), help: "Text encoding of CSV tables that are neither UTF-8 nor GBK.")
    var tableEncoding: String?

    @Option(name: .customLong("samples-crs"), help: "CRS of x/y columns in monitoring tables (default: the parcels' CRS).")
    var samplesCRS: String?

    @Option(name: .customLong("service-areas"), help: "Polygons with a source id, for parcels that name no source.")
    var serviceAreas: String?

    @Option(help: "Exclusion areas (any geometry; repeatable); buffers are set in the project file.")
    var exclusions: [String] = []

    @Option(help: "Assessment year for source compliance (default: the latest year with water samples).")
    var year: Int?

    @Option(help: "Statistic of a year's samples compared with the limit: max, p95, mean, latest.")
    var statistic: String?

    @Option(name: .customLong("standards-override"), help: "Province override file (YAML); repeatable.")
    var standardsOverride: [String] = []

    @Option(help: "Years ahead for projected soil contents and the review horizon (default 20).")
    var horizon: Double?

    @Option(help: "Parcel layer format: geojson (default) or gpkg.")
    var format: String?

    @Option(help: "Report language: zh (default) or en.")
    var lang: String?

    /// The project file and the GDAL configuration options: `--config` is GDAL's `KEY VALUE`; a
    /// lone `--config FILE.yaml` is the project file as it was before `--project`.
    func projectAndGDALConfig() throws -> (project: String?, gdal: [String: String]) {
        var values = gdalConfig, projectPath = project
        if values.count % 2 == 1, let first = values.first, [".yaml", ".yml"].contains(where: first.lowercased().hasSuffix) {
            guard projectPath == nil else { throw ValidationError("--project and --config \(first) both name a project file: give it once, with --project") }
            printError("warning: --config \(first) names the project file as before; use --project \(first) (--config KEY VALUE now sets a GDAL configuration option, as in GDAL's tools)")
            projectPath = first
            values.removeFirst()
        }
        guard values.count % 2 == 0 else {
            throw ValidationError("--config takes a GDAL configuration option and its value, e.g. --config PG_USE_COPY NO; got \(values.count) words after it. The project file is --project FILE")
        }
        var options: [String: String] = [:]
        for index in stride(from: 0, to: values.count, by: 2) {
            let key = values[index]
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
                throw ValidationError("--config \(key): a GDAL configuration option is named in capitals, e.g. --config GDAL_CACHEMAX 512")
            }
            options[key] = values[index + 1]
        }
        return (projectPath, options)
    }

    func assessOptions(outputDirectory: String?, requireOutput: Bool) throws -> AssessOptions {
        let (projectPath, gdalOptions) = try projectAndGDALConfig()
        let project = try projectPath.map { try ProjectFile.load(path: $0) } ?? ProjectFile()
        guard let path = parcels ?? project.parcels.path else { throw ValidationError("no parcel layer: pass --parcels PATH or set parcels.path in --project") }
        for option in openOptions where option.firstIndex(of: "=").map({ $0 == option.startIndex }) ?? true {
            throw ValidationError("--oo \(option): an open option is NAME=VALUE, e.g. --oo LIST_ALL_TABLES=YES")
        }
        let output = outputDirectory ?? project.output
        if requireOutput && output == nil { throw ValidationError("no output folder: pass --out DIR or set output in --project") }
        // A flag replaces the project file's entry for that input.
        func table(_ path: String) -> TableInputOptions { TableInputOptions(path: path, encoding: tableEncoding) }
        func tables(_ flags: [String], _ fromProject: [TableInputOptions]) -> [TableInputOptions] {
            flags.isEmpty ? fromProject.map { var t = $0; t.encoding = t.encoding ?? tableEncoding; return t } : flags.map(table)
        }
        var monitoring = MonitoringOptions(
            sources: sources.map(table) ?? project.sources, water: tables(water, project.water), soil: tables(soil, project.soil),
            wells: tables(wells, project.wells), irrigation: tables(irrigation.map { [$0] } ?? [], project.irrigation),
            maxOutsideMetres: project.maxOutsideMetres)
        monitoring.produce = tables(produce, project.produce)
        monitoring.unitPolicy = project.unitPolicy
        var options = AssessOptions(
            parcels: .init(path: path, layer: layer ?? project.parcels.layer, encoding: encoding ?? project.parcels.encoding,
                           assumeCRS: assumeCRS ?? project.parcels.assumeCRS, fields: project.parcels.fields),
            monitoring: monitoring, linking: project.linking, samplesCRS: samplesCRS ?? project.samplesCRS,
            outputDirectory: output ?? "", projectFile: projectPath, command: Credentials.redact(arguments: CommandLine.arguments))
        // Flags replace the project file's open options and filter; config options add to its.
        options.parcels.openOptions = openOptions.isEmpty ? project.parcels.openOptions : openOptions
        options.parcels.attributeFilter = attributeFilter ?? project.parcels.attributeFilter
        options.gdalConfig = project.gdalConfig.merging(gdalOptions) { $1 }
        if let connection = workspace ?? project.workspace {
            let target: DatabaseTarget
            do { target = try DatabaseTarget(connection) } catch { throw ValidationError(String(describing: error).replacingOccurrences(of: "--db", with: "--workspace")) }
            options.monitoring.workspace = WorkspaceInput(connection: DiffJob.connection(target), display: target.display)
        }
        if let connection = project.database {
            do { options.output.database = try DatabaseTarget(connection) } catch { throw ValidationError(String(describing: error)) }
        }
        options.serviceAreas = serviceAreas.map { ParcelInputOptions(path: $0) } ?? project.serviceAreas
        options.rules = project.rules
        if let year { options.rules.year = year }
        if let statistic {
            guard let value = ComplianceStatistic(rawValue: statistic) else { throw ValidationError("--statistic must be one of max, p95, mean, latest") }
            options.rules.statistic = value
        }
        if !standardsOverride.isEmpty { options.rules.standardsOverrides = standardsOverride }
        if !exclusions.isEmpty { options.rules.exclusions = exclusions.map { ExclusionInput(path: $0) } }
        if let horizon { options.rules.review.accumulation.horizonYears = horizon }
        options.output.targets = project.targets
        if let text = format ?? project.format {
            guard let value = OutputOptions.ParcelFormat(rawValue: text.lowercased()) else { throw ValidationError("--format must be geojson or gpkg") }
            options.output.parcelFormat = value
        }
        if let text = lang ?? project.language {
            guard let value = ReportLanguage(rawValue: text.lowercased()) else { throw ValidationError("--lang must be zh or en") }
            options.output.language = value
        }
        return options
    }
}

struct Assess: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Assess parcels and write GeoJSON, rejects.csv and run.json.")

    @OptionGroup var inputs: InputOptions

    @Option(name: .customLong("out"), help: "Output folder (created if missing; previous outputs are replaced whole).")
    var outputDirectory: String?

    @Option(help: ArgumentHelp("Also write the run into a database that keeps every run: a GeoPackage file (runs.gpkg) or PostGIS (PG:\"service=bureau\"; the password from PGPASSWORD, ~/.pgpass or a service file). Tables irrizone_runs, _parcels, _zones, _sources, _findings; views irrizone_latest_*.", valueName: "CONN"))
    var db: String?

    @Option(help: ArgumentHelp("Assess part i of N (0-based) of the parcel layer, for `irrizone merge`; e.g. --shard 0/4 (a Kubernetes Indexed Job passes $JOB_COMPLETION_INDEX as i).", valueName: "i/N"))
    var shard: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        var options = try inputs.assessOptions(outputDirectory: outputDirectory, requireOutput: true)
        if let db {
            do { options.output.database = try DatabaseTarget(db) } catch { throw ValidationError(String(describing: error)) }
        }
        if options.output.database != nil && shard != nil {
            throw ValidationError("--db cannot be combined with --shard: a part is not a run. Merge the parts (irrizone merge), or run the whole layer with --db")
        }
        if let shard {
            do { options.shard = try Shard(parsing: shard) } catch { throw ValidationError(error.description) }
        }
        if !quiet {
            let terminal = isatty(STDERR_FILENO) == 1
            // One line per phase (stderr), with the count and rate where a phase has one.
            options.output.progress = { name, items, seconds in
                var line = "  \(name): \(String(format: "%.2f", seconds)) s"
                if let items, seconds > 0 { line += " (\(items) items, \(Int(Double(items) / seconds))/s)" }
                printError((terminal ? "\r\u{1B}[K" : "") + line)
            }
            // On a terminal, a live line while parcels are read: count, rate and ETA.
            if terminal {
                let start = Date()
                options.parcels.progress = { done, total in
                    let elapsed = Date().timeIntervalSince(start), rate = Double(done) / max(elapsed, 1e-9)
                    var line = "\r\u{1B}[K  read_parcels: \(done)" + (total.map { "/\($0)" } ?? "") + " (\(Int(rate))/s"
                    if let total, total > done { line += ", ETA \(Int(Double(total - done) / rate)) s" }
                    FileHandle.standardError.write(Data((line + ")").utf8))
                }
            }
        }
        options.freesDataOnReturn = false  // the process exits next
        let summary = try AssessJob(options: options).run()
        guard !quiet else { return }
        let counts = summary.manifest.counts
        var lines = ["irrizone \(IrrizoneVersion.current): \(counts.featuresIn) parcels in, \(counts.accepted) accepted (\(counts.repaired) repaired), \(counts.rejected) rejected"]
        for file in summary.manifest.monitoring {
            lines.append("  \(file.kind) \(file.file): \(file.rowsRead) rows, \(file.rowsAccepted) accepted, \(file.rowsRejected) rejected, \(file.duplicateRowsMerged) duplicates merged, \(file.valuesRejected) values rejected")
        }
        if let c = summary.manifest.linking {
            lines.append("  linked: soil \(c.soilMeasured) measured / \(c.soilEstimated) estimated / \(c.soilNone) none; \(c.withWell) parcels with a well; \(c.withKnownSource) with a known source")
        }
        for warning in summary.manifest.warnings { lines.append("warning: \(warning)") }
        let zones = summary.manifest.assessment.parcelsByZone
        lines.append("  zones: \(zones["suitable"] ?? 0) suitable, \(zones["restricted"] ?? 0) restricted, \(zones["prohibited"] ?? 0) prohibited; sources to suspend: \(summary.manifest.assessment.sourcesToSuspend.joined(separator: ", ").isEmpty ? "none" : summary.manifest.assessment.sourcesToSuspend.joined(separator: ", "))")
        lines.append("outputs in \(summary.outputDirectory): \(summary.manifest.outputs.keys.sorted().joined(separator: ", ")), run.json")
        printError(lines.joined(separator: "\n"))
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put the parts of a partitioned run (assess --shard i/N) together into the outputs of one run.",
        discussion: "Give the output folder of every part. parcels.geojson and review.csv are joined in order; summary, sources, counts and report.html are recomputed from every parcel's record; zones are unioned across the parts' edges.")

    @Argument(help: "The parts' output folders (any order).")
    var parts: [String]

    @Option(name: .customLong("out"), help: "Output folder for the merged outputs.")
    var outputDirectory: String

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        var job = MergeJob(parts: parts, outputDirectory: outputDirectory, command: CommandLine.arguments)
        if !quiet {
            job.progress = { name, _, seconds in printError("  \(name): \(String(format: "%.2f", seconds)) s") }
        }
        let summary = try job.run()
        guard !quiet else { return }
        let counts = summary.manifest.counts, zones = summary.manifest.assessment.parcelsByZone
        printError("irrizone merge: \(parts.count) parts, \(counts.featuresIn) parcels in, \(counts.accepted) accepted, \(counts.rejected) rejected; zones: \(zones["suitable"] ?? 0) suitable, \(zones["restricted"] ?? 0) restricted, \(zones["prohibited"] ?? 0) prohibited\noutputs in \(summary.outputDirectory)")
    }
}

struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load field batches of monitoring data into a survey workspace (a GeoPackage or PostGIS), for assess --workspace.",
        discussion: """
        The files are read with the readers, rules and rejects of assess, held to the parcel layer (--parcels or --project). \
        A file loaded before, or a record loaded before, adds nothing and says so; a record that says otherwise than one loaded \
        before is refused with both places. Each file is a batch (file, SHA-256, time, counts), written in one transaction. \
        The load's rejects go to rejects.csv in --out (else load-rejects.csv in the current folder) and to the workspace's irrizone_ws_rejects.
        """)

    @OptionGroup var inputs: InputOptions

    @Option(name: .customLong("out"), help: "Folder for this load's rejects.csv (default: load-rejects.csv in the current folder).")
    var outputDirectory: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        var options = try inputs.assessOptions(outputDirectory: nil, requireOutput: false)
        guard let workspace = options.monitoring.workspace else {
            throw ValidationError("load needs a workspace: --workspace runs.gpkg or PG:\"service=…\" (or workspace: in --project)")
        }
        options.monitoring.workspace = nil
        let folder = outputDirectory ?? FileManager.default.currentDirectoryPath
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let rejectsPath = URL(fileURLWithPath: folder).appendingPathComponent(outputDirectory == nil ? "load-rejects.csv" : "rejects.csv").path
        // An assess output folder's rejects.csv is a link into its published run: never written through.
        if FileManager.default.fileExists(atPath: URL(fileURLWithPath: folder).appendingPathComponent(OutputStaging.stateFolder).path) {
            throw ValidationError("\(folder) holds the outputs of an assess run; give load a folder of its own with --out")
        }
        var job = LoadJob(workspace: workspace, parcels: options.parcels, monitoring: options.monitoring, rejectsPath: rejectsPath)
        job.samplesCRS = options.samplesCRS
        job.gdalConfig = options.gdalConfig
        let summary = try job.run()
        guard !quiet else { return }
        var lines = ["irrizone load into \(workspace.display):"]
        for file in summary.files {
            if let before = file.loadedBefore {
                lines.append("  \(file.kind.rawValue) \(file.file): loaded before (batch \(before.id), \(before.loadedAt)): nothing added")
            } else {
                lines.append("  \(file.kind.rawValue) \(file.file): \(file.rowsRead) rows; \(file.added) records added, \(file.alreadyLoaded) already in the workspace, "
                             + "\(file.conflicting) conflicting, \(file.rejected) rejected (batch \(file.batch ?? "—"))")
            }
        }
        lines.append("rejects: \(summary.rejects.count) in \(summary.rejectsPath)")
        printError(lines.joined(separator: "\n"))
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two runs: the parcels whose zone, irrigation years band or review status changed, into DIR/changes.csv.",
        discussion: "OLD and NEW are two output folders of assess, or, with --db, two run ids of that database (latest and previous name its last two runs).")

    @Argument(help: "The earlier run: an output folder, or a run id with --db.")
    var old: String

    @Argument(help: "The later run.")
    var new: String

    @Option(name: .customLong("out"), help: "Folder for changes.csv (created if missing).")
    var outputDirectory: String

    @Option(help: ArgumentHelp("The database both runs are in (a GeoPackage or PG:…), as assess --db wrote them.", valueName: "CONN"))
    var db: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        var target: DatabaseTarget?
        if let db {
            do { target = try DatabaseTarget(db) } catch { throw ValidationError(String(describing: error)) }
        }
        let summary = try DiffJob(old: old, new: new, outputDirectory: outputDirectory, database: target).run()
        guard !quiet else { return }
        printError("irrizone diff: \(summary.oldRun) → \(summary.newRun): \(summary.changes.count) parcels changed "
                   + "(zone \(summary.count(.zone)), years band \(summary.count(.yearsBand)), review \(summary.count(.review)), "
                   + "new \(summary.count(.added)), gone \(summary.count(.removed)))\nwrote \(summary.path)")
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Report what assess would accept, repair and reject. Writes nothing.")

    @OptionGroup var inputs: InputOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let options = try inputs.assessOptions(outputDirectory: nil, requireOutput: false)
        let report = try CheckReport.make(options: options)
        print(Credentials.redact(json ? try report.json() : report.text))
        if !report.canAssess { throw ExitCode(1) }
    }
}

/// Writes to stderr, where progress and summaries go (stdout is for reports and JSON); never a
/// password.
func printError(_ text: String) {
    var standardError = StandardError()
    print(Credentials.redact(text), to: &standardError)
}

/// An error as printed: its message without passwords.
struct RedactedError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleBox.standardError.write(string)
    }
}
