import Foundation

/// Publishes a run's outputs as one set (DESIGN.md §2 "Report", issue #23): a reader of the
/// output folder sees the previous run's files or this run's, never a mix, whatever moment the
/// process dies.
///
/// Layout of an output folder `DIR`:
///
///     DIR/.irrizone/runs/run-<time>-<pid>/   one folder per run, written while the run goes on
///     DIR/.irrizone/current -> runs/run-…    the published run: switched by one rename(2)
///     DIR/parcels.geojson -> .irrizone/current/parcels.geojson   (one link per output)
///
/// The files a user opens are links through `current`, so switching `current` publishes the
/// whole set at once. A failed or killed run leaves `current` as it was; the next run removes
/// the run folders of processes that are gone. Files of the user's own in `DIR` are left alone.
public final class OutputStaging {
    /// Every file name irrizone may write, so a new run replaces an old run's outputs whole
    /// without touching anything else the user keeps in the folder.
    public static let contractFiles: Set<String> = [
        "parcels.geojson", "parcels.gpkg", "zones.geojson", "sources.geojson", "sources.csv",
        "summary.csv", "review.csv", "report.html", "rejects.csv", "run.json",
        "partition.json", "partition.bin",  // parts of a partitioned run (`--shard`), for `merge`
    ]

    /// The hidden folder that holds the runs and the `current` link.
    public static let stateFolder = ".irrizone"

    public let outputDirectory: URL
    /// This run's folder, where its outputs are written.
    public let stagingDirectory: URL
    /// The run's id (its folder's name), the key of its rows in a database (`--db`).
    public var runID: String { stagingDirectory.lastPathComponent }
    private var committed = false

    /// Why publishing can fail, in a sentence naming the path and the fix.
    public enum PublishError: Error, CustomStringConvertible, Equatable {
        case cannotCreate(path: String, reason: String)
        case inTheWay(path: String, what: String)
        case cannotPublish(path: String, reason: String)

        public var description: String {
            switch self {
            case let .cannotCreate(path, reason):
                "cannot write to the output folder \(path): \(reason). Choose another folder with --out, or make this one writable"
            case let .inTheWay(path, what):
                "\(path) is \(what), where irrizone publishes an output: move or rename it, then run again (nothing was changed)"
            case let .cannotPublish(path, reason):
                "could not publish the outputs to \(path): \(reason) (the previous outputs are unchanged)"
            }
        }
    }

    public init(outputDirectory: String) throws {
        self.outputDirectory = URL(fileURLWithPath: outputDirectory, isDirectory: true)
        let runs = self.outputDirectory.appendingPathComponent(Self.stateFolder + "/runs", isDirectory: true)
        let stamp = Self.timestamp.string(from: Date())
        // Unique within a process too (tests, a long-lived caller), the process id last.
        let unique = UInt32.random(in: 0...UInt32.max)
        stagingDirectory = runs.appendingPathComponent("run-\(stamp)-\(String(unique, radix: 16))-\(ProcessInfo.processInfo.processIdentifier)",
                                                      isDirectory: true)
        do {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw PublishError.inTheWay(path: outputDirectory, what: "a file")
            }
            try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
            Self.removeStaleRuns(in: runs, keeping: Self.currentRunName(in: self.outputDirectory))
            try? FileManager.default.removeItem(at: stagingDirectory)
            try FileManager.default.createDirectory(at: stagingDirectory, withIntermediateDirectories: true)
        } catch let error as PublishError {
            throw error
        } catch {
            throw PublishError.cannotCreate(path: outputDirectory, reason: Self.reason(error))
        }
    }

    static let timestamp: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return formatter
    }()

    /// The name of the run `current` points to, nil before the first run.
    static func currentRunName(in outputDirectory: URL) -> String? {
        let link = outputDirectory.appendingPathComponent(stateFolder + "/current").path
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: link)).map { ($0 as NSString).lastPathComponent }
    }

    /// Run folders of processes that are gone (killed before they published), except the
    /// published one, hold nothing anyone needs.
    static func removeStaleRuns(in runs: URL, keeping current: String?) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? [] where name != current {
            guard let pid = name.split(separator: "-").last.flatMap({ Int32($0) }), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: runs.appendingPathComponent(name))
        }
    }

    /// Files a run keeps in its own folder for later runs, not published in `DIR`: its parcels'
    /// verdicts, which the next run compares itself with (`irrizone diff`, "since the last run").
    public static let runFiles: Set<String> = ["parcel-states.tsv"]

    /// The path to write output `name` (or a run file) to while staging.
    public func path(for name: String) -> String {
        precondition(Self.contractFiles.contains(name) || Self.runFiles.contains(name), "\(name) is not a declared output")
        return stagingDirectory.appendingPathComponent(name).path
    }

    /// Flushes the run's files to disk and checks that nothing is in the way of publishing them:
    /// what can fail before the switch, done before anything else is made final (a database's
    /// commit waits for it). Returns the staged names.
    @discardableResult
    public func prepareToPublish() throws -> Set<String> {
        let fileManager = FileManager.default
        let staged = Set(try fileManager.contentsOfDirectory(atPath: stagingDirectory.path))
        for name in staged.sorted() { try Self.sync(stagingDirectory.appendingPathComponent(name).path) }
        try Self.sync(stagingDirectory.path)
        for name in Self.contractFiles.sorted() {
            let path = outputDirectory.appendingPathComponent(name).path
            guard let type = (try? fileManager.attributesOfItem(atPath: path))?[.type] as? FileAttributeType else { continue }
            switch type {
            case .typeSymbolicLink, .typeRegular: continue
            case .typeDirectory: throw PublishError.inTheWay(path: path, what: "a folder")
            default: throw PublishError.inTheWay(path: path, what: "not a regular file")
            }
        }
        return staged
    }

    /// Publishes the run's files as one set (`prepareToPublish` first, again if it was done):
    /// points `current` at this run with one rename, makes the links, and removes the
    /// runs before the previous one.
    public func commit() throws {
        let fileManager = FileManager.default
        let staged = try prepareToPublish()  // again: cheap for files already flushed
        let state = outputDirectory.appendingPathComponent(Self.stateFolder, isDirectory: true)
        let previous = Self.currentRunName(in: outputDirectory)
        if previous == nil { try adoptLegacyOutputs(state: state) }

        // The switch: `current` is replaced by a link to this run in one rename(2).
        let next = state.appendingPathComponent("current.next").path
        try? fileManager.removeItem(atPath: next)
        try Self.posix("symlink", path: next) { symlink("runs/" + stagingDirectory.lastPathComponent, next) }
        try Self.posix("rename", path: state.appendingPathComponent("current").path) { rename(next, state.appendingPathComponent("current").path) }
        try Self.sync(state.path)
        committed = true

        // The links: one per output this run wrote (a link to a file the old set lacks reads as
        // missing until the switch, which is what the old set says), and none for the outputs it
        // did not write.
        for name in Self.contractFiles.sorted() {
            let path = outputDirectory.appendingPathComponent(name).path
            let target = Self.stateFolder + "/current/" + name
            if staged.contains(name) {
                if (try? fileManager.destinationOfSymbolicLink(atPath: path)) != target { try Self.replaceWithLink(path, to: target) }
            } else if (try? fileManager.destinationOfSymbolicLink(atPath: path)) != nil {
                try? fileManager.removeItem(atPath: path)
            }
        }
        // Keep the previous run beside this one (the season before, for a comparison); older ones go.
        let runs = state.appendingPathComponent("runs", isDirectory: true)
        for name in (try? fileManager.contentsOfDirectory(atPath: runs.path)) ?? []
        where name != stagingDirectory.lastPathComponent && name != previous && !Self.isRunning(name) {
            try? fileManager.removeItem(at: runs.appendingPathComponent(name))
        }
    }

    /// Outputs of a version that wrote plain files: moved into a run folder of their own and
    /// published through `current` first, so that the switch to this run is one step too.
    private func adoptLegacyOutputs(state: URL) throws {
        let fileManager = FileManager.default
        let legacyNames = Self.contractFiles.filter { name in
            ((try? fileManager.attributesOfItem(atPath: outputDirectory.appendingPathComponent(name).path))?[.type] as? FileAttributeType) == .typeRegular
        }
        guard !legacyNames.isEmpty else { return }
        let legacy = state.appendingPathComponent("runs/run-legacy-0", isDirectory: true)
        try? fileManager.removeItem(at: legacy)
        try fileManager.createDirectory(at: legacy, withIntermediateDirectories: true)
        for name in legacyNames {
            // A hard link keeps the file where readers find it until its link replaces it.
            try Self.posix("link", path: outputDirectory.appendingPathComponent(name).path) {
                link(outputDirectory.appendingPathComponent(name).path, legacy.appendingPathComponent(name).path)
            }
        }
        let current = state.appendingPathComponent("current").path
        try Self.posix("symlink", path: current) { symlink("runs/run-legacy-0", current) }
        for name in legacyNames.sorted() {
            try Self.replaceWithLink(outputDirectory.appendingPathComponent(name).path, to: Self.stateFolder + "/current/" + name)
        }
    }

    /// Whether a run folder's process is alive (another run writing into the same folder).
    static func isRunning(_ name: String) -> Bool {
        guard let pid = name.split(separator: "-").last.flatMap({ Int32($0) }), pid > 0 else { return false }
        return pid != ProcessInfo.processInfo.processIdentifier && kill(pid, 0) == 0
    }

    /// Removes this run's folder; the output folder keeps what it had (and no state folder the
    /// run made of its own).
    public func discard() {
        let fileManager = FileManager.default
        try? fileManager.removeItem(at: stagingDirectory)
        let state = outputDirectory.appendingPathComponent(Self.stateFolder, isDirectory: true)
        for folder in [state.appendingPathComponent("runs"), state] where ((try? fileManager.contentsOfDirectory(atPath: folder.path)) ?? ["?"]).isEmpty {
            try? fileManager.removeItem(at: folder)
        }
    }

    deinit { if !committed { discard() } }

    // MARK: - System calls, each failure a sentence

    /// Puts a link to `target` at `path` in one rename(2): a reader sees the old file or the link.
    private static func replaceWithLink(_ path: String, to target: String) throws {
        let temporary = path + ".irrizone-link"
        try? FileManager.default.removeItem(atPath: temporary)
        try posix("symlink", path: temporary) { symlink(target, temporary) }
        try posix("rename", path: path) { rename(temporary, path) }
    }

    private static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw PublishError.cannotPublish(path: path, reason: String(cString: strerror(errno))) }
        defer { Foundation.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw PublishError.cannotPublish(path: path, reason: "fsync: " + String(cString: strerror(errno))) }
    }

    private static func posix(_ call: String, path: String, _ body: () -> Int32) throws {
        guard body() == 0 else { throw PublishError.cannotPublish(path: path, reason: "\(call): " + String(cString: strerror(errno))) }
    }

    /// The system's words for a file error (strerror), without Foundation's wrapping.
    public static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(code))) }
        return (error as NSError).localizedDescription
    }
}
