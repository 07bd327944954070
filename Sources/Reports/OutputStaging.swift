import Foundation

/// Writes a run's outputs atomically (DESIGN.md §2 "Report"): everything goes to a hidden
/// staging folder inside the output folder; `commit()` renames each file into place and removes
/// outputs of an earlier run that this run did not produce; `discard()` (or a failure before
/// commit) leaves the output folder exactly as it was.
public final class OutputStaging {
    /// Every file name irrizone may write, so a new run replaces an old run's outputs whole
    /// without touching anything else the user keeps in the folder.
    public static let contractFiles: Set<String> = [
        "parcels.geojson", "parcels.gpkg", "zones.geojson", "sources.geojson", "sources.csv",
        "summary.csv", "review.csv", "report.html", "rejects.csv", "run.json",
        "partition.json", "partition.bin",  // parts of a partitioned run (`--shard`), for `merge`
    ]

    public let outputDirectory: URL
    public let stagingDirectory: URL
    private var committed = false

    public init(outputDirectory: String) throws {
        self.outputDirectory = URL(fileURLWithPath: outputDirectory, isDirectory: true)
        try FileManager.default.createDirectory(at: self.outputDirectory, withIntermediateDirectories: true)
        stagingDirectory = self.outputDirectory.appendingPathComponent(".irrizone-staging-\(ProcessInfo.processInfo.processIdentifier)",
                                                                      isDirectory: true)
        try? FileManager.default.removeItem(at: stagingDirectory)
        Self.removeStaleStaging(in: self.outputDirectory)
        try FileManager.default.createDirectory(at: stagingDirectory, withIntermediateDirectories: true)
    }

    /// Staging folders of runs that were killed (their process is gone) hold nothing anyone needs.
    static func removeStaleStaging(in directory: URL) {
        let prefix = ".irrizone-staging-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// The path to write output `name` to while staging.
    public func path(for name: String) -> String {
        precondition(Self.contractFiles.contains(name), "\(name) is not a declared output")
        return stagingDirectory.appendingPathComponent(name).path
    }

    /// Flushes the staged files to disk, then moves them into the output folder, replacing the
    /// previous run's outputs (so a file renamed into place is whole on disk, even after a crash).
    public func commit() throws {
        let fileManager = FileManager.default
        let staged = Set(try fileManager.contentsOfDirectory(atPath: stagingDirectory.path))
        for name in staged.sorted() {
            let path = stagingDirectory.appendingPathComponent(name).path
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0, fsync(descriptor) == 0 else {
                if descriptor >= 0 { Foundation.close(descriptor) }
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            Foundation.close(descriptor)
        }
        for name in staged {
            let target = outputDirectory.appendingPathComponent(name)
            // rename(2) replaces an existing file atomically.
            guard rename(stagingDirectory.appendingPathComponent(name).path, target.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
            }
        }
        for stale in Self.contractFiles.subtracting(staged) {
            try? fileManager.removeItem(at: outputDirectory.appendingPathComponent(stale))
        }
        try fileManager.removeItem(at: stagingDirectory)
        committed = true
    }

    /// Removes everything staged; the output folder keeps what it had.
    public func discard() {
        try? FileManager.default.removeItem(at: stagingDirectory)
    }

    deinit { if !committed { discard() } }
}
