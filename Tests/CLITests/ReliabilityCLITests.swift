import Foundation
import Testing
import GeoKit
import TestSupport
import PlanarGeometry

/// Issue #23: no run ends by a signal, nothing is half-written, a bad configuration is refused
/// the same way by `check` and `assess`.
@Suite struct ReliabilityCLITests {
    static let sample = CLITests.repositoryRoot.appendingPathComponent("SampleData").path

    /// Numbers too large for the fixed-point writer (an irrigation volume of 10¹⁶ m³, water at
    /// 10¹¹ mg/L, soil at 10¹⁵ mg/kg) ended `assess` by signal 4 while writing parcels.geojson.
    @Test func hugeNumbersAreWrittenNotTrappedOn() throws {
        let project = try EvidenceCLITests.sampleCopy()
        func edit(_ file: String, encoding: String, row: Int, column: Int, value: String) throws {
            let path = project + "/" + file
            var lines = TextRecoding.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), from: encoding)
                .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
            var cells = lines[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[column] = value
            lines[row] = cells.joined(separator: ",")
            try Data(TextRecoding.encode(lines.joined(separator: "\n"), to: encoding)).write(to: URL(fileURLWithPath: path))
        }
        try edit("irrigation.csv", encoding: "UTF-8", row: 1, column: 2, value: "1e16")
        try edit("water_samples.csv", encoding: "GBK", row: 1, column: 4, value: "1e11")
        try edit("soil_samples.csv", encoding: "UTF-8", row: 1, column: 6, value: "1e15")
        let out = try CLITests.temporaryDirectory() + "/out"
        let result = try CLITests.run(["assess", "--project", project + "/project.yaml", "--out", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let counts = try CLITests.checkOutputs(out, file: "huge numbers")
        #expect(counts.accepted == 2999)
        let text = try String(contentsOfFile: out + "/parcels.geojson", encoding: .utf8)
        #expect(text.contains("e+"))  // written in the shortest round-trip form
    }

    /// A "billion laughs" project file is refused at once instead of expanded into gigabytes.
    @Test func yamlAliasBombsAreRefused() throws {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (name, previous) in zip(["b", "c", "d", "e", "f", "g", "h", "i"], ["a", "b", "c", "d", "e", "f", "g", "h"]) {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        let path = try CLITests.temporaryDirectory() + "/bomb.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let started = Date()
        for command in ["check", "assess"] {
            let result = try CLITests.run([command, "--project", path] + (command == "assess" ? ["--out", path + ".out"] : []))
            #expect(result.status == 1 && result.stderr.contains("aliases"), "\(command): \(result.stderr)")
        }
        #expect(Date().timeIntervalSince(started) < 20)
    }

    /// `check` and `assess` refuse a non-finite or out-of-range number the same way, before any work.
    @Test(arguments: ["linking: {soil_max_distance_m: .nan}", "accumulation: {horizon_years: .inf}", "review: {trend_min_readings: 1e300}",
                      "exclusions: [{path: protection_zone.geojson, buffer_m: -5}]", "exclusions: [{path: protection_zone.geojson, buffer_m: 8000000}]"])
    func badNumbersAreRefusedByCheckAndAssessAlike(line: String) throws {
        let project = try EvidenceCLITests.sampleCopy("bad-number-\(line.filter(\.isLetter))")
        let config = try String(contentsOfFile: project + "/project.yaml", encoding: .utf8)
        let key = String(line.prefix { $0 != ":" })
        let kept = config.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Replace the sample's own section of that key, if any, with the line.
        var lines: [String] = [], skipping = false
        for l in kept {
            if l.hasPrefix(key + ":") { skipping = true; continue }
            if skipping, l.hasPrefix(" ") || l.hasPrefix("\t") { continue }
            skipping = false
            lines.append(l)
        }
        try (lines.joined(separator: "\n") + "\n" + line + "\n").write(toFile: project + "/project.yaml", atomically: true, encoding: .utf8)
        let check = try CLITests.run(["check", "--project", project + "/project.yaml"])
        let assess = try CLITests.run(["assess", "--project", project + "/project.yaml", "--out", project + "/out"])
        #expect(check.status == 1 && assess.status == 1, "\(check.stderr) \(assess.stderr)")
        #expect(check.stderr.contains("project file") && check.stderr == assess.stderr)
        #expect(!FileManager.default.fileExists(atPath: project + "/out/run.json"))
    }

    /// No parcel accepted: `assess` fails as `check` does and leaves the last outputs alone.
    @Test func noParcelAcceptedLeavesThePreviousOutputs() throws {
        let out = try CLITests.temporaryDirectory() + "/out"
        let first = try CLITests.run(["assess", "--project", Self.sample + "/project.yaml", "--out", out, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/run.json"))
        let layer = try CLITests.temporaryDirectory() + "/empty.geojson"
        try """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"parcel_id": "A"}, "geometry": null},
              {"type": "Feature", "properties": {"parcel_id": "B"}, "geometry": {"type": "Point", "coordinates": [112.7, 38.4]}}]}
            """.write(toFile: layer, atomically: true, encoding: .utf8)
        let check = try CLITests.run(["check", "--parcels", layer])
        let assess = try CLITests.run(["assess", "--parcels", layer, "--out", out])
        #expect(check.status == 1 && assess.status == 1, "\(assess.stderr)")
        #expect(assess.stderr.contains("no parcel could be assessed") && assess.stderr.contains("Nothing was written"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/run.json")) == before)
    }

    /// Polygons with Z or M (survey data, `ogr2ogr -dim XYZ`) are read in 2D and said so, with the
    /// same areas as the 2D layer; they were all rejected as "could not be decoded".
    @Test func heightsAndMeasuresAreDroppedAndSaid() throws {
        let dk = CLITests.realData + "/fiboa_lpis_samples/dk/Marker_2026.shp"
        let folder = try CLITests.temporaryDirectory()
        let ogr2ogr = try CLITests.run(["-dim", "XYZ", folder + "/dk3d.gpkg", dk], executable: "/usr/bin/ogr2ogr")
        #expect(ogr2ogr.status == 0, "\(ogr2ogr.stderr)")
        func areas(_ layer: String, _ out: String) throws -> (accepted: Int, area: Double, warnings: [String]) {
            let result = try CLITests.run(["assess", "--parcels", layer, "--out", out, "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            let counts = try CLITests.checkOutputs(out, file: layer)
            let parcels = try EvidenceCLITests.properties(out, "parcels.geojson")
            return (counts.accepted, parcels.reduce(0) { $0 + ($1["area_ha"] as? Double ?? 0) }, try CLITests.manifest(out)["warnings"] as? [String] ?? [])
        }
        let flat = try areas(dk, folder + "/flat"), raised = try areas(folder + "/dk3d.gpkg", folder + "/raised")
        #expect(raised.accepted == flat.accepted && flat.accepted == 100)
        #expect(abs(raised.area - flat.area) < 1e-6 * flat.area)
        #expect(raised.warnings.contains { $0.hasPrefix("100 geometries") && $0.contains("Z or M") })
        let rel = try areas(CLITests.realData + "/pyshp_tests/REL.zip", folder + "/rel")
        #expect(rel.accepted == 1 && rel.warnings.contains { $0.contains("Z or M") })
    }

    /// A `.dbf` or `.shp` cut short stops the run naming the file; it read as 12 parcels (exit 0)
    /// or as parcels "without geometry" before.
    @Test(arguments: [("dbf", UInt64(5_000)), ("shp", UInt64(40_000))])
    func aFileCutShortStopsTheRun(part: String, size: UInt64) throws {
        let folder = try CLITests.temporaryDirectory("cut-\(part)")
        for ext in ["shp", "shx", "dbf", "prj"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: CLITests.realData + "/fiboa_lpis_samples/dk/Marker_2026.\(ext)"))
            try data.write(to: URL(fileURLWithPath: folder + "/dk.\(ext)"))
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/dk.\(part)"))
        try handle.truncate(atOffset: size)
        try handle.close()
        for command in [["check"], ["assess", "--out", folder + "/out"]] {
            let result = try CLITests.run(command + ["--parcels", folder + "/dk.shp"])
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(folder + "/dk.shp is damaged or cut short"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/run.json"))
    }

    /// A password in a connection string never reaches an output or a message.
    @Test func passwordsNeverReachOutputsOrMessages() throws {
        let failed = try CLITests.run(["assess", "--parcels", "PG:host=127.0.0.1 port=1 dbname=survey user=gis password=s3cret-one", "--out",
                                       try CLITests.temporaryDirectory() + "/out"])
        #expect(failed.status == 1 && failed.stderr.contains("password=***") && !failed.stderr.contains("s3cret"), "\(failed.stderr)")
        // A whole run whose inputs and outputs are named with a password (as a connection string would be).
        let folder = try CLITests.temporaryDirectory() + "/password=s3cret-two"
        try FileManager.default.copyItem(atPath: Self.sample, toPath: folder)
        let out = folder + "/out"
        let run = try CLITests.run(["assess", "--project", folder + "/project.yaml", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("s3cret"))
        for file in ["run.json", "report.html", "rejects.csv"] {
            let text = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
            #expect(!text.contains("s3cret") && text.contains("password=***"), "\(file)")
        }
    }

    /// The layers whose zones were invalid as written, and a Bessel layer whose zone area differed
    /// from its parcels' (−0.023 %): `checkZones` holds both to the contract.
    @Test(arguments: [["fiboa_lpis_samples/pt/Continente.gpkg", "--layer", "Culturas_Aveiro"], ["fiboa_lpis_samples/ch/lwb_nutzungsflaechen_v2_0_lv95.gpkg"],
                      ["fiboa_lpis_samples/de_bb/antrag_land_gem.shp"], ["fiboa_lpis_samples/nz/irrigated-land-area-raw-2020-update.shp"]])
    func zonesAreValidAndKeepTheirParcelsArea(input: [String]) throws {
        let out = try CLITests.temporaryDirectory() + "/out"
        let result = try CLITests.run(["assess", "--parcels", CLITests.realData + "/" + input[0]] + input.dropFirst() + ["--out", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        _ = try CLITests.checkOutputs(out, file: input[0])
    }

    /// A zipped shapefile read through /vsizip/ is identified by its archive in run.json (the
    /// hashing step failed with a raw Foundation error).
    @Test func archivesAreHashedAsTheInput() throws {
        let zip = CLITests.realData + "/pyshp_tests/REL.zip"
        let out = try CLITests.temporaryDirectory() + "/out"
        let result = try CLITests.run(["assess", "--parcels", "/vsizip/" + zip + "/REL/releaseArea20090407.shp", "--out", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let inputs = try #require(try CLITests.manifest(out)["inputs"] as? [[String: Any]])
        let size = try FileManager.default.attributesOfItem(atPath: zip)[.size] as? Int
        #expect(inputs.first?["size_bytes"] as? Int == size && (inputs.first?["sha256"] as? String)?.count == 64)
    }

    /// Exclusion sources: several layers need `layer:`; an invalid polygon is repaired like a
    /// parcel (it ended the run with a raw GEOS error).
    @Test func exclusionSourcesAreCheckedLikeParcels() throws {
        let project = try EvidenceCLITests.sampleCopy()
        let zone = project + "/protection_zone.geojson"
        for (layer, extra) in [("first", [String]()), ("second", ["-update"])] {
            let made = try CLITests.run(extra + ["-f", "GPKG", "-nln", layer, project + "/two.gpkg", zone], executable: "/usr/bin/ogr2ogr")
            #expect(made.status == 0, "\(made.stderr)")
        }
        func assess(_ exclusions: String) throws -> CLITests.Result {
            var config = try String(contentsOfFile: project + "/project.yaml", encoding: .utf8)
            config = config.replacingOccurrences(of: "  - path: protection_zone.geojson   # 饮用水水源一级保护区\n    buffer_m: 0", with: exclusions)
            try config.write(toFile: project + "/edited.yaml", atomically: true, encoding: .utf8)
            return try CLITests.run(["assess", "--project", project + "/edited.yaml", "--out", project + "/out", "--quiet"])
        }
        let ambiguous = try assess("  - path: two.gpkg")
        #expect(ambiguous.status == 1 && ambiguous.stderr.contains("several layers (first, second)") && ambiguous.stderr.contains("layer:"))
        #expect(try assess("  - {path: two.gpkg, layer: second}").status == 0)

        // A bow-tie exclusion polygon over the sample's parcels.
        try """
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "bow-tie"}, "geometry": {"type": "Polygon",
              "coordinates": [[[112.66, 38.37], [112.70, 38.41], [112.70, 38.37], [112.66, 38.41], [112.66, 38.37]]]}}]}
            """.write(toFile: project + "/bowtie.geojson", atomically: true, encoding: .utf8)
        let repaired = try assess("  - path: bowtie.geojson")
        #expect(repaired.status == 0, "\(repaired.stderr)")
        let parcels = try EvidenceCLITests.properties(project + "/out", "parcels.geojson")
        #expect(parcels.contains { ($0["exclusion_areas"] as? [String])?.contains("bow-tie") == true })
    }
}
