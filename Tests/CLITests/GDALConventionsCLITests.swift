import Foundation
import Testing
import TestSupport

/// GDAL's conventions on the command line and in the project file (issue #25): `--oo`, `--where`,
/// `--config KEY VALUE`, `--project`, connection strings kept as written, `--out` a folder.
@Suite struct GDALConventionsCLITests {
    static let sampleProject = CLITests.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path

    /// `--where` reads only the features it selects; the run counts only those (the sample's maize:
    /// 1 035 features, as `ogrinfo -sql "SELECT COUNT(*) … WHERE ZZZW = '玉米'"` counts them).
    @Test func whereReadsOnlyTheSelectedParcels() throws {
        let out = try CLITests.temporaryDirectory()
        let result = try CLITests.run(["assess", "--project", Self.sampleProject, "--where", "ZZZW = '玉米'", "--out", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let counts = try #require(try CLITests.manifest(out)["counts"] as? [String: Any])
        #expect(counts["features_in"] as? Int == 1035)
        let crops = Set(try EvidenceCLITests.properties(out, "parcels.geojson").compactMap { $0["crop"] as? String })
        #expect(crops == ["玉米"])
    }

    /// A filter GDAL cannot apply stops the run before anything is written, naming the clause.
    @Test func aBadFilterIsAClearError() throws {
        let out = try CLITests.temporaryDirectory() + "/out"
        let result = try CLITests.run(["assess", "--project", Self.sampleProject, "--where", "NO_SUCH_FIELD = 1", "--out", out])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--where \"NO_SUCH_FIELD = 1\" cannot filter") && result.stderr.contains("parcels.shp"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `--config` is GDAL's KEY VALUE; a lone `--config FILE.yaml` still reads the project file,
    /// with a warning that names the new flag.
    @Test func configIsGDALsAndTheOldProjectFlagStillWorks() throws {
        let out = try CLITests.temporaryDirectory()
        let old = try CLITests.run(["assess", "--config", Self.sampleProject, "--out", out + "/old", "--quiet"])
        #expect(old.status == 0 && old.stderr.contains("use --project"), "\(old.stderr)")
        let gdal = try CLITests.run(["assess", "--project", Self.sampleProject, "--config", "GDAL_CACHEMAX", "64", "--out", out + "/gdal", "--quiet"])
        #expect(gdal.status == 0, "\(gdal.stderr)")
        let odd = try CLITests.run(["assess", "--project", Self.sampleProject, "--config", "GDAL_CACHEMAX", "--out", out + "/odd"])
        #expect(odd.status != 0 && odd.stderr.contains("--config takes a GDAL configuration option and its value"), "\(odd.stderr)")
        let badOpenOption = try CLITests.run(["assess", "--project", Self.sampleProject, "--oo", "ENCODING", "--out", out + "/oo"])
        #expect(badOpenOption.status != 0 && badOpenOption.stderr.contains("NAME=VALUE"), "\(badOpenOption.stderr)")
    }

    /// An open option reaches the driver: the sample shapefile's own encoding replaced by Latin-1
    /// garbles its Chinese text, which the run refuses (so the option was applied).
    @Test func anOpenOptionReachesTheDriver() throws {
        let out = try CLITests.temporaryDirectory() + "/out"
        let result = try CLITests.run(["assess", "--project", Self.sampleProject, "--oo", "ENCODING=ISO-8859-1", "--out", out])
        #expect(result.status == 1 && result.stderr.contains("does not decode cleanly"), "\(result.stderr)")
    }

    /// `--out` is a folder: a connection string there is refused, and no folder of that name made.
    @Test func aDatabaseAsOutIsRefused() throws {
        let directory = try CLITests.temporaryDirectory()
        let dsn = "PG:dbname=irrizone password=hunter2"
        let result = try CLITests.run(["assess", "--project", Self.sampleProject, "--out", dsn], workingDirectory: directory)
        #expect(result.status == 1 && result.stderr.contains("names a database") && result.stderr.contains("--db"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    /// An exclusion layer's `where` is applied: with no protection zone selected, no parcel is
    /// excluded (the sample's zone excludes about 40).
    @Test func anExclusionFilterIsApplied() throws {
        let directory = try CLITests.temporaryDirectory()
        let project = try String(contentsOfFile: Self.sampleProject, encoding: .utf8)
            .replacingOccurrences(of: "    buffer_m: 0", with: "    buffer_m: 0\n    where: \"kind = 'no such kind'\"")
        #expect(project.contains("no such kind"))
        let path = CLITests.repositoryRoot.appendingPathComponent("SampleData").path + "/filtered-\(UInt32.random(in: 0...UInt32.max)).yaml"
        try project.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CLITests.run(["assess", "--project", path, "--out", directory + "/out", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let excluded = try EvidenceCLITests.properties(directory + "/out", "parcels.geojson").filter { ($0["zone_reasons"] as? [String])?.contains("IN_EXCLUSION_AREA") == true }
        #expect(excluded.isEmpty)
    }
}
