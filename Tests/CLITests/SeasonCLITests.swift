import Foundation
import GeoKit
import Testing
import TestSupport

/// Season over season (issue #25): `irrizone diff` and the report's "since the last run".
@Suite struct SeasonCLITests {
    static let sampleProject = CLITests.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path

    static func rows(_ path: String) throws -> [[String: String]] {
        try readBack(path).map { row in row.properties.mapValues { value in if case .string(let s) = value { s } else { "\(value)" } } }
    }

    /// A second run in the same folder (assessed on 2024's water, when ZS02 had not failed)
    /// reports what changed; `diff` lists the same parcels, read from the runs' own state files
    /// or, without them, from their parcels files; a first run has no such section.
    @Test func aSecondRunSaysWhatChanged() throws {
        let directory = try CLITests.temporaryDirectory(), out = directory + "/out", db = directory + "/runs.gpkg"
        let first = try CLITests.run(["assess", "--project", Self.sampleProject, "--out", out, "--db", db, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!(try String(contentsOfFile: out + "/report.html", encoding: .utf8)).contains("与上次评估相比"))
        let firstRun = try FileManager.default.destinationOfSymbolicLink(atPath: out + "/.irrizone/current")
        try FileManager.default.copyItem(atPath: out, toPath: directory + "/before")

        let second = try CLITests.run(["assess", "--project", Self.sampleProject, "--out", out, "--db", db, "--year", "2024", "--quiet"])
        #expect(second.status == 0, "\(second.stderr)")
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(report.contains("与上次评估相比") && report.contains(URL(fileURLWithPath: firstRun).lastPathComponent))

        let diff = try CLITests.run(["diff", directory + "/before", out, "--out", directory + "/diff"])
        #expect(diff.status == 0, "\(diff.stderr)")
        let changes = try Self.rows(directory + "/diff/changes.csv")
        #expect(!changes.isEmpty && changes.allSatisfy { !($0["change"] ?? "").isEmpty })
        // ZS02's parcels: prohibited by its 2025 Cd exceedance, not by 2024's water.
        #expect(changes.contains { $0["old_zone"] == "prohibited" && $0["new_zone"] != "prohibited" && ($0["old_zone_reasons"] ?? "").contains("SOURCE_FAILS_FOR_CLASS") })
        #expect(report.contains("分区变化 \(changes.filter { ($0["change"] ?? "").contains("zone") }.count) 个"), "the report's count of zone changes is diff's")

        // The same from the parcels files, and from the database's last two runs.
        try FileManager.default.removeItem(atPath: directory + "/before/.irrizone/current/parcel-states.tsv")
        #expect(try CLITests.run(["diff", directory + "/before", out, "--out", directory + "/diff-files", "--quiet"]).status == 0)
        #expect(try String(contentsOfFile: directory + "/diff-files/changes.csv", encoding: .utf8) == String(contentsOfFile: directory + "/diff/changes.csv", encoding: .utf8))
        #expect(try CLITests.run(["diff", "previous", "latest", "--db", db, "--out", directory + "/diff-db", "--quiet"]).status == 0)
        #expect(try String(contentsOfFile: directory + "/diff-db/changes.csv", encoding: .utf8) == String(contentsOfFile: directory + "/diff/changes.csv", encoding: .utf8))

        // A run into a new folder compares with the database's last run, read before this run's
        // tables lock the GeoPackage (as a GeoPackage with them too).
        for (name, format) in [("fresh", "geojson"), ("fresh-gpkg", "gpkg")] {
            let fresh = directory + "/" + name
            let third = try CLITests.run(["assess", "--project", Self.sampleProject, "--out", fresh, "--db", db, "--format", format, "--quiet"])
            #expect(third.status == 0, "\(third.stderr)")
            let compared = try String(contentsOfFile: fresh + "/report.html", encoding: .utf8).contains("与上次评估相比")
            #expect(compared, "\(name): no \"since the last run\" section")
            #expect(!third.stderr.contains("could not be read") && !third.stderr.contains("locked"), "\(name): \(third.stderr)")
        }
    }

    @Test func somethingThatIsNotARunIsAClearError() throws {
        let directory = try CLITests.temporaryDirectory()
        let result = try CLITests.run(["diff", directory, directory, "--out", directory + "/diff"])
        #expect(result.status == 1 && result.stderr.contains("holds no irrizone run"), "\(result.stderr)")
    }
}
