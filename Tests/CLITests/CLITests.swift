import Foundation
import Testing
import GeoKit
import Yams
import TestSupport

/// End-to-end: runs the built `irrizone` binary as a user would and reads its outputs back
/// through GDAL.
@Suite struct CLITests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let realData = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/realdata").path

    /// The binary SwiftPM built next to the test bundle.
    static var binary: String {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("irrizone").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/irrizone").path
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs the built binary (or `executable`) with `arguments`; `environment` adds variables.
    static func run(_ arguments: [String], executable: String? = nil, environment: [String: String] = [:],
                    workingDirectory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryDirectory(_ name: String = #function) throws -> String {
        try TestScratch.directory(name)
    }

    static func manifest(_ out: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json"))) as? [String: Any])
    }

    /// The output contract of a finished run: counts balance, the GeoJSON opens in GDAL with one
    /// feature per accepted parcel, every geometry is valid WGS84, rejects.csv lists every reject.
    static func checkOutputs(_ out: String, file: String) throws -> (accepted: Int, rejected: Int, repaired: Int) {
        let counts = try #require(try manifest(out)["counts"] as? [String: Any])
        let featuresIn = try #require(counts["features_in"] as? Int)
        let accepted = try #require(counts["accepted"] as? Int)
        let rejected = try #require(counts["rejected"] as? Int)
        #expect(featuresIn == accepted + rejected, "\(file): counts must balance")
        GDALEnvironment.initialize()
        let dataset = try Dataset.open(out + "/parcels.geojson")
        let layer = try #require(dataset.layer(at: 0))
        #expect(layer.featureCount() == accepted, "\(file): GeoJSON feature count")
        #expect(try layer.spatialReference()?.authorityCode == "EPSG:4326")
        try layer.forEachFeature { feature in
            let geometry = try #require(feature.geometry, "\(file): every written parcel has a geometry")
            #expect(geometry.isValid, "\(file): feature \(feature.id ?? -1) is invalid after 7-decimal rounding")
            let e = geometry.envelope
            #expect(e.minX >= -180 && e.maxX <= 180 && e.minY >= -90 && e.maxY <= 90)
        }
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        #expect(rejects.split(separator: "\r\n").count == 1 + rejected, "\(file): one rejects.csv row per reject")
        try checkZones(out, file: file)
        return (accepted, rejected, try #require(counts["repaired"] as? Int))
    }

    /// Issue #23: every zone is valid as written, and a coverage's zones have their parcels' area.
    static func checkZones(_ out: String, file: String) throws {
        let zones = try Dataset.open(out + "/zones.geojson")
        let layer = try #require(zones.layer(at: 0))
        let areaField = try #require(layer.fields.firstIndex { $0.name == "area_ha" })
        let methodField = try #require(layer.fields.firstIndex { $0.name == "dissolve_method" })
        var zoneArea = 0.0, allCoverage = true
        try layer.forEachFeature { feature in
            let geometry = try #require(feature.geometry, "\(file): a zone without geometry")
            #expect(geometry.isValid, "\(file): zone \(feature.id ?? -1) is invalid as written")
            if case .real(let area) = feature.value(at: areaField) { zoneArea += area }
            if case .string(let method) = feature.value(at: methodField), method != "coverage" { allCoverage = false }
        }
        let parcels = try Dataset.open(out + "/parcels.geojson")
        let parcelLayer = try #require(parcels.layer(at: 0))
        let parcelArea = try #require(parcelLayer.fields.firstIndex { $0.name == "area_ha" })
        var parcelSum = 0.0
        try parcelLayer.forEachFeature { feature in if case .real(let area) = feature.value(at: parcelArea) { parcelSum += area } }
        if allCoverage {
            #expect(abs(zoneArea - parcelSum) <= 1e-6 * max(parcelSum, 1e-9), "\(file): zones \(zoneArea) ha, parcels \(parcelSum) ha")
        } else {
            #expect(zoneArea <= parcelSum * (1 + 1e-6), "\(file): overlapping parcels dissolve to less, not more")
        }
    }

    @Test func versionPrints() throws {
        let result = try Self.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    /// `--help` is ArgumentParser's own answer: the usage on stdout and a clean exit, for the tool
    /// and each subcommand (a run error handler once took its help request for a failure).
    @Test(arguments: [[], ["assess"], ["check"], ["merge"], ["standards"]])
    func helpPrintsUsage(_ command: [String]) throws {
        let result = try Self.run(command + ["--help"])
        #expect(result.status == 0, "\(command) --help: \(result.stderr)")
        #expect(result.stdout.contains("USAGE: irrizone"), "\(command) --help printed: \(result.stdout)")
        #expect(result.stderr.isEmpty)
    }

    @Test func assessesTheSampleProject() throws {
        let out = try Self.temporaryDirectory()
        let result = try Self.run(["assess", "--project", Self.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let counts = try Self.checkOutputs(out, file: "SampleData")
        #expect(counts.accepted == 2999 && counts.rejected == 1 && counts.repaired == 3)
        #expect(result.stderr.contains("2999 accepted"))
        // Chinese text survives GBK → UTF-8 → GeoJSON.
        let text = try String(contentsOfFile: out + "/parcels.geojson", encoding: .utf8)
        #expect(text.contains("\"crop\": \"青贮玉米\""))
        #expect(text.contains("\"admin_unit\": \"奇村镇\""))
        // Monitoring evidence is linked: the Cd hot spot shows, the unsurveyed corner says so.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let properties = try #require(json["features"] as? [[String: Any]]).compactMap { $0["properties"] as? [String: Any] }
        #expect(properties.contains { ($0["soil_cd_mg_kg"] as? Double ?? 0) > 0.6 })
        let withoutSoil = properties.filter { ($0["soil_sample_ids"] as? [String])?.isEmpty == true }
        #expect(!withoutSoil.isEmpty && withoutSoil.allSatisfy { $0["soil_cd_mg_kg"] is NSNull && $0["soil_estimated"] is NSNull })
        #expect(properties.contains { $0["soil_estimated"] as? Bool == true })
        #expect(properties.contains { !(($0["well_ids"] as? [String]) ?? []).isEmpty })
        #expect(properties.contains { $0["irrigation_m3_ha_yr"] is Double } && properties.contains { $0["irrigation_m3_ha_yr"] is NSNull })
        // The executable runs on jemalloc with huge pages (`CJemalloc`), and run.json says so.
        let tool = try #require(try Self.manifest(out)["tool"] as? [String: Any])
        #if os(Linux)
        // (Not under a sanitizer, which brings its own allocator: Package.swift.)
        if dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") == nil {
            #expect((tool["allocator"] as? String).map { $0.hasPrefix("jemalloc 5.") && $0.hasSuffix("(thp: always)") } == true, "allocator: \(tool["allocator"] ?? "none")")
        }
        #endif
        let monitoring = try #require(try Self.manifest(out)["monitoring"] as? [[String: Any]])
        #expect(monitoring.count == 6)
        for file in monitoring {
            let read = file["rows_read"] as? Int ?? -1, accepted = file["rows_accepted"] as? Int ?? -1
            #expect(read == accepted + (file["rows_rejected"] as? Int ?? 0) + (file["duplicate_rows_merged"] as? Int ?? 0))
            #expect(file["rows_rejected"] as? Int == 0 && file["values_rejected"] as? Int == 0, "the sample has no unexplained rejects")
        }
    }

    /// Two runs on the same input write the same bytes (each run is a new process, so a result
    /// that depended on a dictionary's per-process order would show here).
    @Test func rerunsAreByteIdentical() throws {
        let project = Self.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path
        let first = try Self.temporaryDirectory(), second = try Self.temporaryDirectory()
        for out in [first, second] {
            let result = try Self.run(["assess", "--project", project, "--out", out, "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        for file in ["parcels.geojson", "zones.geojson", "sources.geojson", "summary.csv", "review.csv", "rejects.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: first + "/" + file)), b = try Data(contentsOf: URL(fileURLWithPath: second + "/" + file))
            #expect(a == b, "\(file) differs between two runs on the same input")
        }
    }

    /// Issue #4 "done when": the failing plants with the parcels they affect; zones by crop class;
    /// the protection zone; zones.geojson opening in GDAL and conserving area.
    @Test func theSampleStoryZonesAsThePolicySays() throws {
        let out = try Self.temporaryDirectory()
        let result = try Self.run(["assess", "--project", Self.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        func features(_ file: String) throws -> [[String: Any]] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/" + file))) as? [String: Any]
            return try #require(json?["features"] as? [[String: Any]]).compactMap { $0["properties"] as? [String: Any] }
        }
        let sources = Dictionary(uniqueKeysWithValues: try features("sources.geojson").map { ($0["source_id"] as! String, $0) })
        #expect(sources["ZS01"]?["status"] as? String == "pass" && sources["ZS01"]?["supply_action"] is NSNull)
        let zs02 = try #require(sources["ZS02"]), zs03 = try #require(sources["ZS03"])
        #expect(zs03["status"] as? String == "fail" && zs03["prohibited_inflow"] as? Bool == true && zs03["supply_action"] as? String == "suspend")
        #expect((zs03["affected_parcel_ids"] as? [String])?.count == zs03["parcels_served"] as? Int)
        let cd = try #require((zs02["failing_parameters"] as? [[String: Any]])?.first { $0["parameter"] as? String == "cd" })
        #expect(cd["value"] as? Double == 0.018 && cd["limit_max"] as? Double == 0.01 && cd["evidence"] as? [String] == ["W202507-ZS02"])
        #expect(cd["unverified"] as? Bool == true)  // GB 5084-2021 values are M in standards.md
        #expect(zs02["supply_action"] as? String == "suspend")

        let parcels = try features("parcels.geojson")
        for p in parcels {
            let cropClass = p["crop_class"] as? String ?? "", zone = p["zone"] as? String ?? ""
            let reasons = p["zone_reasons"] as? [String] ?? []
            if ["vegetable_cooked", "vegetable_raw", "fruit"].contains(cropClass) { #expect(zone == "prohibited") }
            if ["dryland_grain_oil", "paddy"].contains(cropClass) { #expect(zone != "suitable" && reasons.contains("TIER_CAUTIOUS")) }
            if ["feed_forage", "fiber_industrial", "landscape_forest"].contains(cropClass), reasons.isEmpty { #expect(zone == "suitable") }
            if (p["exclusion_share"] as? Double ?? 0) > 0 { #expect(zone == "prohibited" && reasons.contains("IN_EXCLUSION_AREA")) }
            if p["source_id"] as? String == "ZS03" { #expect(reasons.contains("SOURCE_PROHIBITED_INFLOW")) }
        }
        #expect(parcels.contains { $0["zone"] as? String == "suitable" })

        // Issue #5: the Cd hot spot, the rising well, evidence, and honest nulls.
        let hotSpot = parcels.filter { ($0["soil_cd_mg_kg"] as? Double ?? 0) > 0.6 }
        #expect(!hotSpot.isEmpty && hotSpot.allSatisfy { $0["soil_review"] as? Bool == true && $0["limiting_element"] as? String == "cd"
            && ($0["irrigation_years_limit"] as? Double ?? 99) < 20 })
        let rising = parcels.filter { ($0["review_reasons"] as? [String] ?? []).contains("GW_RISING_TREND") }
        #expect(!rising.isEmpty && rising.allSatisfy { $0["groundwater_review"] as? Bool == true })
        let trend = try #require((rising.first?["findings"] as? [[String: Any]])?.first { $0["code"] as? String == "GW_RISING_TREND" && $0["parameter"] as? String == "chloride" })
        #expect((trend["value"] as? Double ?? 0) > 25 && trend["evidence"] as? [String] == ["GW03"] && trend["unit"] as? String == "mg/L per year")
        for p in parcels {
            for finding in p["findings"] as? [[String: Any]] ?? [] where !(finding["code"] as! String).hasSuffix("_NO_DATA") {
                #expect(!(finding["evidence"] as? [String] ?? []).isEmpty, "\(finding["code"]!) names its evidence")
            }
        }
        let noSoil = parcels.filter { ($0["review_reasons"] as? [String] ?? []).contains("SOIL_NO_DATA") }
        #expect(!noSoil.isEmpty && noSoil.allSatisfy { $0["soil_cd_mg_kg"] is NSNull && $0["years_to_screening_cd"] is NSNull && $0["irrigation_years_limit"] is NSNull })
        #expect(parcels.filter { ($0["exclusion_share"] as? Double ?? 0) > 0 }.count > 20)
        #expect(parcels.contains { ($0["zone_reasons"] as? [String])?.contains("CROP_UNKNOWN") == true && $0["crop"] as? String == "试验田" })

        GDALEnvironment.initialize()
        let zones = try Dataset.open(out + "/zones.geojson")
        let layer = try #require(zones.layer(at: 0))
        var zoneArea = 0.0
        try layer.forEachFeature { feature in
            #expect(feature.geometry?.isValid == true)
            if case .real(let area) = feature.value(at: layer.fields.firstIndex { $0.name == "area_ha" }!) { zoneArea += area }
        }
        let parcelArea = parcels.reduce(0) { $0 + ($1["area_ha"] as? Double ?? 0) }
        #expect(abs(zoneArea - parcelArea) < 0.001 * parcelArea)
    }

    @Test func standardsCommandPrintsLimitsWithSources() throws {
        let result = try Self.run(["standards", "--crop-class", "vegetable_raw"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("GB5084-2021") && result.stdout.contains("GB20922-2007") && result.stdout.contains("GB15618-2018"))
        #expect(result.stdout.contains("unverified") && result.stdout.contains("§1 Table 1"))
        let json = try Self.run(["standards", "--json", "--standard", "GB5084-2021"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((root["water_limits"] as? [[String: Any]])?.count == 160)
        #expect(try Self.run(["crops"]).stdout.contains("苜蓿 / alfalfa"))
    }

    @Test func checkWritesNothingAndReportsJSON() throws {
        let result = try Self.run(["check", "--parcels", Self.repositoryRoot.appendingPathComponent("SampleData/parcels.shp").path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["can_assess"] as? Bool == true)
        let parcels = try #require(report["parcels"] as? [String: Any])
        #expect(parcels["features_in"] as? Int == 3000)
        #expect(parcels["crs"] as? String == "EPSG:4547")
        #expect(parcels["text_encoding"] as? String == "CP936 (from .cpg)")
    }

    /// Every real parcel file either assesses with balanced counts and valid output, or stops
    /// with a clear message and leaves no output behind.
    @Test(arguments: [
        "fiboa_lpis_samples/at/INSPIRE_SCHLAEGE_2025-1_POLYGON.gpkg",
        "fiboa_lpis_samples/be_vlg/Landbouwgebruikspercelen_2023_-_Definitief_(extractie_28-03-2024).gpkg",
        "fiboa_lpis_samples/be_wal/LU_ExistingLandUse_SIGEC2022.gml",
        "fiboa_lpis_samples/bg/Arable_Land_2024.shp", "fiboa_lpis_samples/br_ba_lem/LEM_dataset.shp",
        "fiboa_lpis_samples/ch/lwb_nutzungsflaechen_v2_0_lv95.gpkg", "fiboa_lpis_samples/de_bb/antrag_land_gem.shp",
        "fiboa_lpis_samples/de_sh/de_sh.gpkg", "fiboa_lpis_samples/dk/Marker_2026.shp", "fiboa_lpis_samples/ec_lv/LV_2021_EC21.shp",
        "fiboa_lpis_samples/ec_ro/RO_ny_EC21.shp", "fiboa_lpis_samples/ec_si/SI_2021_EC21.shp", "fiboa_lpis_samples/es_cat/CULTIUS_DUN2023.gpkg",
        "fiboa_lpis_samples/fi/LandUse.ExistingLandUse.GSAAAgriculturalParcel.gpkg", "fiboa_lpis_samples/hr/land_parcels.gpkg",
        "fiboa_lpis_samples/ie/GSAA_2024.gml", "fiboa_lpis_samples/jecam/BD_JECAM_CIRAD_2023_feb.shp",
        "fiboa_lpis_samples/nl/brpgewaspercelen_definitief_2023.gpkg", "fiboa_lpis_samples/nz/irrigated-land-area-raw-2020-update.shp",
        "fiboa_lpis_samples/pt/Continente.gpkg", "fiboa_lpis_samples/se/arslager_skiftePolygon.shp",
        "deafrica_cropmask/Eastern_training_data_20210427.geojson", "deafrica_cropmask/sahel_training_data_20211110.geojson",
        "deafrica_cropmask/ref_african_crops_tanzania.geojson",
        "planet_dwr_sacramento/ground-truth-train.geojson", "planet_dwr_sacramento/ground-truth-test.geojson",
        "pyshp_tests/blockgroups.shp", "pyshp_tests/corrupt_too_long.shp", "pyshp_tests/latin1.shp", "pyshp_tests/REL.zip",
        "pyshp_tests/empty_zipfile.zip", "fiona_tests/gre.shp", "fiona_tests/coutwildrnp.shp", "fiona_tests/test_tin.shp",
        "fiona_tests/!test.geojson", "fiona_tests/multicurve.gml", "fiona_tests/trio.geojson", "fiona_tests/issue627.geojson",
        "pyogrio_fixtures/naturalearth_lowres.shp", "pyogrio_fixtures/curve.gpkg", "pyogrio_fixtures/curvepolygon.gpkg",
        "pyogrio_fixtures/multisurface.gpkg", "pyogrio_fixtures/line_zm.gpkg", "pyogrio_fixtures/test_gpkg_nulls.gpkg",
    ])
    func realParcelFileAssessesOrStopsClearly(file: String) throws {
        let path = Self.realData + "/" + file
        try #require(FileManager.default.fileExists(atPath: path), "missing real data: \(path)")
        let out = try Self.temporaryDirectory()
        let result = try Self.run(["assess", "--parcels", path, "--out", out])
        if result.status == 0 {
            _ = try Self.checkOutputs(out, file: file)
        } else {
            // (Phase lines may come first: a layer whose every feature is rejected fails once read.)
            #expect(result.stderr.split(whereSeparator: \.isNewline).contains { $0.hasPrefix("Error: ") }, "\(file): \(result.stderr)")
            #expect(result.stderr.contains(path) || result.stderr.contains(file), "\(file): the message names the file")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty, "\(file): a failed run leaves nothing behind")
        }
    }

    @Test(arguments: [
        ("planet_dwr_sacramento/ground-truth-train.geojson", "FeatureCollection"),
        ("pyshp_tests/blockgroups.shp", "--assume-crs"),
        ("pyshp_tests/latin1.shp", "SHAPE_RESTORE_SHX"),
        ("fiboa_lpis_samples/ec_lv/LV_2021_EC21.shp", "--encoding UTF-8"),
        ("fiboa_lpis_samples/pt/Continente.gpkg", "--layer"),
    ])
    func badInputsGetActionableMessages(file: String, advice: String) throws {
        let result = try Self.run(["assess", "--parcels", Self.realData + "/" + file, "--out", try Self.temporaryDirectory()])
        #expect(result.status != 0)
        #expect(result.stderr.contains(advice), "\(result.stderr)")
    }

    @Test func followingTheAdviceWorks() throws {
        var out = try Self.temporaryDirectory()
        var result = try Self.run(["assess", "--parcels", Self.realData + "/pyshp_tests/blockgroups.shp", "--assume-crs", "EPSG:4269", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.checkOutputs(out, file: "blockgroups").accepted == 663)

        out = try Self.temporaryDirectory()
        result = try Self.run(["assess", "--parcels", Self.realData + "/fiboa_lpis_samples/ec_lv/LV_2021_EC21.shp", "--encoding", "UTF-8", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: out + "/parcels.geojson", encoding: .utf8).contains("Platība"))

        out = try Self.temporaryDirectory()
        result = try Self.run(["assess", "--parcels", Self.realData + "/fiboa_lpis_samples/pt/Continente.gpkg", "--layer", "Culturas_Aveiro", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.checkOutputs(out, file: "pt").accepted == 100)
    }

    /// SOURCES.md: 56 of the Sahel polygons self-intersect; all are repaired and kept.
    @Test func sahelSelfIntersectionsAreRepairedAndKept() throws {
        let out = try Self.temporaryDirectory()
        let result = try Self.run(["assess", "--parcels", Self.realData + "/deafrica_cropmask/sahel_training_data_20211110.geojson", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let counts = try Self.checkOutputs(out, file: "sahel")
        #expect(counts.accepted == 6207 && counts.repaired == 56 && counts.rejected == 0)
    }

    // MARK: - Partitioned runs (issue #7)

    /// Runs `assess` whole and as `parts` parts (`--shard i/N`), merges the parts (named out of
    /// order) and returns both output folders.
    static func wholeAndMerged(_ input: [String], parts: Int) throws -> (whole: String, merged: String) {
        let whole = try temporaryDirectory(), merged = try temporaryDirectory() + "/merged"
        var result = try run(["assess"] + input + ["--out", whole, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        var partDirectories: [String] = []
        for index in 0..<parts {
            let out = try temporaryDirectory()
            result = try run(["assess"] + input + ["--shard", "\(index)/\(parts)", "--out", out, "--quiet"])
            #expect(result.status == 0, "part \(index)/\(parts): \(result.stderr)")
            partDirectories.append(out)
        }
        result = try run(["merge", "--out", merged, "--quiet"] + partDirectories.reversed())
        #expect(result.status == 0, "merge: \(result.stderr)")
        return (whole, merged)
    }

    /// Issue #7: merge(parts) equals the whole run. Every output byte for byte, except the
    /// report's generation time and run.json's times and command.
    @Test func partitionedSampleMergesIntoTheWholeRun() throws {
        let (whole, merged) = try Self.wholeAndMerged(["--project", Self.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path], parts: 3)
        for file in ["parcels.geojson", "zones.geojson", "sources.geojson", "summary.csv", "review.csv", "rejects.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: whole + "/" + file)), b = try Data(contentsOf: URL(fileURLWithPath: merged + "/" + file))
            #expect(a == b, "\(file) differs between the whole run and the merged parts")
        }
        func withoutTimes(_ directory: String) throws -> String {
            let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
            return html.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "TIME", options: .regularExpression)
        }
        #expect(try withoutTimes(whole) == withoutTimes(merged), "report.html differs beyond its time")
        let a = try Self.manifest(whole), b = try Self.manifest(merged)
        for key in ["counts", "assessment", "linking", "monitoring", "outputs", "inputs", "warnings"] {
            let x = try JSONSerialization.data(withJSONObject: a[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            let y = try JSONSerialization.data(withJSONObject: b[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            #expect(x == y, "run.json \(key) differs")
        }
        #expect((b["parts"] as? [[String: Any]])?.map { $0["shard"] as? String } == ["0/3", "1/3", "2/3"])
        _ = try Self.checkOutputs(merged, file: "merged sample")
    }

    /// A real layer with repaired geometries and no monitoring, in parts of unequal content.
    @Test func partitionedRealLayerMergesIntoTheWholeRun() throws {
        let (whole, merged) = try Self.wholeAndMerged(["--parcels", Self.realData + "/deafrica_cropmask/sahel_training_data_20211110.geojson"], parts: 4)
        for file in ["parcels.geojson", "zones.geojson", "summary.csv", "review.csv", "rejects.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: whole + "/" + file)), b = try Data(contentsOf: URL(fileURLWithPath: merged + "/" + file))
            #expect(a == b, "\(file) differs between the whole run and the merged parts")
        }
        let counts = try Self.checkOutputs(merged, file: "merged sahel")
        #expect(counts.accepted == 6207 && counts.repaired == 56)
    }

    /// Merge needs every part, once, of the same run; otherwise it stops and writes nothing.
    @Test func mergeRefusesIncompleteOrForeignParts() throws {
        let project = Self.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path
        var partDirectories: [String] = []
        for index in 0..<2 {
            let out = try Self.temporaryDirectory()
            let result = try Self.run(["assess", "--project", project, "--shard", "\(index)/3", "--out", out, "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            partDirectories.append(out)
        }
        let target = try Self.temporaryDirectory() + "/merged"
        var result = try Self.run(["merge", "--out", target] + partDirectories)
        #expect(result.status == 1 && result.stderr.contains("2/3") && result.stderr.contains("missing"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target + "/parcels.geojson"))

        result = try Self.run(["merge", "--out", target, partDirectories[0], partDirectories[0]])
        #expect(result.status == 1 && result.stderr.contains("given twice"), "\(result.stderr)")

        let whole = try Self.temporaryDirectory()
        _ = try Self.run(["assess", "--project", project, "--out", whole, "--quiet"])
        result = try Self.run(["merge", "--out", target, whole])
        #expect(result.status == 1 && result.stderr.contains("partition.json"), "\(result.stderr)")

        let geopackagePart = try Self.temporaryDirectory()
        result = try Self.run(["assess", "--project", project, "--shard", "0/1", "--format", "gpkg", "--out", geopackagePart, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try Self.run(["merge", "--out", target, geopackagePart])
        #expect(result.status == 1 && result.stderr.contains("parcels.geojson"), "\(result.stderr)")

        result = try Self.run(["assess", "--project", project, "--shard", "3/3", "--out", target])
        #expect(result.status == 64 && result.stderr.contains("between 0 and 2"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target + "/parcels.geojson"))
    }

    /// deploy/kubernetes: the commands of the parts Job and of the merge Job, run as their pods
    /// run them (`sh -c`, JOB_COMPLETION_INDEX = 0…completions−1, /data a folder holding the
    /// sample project), give the outputs of one run.
    @Test func kubernetesJobsCommandsGiveTheWholeRun() throws {
        func job(_ file: String) throws -> (script: String, completions: Int?) {
            let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("deploy/kubernetes/" + file), encoding: .utf8)
            let spec = try #require((try Yams.load(yaml: text) as? [String: Any])?["spec"] as? [String: Any])
            let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
            let container = try #require((pod["containers"] as? [[String: Any]])?.first)
            #expect(container["command"] as? [String] == ["sh", "-c"])
            return (try #require((container["args"] as? [String])?.first), spec["completions"] as? Int)
        }
        let parts = try job("parts-job.yaml"), merge = try job("merge-job.yaml")
        let completions = try #require(parts.completions)
        #expect(parts.script.contains("--shard \"${JOB_COMPLETION_INDEX}/\(completions)\""), "the N in --shard must equal completions")

        let data = try Self.temporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.repositoryRoot.appendingPathComponent("SampleData").path, toPath: data + "/project")
        let path = URL(fileURLWithPath: Self.binary).deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        func pod(_ script: String, index: Int?) throws {
            var environment = ["PATH": path]
            if let index { environment["JOB_COMPLETION_INDEX"] = String(index) }
            let result = try Self.run(["-c", script.replacingOccurrences(of: "/data/", with: data + "/")], executable: "/bin/sh", environment: environment)
            #expect(result.status == 0, "\(script) (index \(index ?? -1)): \(result.stderr)")
        }
        for index in 0..<completions { try pod(parts.script, index: index) }
        try pod(merge.script, index: nil)

        let whole = try Self.temporaryDirectory()
        let result = try Self.run(["assess", "--project", data + "/project/project.yaml", "--out", whole, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        for file in ["parcels.geojson", "zones.geojson", "sources.geojson", "summary.csv", "review.csv", "rejects.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: whole + "/" + file)), b = try Data(contentsOf: URL(fileURLWithPath: data + "/out/" + file))
            #expect(a == b, "\(file) differs between the whole run and the Jobs' output")
        }
    }

    /// `synth --format gpkg` (a province's layer, past a shapefile's 2 GB) writes the same parcels
    /// as the shapefile: a run on either gives the same verdicts.
    @Test func synthWritesTheSameParcelsAsAGeoPackage() throws {
        let directory = try Self.temporaryDirectory()
        for format in ["shp", "gpkg"] {
            let result = try Self.run(["synth", "--parcels", "600", "--format", format, "--out", directory + "/" + format])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/gpkg/parcels.gpkg"))
        for format in ["shp", "gpkg"] {
            let run = try Self.run(["assess", "--parcels", directory + "/\(format)/parcels.\(format)", "--sources", directory + "/\(format)/sources.csv",
                                    "--water", directory + "/\(format)/water_samples.csv", "--out", directory + "/out-" + format, "--quiet"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let diff = try Self.run(["diff", directory + "/out-shp", directory + "/out-gpkg", "--out", directory + "/diff"])
        #expect(diff.status == 0 && diff.stderr.contains(": 0 parcels changed"), "\(diff.stderr)")
    }
}
