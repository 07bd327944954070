import Foundation
import GeoKit
import Testing
import TestSupport

/// The survey workspace (issue #25): `load` batches of field data, `assess --workspace`.
@Suite struct WorkspaceCLITests {
    static let sample = CLITests.repositoryRoot.appendingPathComponent("SampleData").path

    /// The sample project without its monitoring files: parcels, rules and exclusions only.
    static func parcelsOnlyProject(in directory: String) throws -> String {
        var kept: [Substring] = [], skipping = false
        let monitoring = ["sources:", "water:", "soil:", "wells:", "irrigation:", "produce:"]
        for line in try String(contentsOfFile: sample + "/project.yaml", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if monitoring.contains(where: { line.hasPrefix($0) }) { skipping = true; continue }
            if skipping && line.hasPrefix(" ") { continue }
            skipping = false
            kept.append(line)
        }
        let text = kept.joined(separator: "\n").replacingOccurrences(of: "path: parcels.shp", with: "path: \(sample)/parcels.shp")
            .replacingOccurrences(of: "path: protection_zone.geojson", with: "path: \(sample)/protection_zone.geojson")
        let path = directory + "/parcels-only.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func load(_ workspace: String, _ extra: [String], out: String) throws -> CLITests.Result {
        try CLITests.run(["load", "--project", sample + "/project.yaml", "--workspace", workspace, "--out", out] + extra)
    }

    /// Every sample table loaded twice (the second time adds nothing and says so), then a run from
    /// the workspace alone: the same parcels, zones and findings as a run from the files.
    @Test func aRunFromTheWorkspaceEqualsARunFromTheFiles() throws {
        let directory = try CLITests.temporaryDirectory(), workspace = directory + "/survey.gpkg"
        let first = try Self.load(workspace, [], out: directory + "/load1")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("72 records added"), "\(first.stderr)")
        let second = try Self.load(workspace, [], out: directory + "/load2")
        #expect(second.status == 0 && second.stderr.components(separatedBy: "nothing added").count == 7, "\(second.stderr)")
        let dataset = try Dataset.open(workspace)
        #expect(try dataset.queryText("SELECT COUNT(*) FROM irrizone_ws_batches") == "6")
        #expect(try dataset.queryText("SELECT COUNT(*) FROM irrizone_ws_records WHERE kind = 'water'") == "72")
        #expect(try dataset.queryText("SELECT sha256 FROM irrizone_ws_batches WHERE kind = 'water'")
                == (try SHA256.hexDigest(ofFile: Self.sample + "/water_samples.csv")))

        let project = try Self.parcelsOnlyProject(in: directory)
        let fromWorkspace = try CLITests.run(["assess", "--project", project, "--workspace", workspace, "--out", directory + "/ws", "--quiet"])
        #expect(fromWorkspace.status == 0, "\(fromWorkspace.stderr)")
        let fromFiles = try CLITests.run(["assess", "--project", Self.sample + "/project.yaml", "--out", directory + "/files", "--quiet"])
        #expect(fromFiles.status == 0)
        let a = try EvidenceCLITests.properties(directory + "/ws", "parcels.geojson"), b = try EvidenceCLITests.properties(directory + "/files", "parcels.geojson")
        #expect(a.count == b.count)
        func canonical(_ properties: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: properties, options: [.sortedKeys]) }
        #expect(try zip(a, b).allSatisfy { try canonical($0) == canonical($1) }, "every parcel's properties the same")
        #expect(try String(contentsOfFile: directory + "/ws/review.csv", encoding: .utf8) == String(contentsOfFile: directory + "/files/review.csv", encoding: .utf8))
        // Files and the workspace together: the same records count once.
        let both = try CLITests.run(["assess", "--project", Self.sample + "/project.yaml", "--workspace", workspace, "--out", directory + "/both", "--quiet"])
        #expect(both.status == 0)
        #expect(try String(contentsOfFile: directory + "/both/review.csv", encoding: .utf8) == String(contentsOfFile: directory + "/files/review.csv", encoding: .utf8))
    }

    /// A new lab sheet (ZS01's cadmium above the limit in late December) loaded as a batch of its
    /// own changes the next run, and `diff` shows it; a sheet that rewrites a sample loaded before
    /// is refused with both places.
    @Test func aNewBatchShowsUpInDiff() throws {
        let directory = try CLITests.temporaryDirectory(), workspace = directory + "/survey.gpkg"
        #expect(try Self.load(workspace, [], out: directory + "/load").status == 0)
        let project = try Self.parcelsOnlyProject(in: directory), out = directory + "/out"
        #expect(try CLITests.run(["assess", "--project", project, "--workspace", workspace, "--out", out, "--quiet"]).status == 0)
        try FileManager.default.copyItem(atPath: out, toPath: directory + "/before")

        let sheet = directory + "/water_2025-12b.csv"
        try "sample_id,source_id,date,Cd (mg/L)\nW202512B-ZS01,ZS01,2025-12-29,0.05\n".write(toFile: sheet, atomically: true, encoding: .utf8)
        let loaded = try CLITests.run(["load", "--parcels", Self.sample + "/parcels.shp", "--water", sheet, "--workspace", workspace, "--out", directory + "/load-b"])
        #expect(loaded.status == 0 && loaded.stderr.contains("1 records added"), "\(loaded.stderr)")
        // The same sheet read another way is read again; its record is already there.
        let again = try CLITests.run(["load", "--parcels", Self.sample + "/parcels.shp", "--water", sheet, "--table-encoding", "UTF-8",
                                      "--workspace", workspace, "--out", directory + "/load-b2"])
        #expect(again.status == 0 && again.stderr.contains("0 records added, 1 already in the workspace"), "\(again.stderr)")
        #expect(try CLITests.run(["assess", "--project", project, "--workspace", workspace, "--out", out, "--quiet"]).status == 0)
        #expect(try String(contentsOfFile: out + "/report.html", encoding: .utf8).contains("与上次评估相比"))
        #expect(try CLITests.run(["diff", directory + "/before", out, "--out", directory + "/diff", "--quiet"]).status == 0)
        let changes = try readBack(directory + "/diff/changes.csv")
        #expect(changes.contains { row in
            if case .string("prohibited") = row.properties["new_zone"], case .string(let reasons) = row.properties["new_zone_reasons"] {
                return reasons.contains("SOURCE_FAILS_FOR_CLASS")
            }
            return false
        }, "ZS01's parcels fail its cadmium now")

        let rewrite = directory + "/water_rewrite.csv"
        try "sample_id,source_id,date,Cd (mg/L)\nW202512B-ZS01,ZS01,2025-12-29,0.005\n".write(toFile: rewrite, atomically: true, encoding: .utf8)
        let refused = try CLITests.run(["load", "--parcels", Self.sample + "/parcels.shp", "--water", rewrite, "--workspace", workspace, "--out", directory + "/load-c"])
        #expect(refused.status == 0 && refused.stderr.contains("1 conflicting"), "\(refused.stderr)")
        let rejects = try String(contentsOfFile: directory + "/load-c/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("DUPLICATE_CONFLICT") && rejects.contains("water_rewrite.csv") && rejects.contains("water_2025-12b.csv"), "\(rejects)")
        #expect(try Dataset.open(workspace).queryText("SELECT COUNT(*) FROM irrizone_ws_rejects WHERE code = 'DUPLICATE_CONFLICT'") == "1")
    }

    /// A PostGIS workspace, in a schema of its own.
    @Test(.enabled(if: DatabaseCLITests.postgis != nil, Comment(rawValue: DatabaseCLITests.skipReason)))
    func aWorkspaceInPostGIS() throws {
        let server = try #require(DatabaseCLITests.postgis), schema = "t_ws_\(UInt32.random(in: 0...UInt32.max))"
        try Dataset.open(server, update: true).execute("CREATE SCHEMA \(schema)")
        let workspace = server + " active_schema=\(schema)", directory = try CLITests.temporaryDirectory()
        #expect(try Self.load(workspace, [], out: directory + "/load").status == 0)
        let again = try Self.load(workspace, [], out: directory + "/load2")
        #expect(again.stderr.components(separatedBy: "nothing added").count == 7, "\(again.stderr)")
        let project = try Self.parcelsOnlyProject(in: directory)
        let run = try CLITests.run(["assess", "--project", project, "--workspace", workspace, "--out", directory + "/ws", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let zones = try #require(try CLITests.manifest(directory + "/ws")["assessment"] as? [String: Any])["parcels_by_zone"] as? [String: Int]
        #expect(zones == ["suitable": 170, "restricted": 766, "prohibited": 2063])
    }
}
