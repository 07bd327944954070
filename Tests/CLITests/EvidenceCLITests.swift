import Foundation
import Testing
import GeoKit
import TestSupport

/// Issue #22 end to end: the built CLI on the sample project with evidence removed, unit-less
/// sheets and nitrate species; outputs read back through GDAL.
@Suite struct EvidenceCLITests {
    static let sampleData = CLITests.repositoryRoot.appendingPathComponent("SampleData").path

    /// A copy of SampleData to edit.
    static func sampleCopy(_ name: String = #function) throws -> String {
        let folder = try CLITests.temporaryDirectory(name) + "/project"
        try FileManager.default.copyItem(atPath: sampleData, toPath: folder)
        return folder
    }

    static func assess(_ project: String, _ name: String = #function) throws -> String {
        let out = try CLITests.temporaryDirectory(name) + "/out"
        let result = try CLITests.run(["assess", "--project", project + "/project.yaml", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        return out
    }

    /// Each parcel's zone, read through GDAL.
    static func zones(_ out: String) throws -> [String: String] {
        GDALEnvironment.initialize()
        let dataset = try Dataset.open(out + "/parcels.geojson")
        let layer = try #require(dataset.layer(at: 0))
        let id = try #require(layer.fields.firstIndex { $0.name == "parcel_id" }), zone = try #require(layer.fields.firstIndex { $0.name == "zone" })
        var zones: [String: String] = [:]
        try layer.forEachFeature { feature in
            if case .string(let parcel) = feature.value(at: id), case .string(let value) = feature.value(at: zone) { zones[parcel] = value }
        }
        return zones
    }

    static func properties(_ out: String, _ file: String) throws -> [[String: Any]] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/" + file))) as? [String: Any]
        return try #require(json?["features"] as? [[String: Any]]).compactMap { $0["properties"] as? [String: Any] }
    }

    static func findings(_ parcel: [String: Any]) -> [[String: Any]] { parcel["findings"] as? [[String: Any]] ?? [] }

    /// Drops the columns whose header contains any of `names` (the CSV has no quoted commas).
    static func dropColumns(_ path: String, encoding: String, _ names: [String]) throws {
        let text = TextRecoding.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), from: encoding)
        // The sample's tables end their lines with CR LF (as Excel writes them): one Character in Swift.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let keep = header.indices.filter { index in !names.contains { header[index].contains($0) } }
        lines = lines.map { line in
            guard !line.isEmpty else { return line }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return keep.map { cells[$0] }.joined(separator: ",")
        }
        try Data(TextRecoding.encode(lines.joined(separator: "\n"), to: encoding)).write(to: URL(fileURLWithPath: path))
    }

    /// The issue's experiment: remove every metal, coliform and ascaris column from the water
    /// samples and every metal column from the soil samples. The verdicts may only get stricter.
    @Test func removingEvidenceNeverMakesAParcelSuitable() throws {
        let full = try Self.zones(Self.assess(Self.sampleData, "full"))
        let project = try Self.sampleCopy()
        try Self.dropColumns(project + "/water_samples.csv", encoding: "GBK", ["镉", "汞", "砷", "铅", "铬", "铜", "锌", "镍", "粪大肠", "蛔虫"])
        try Self.dropColumns(project + "/soil_samples.csv", encoding: "UTF-8", ["Cd_", "Hg_", "As_", "Pb_", "Cr_", "Cu_", "Ni_", "Zn_"])
        let out = try Self.assess(project)
        let stripped = try Self.zones(out)
        let rank = ["suitable": 0, "restricted": 1, "prohibited": 2]
        #expect(stripped.count == full.count)
        #expect(full.values.filter { $0 == "suitable" }.count > 0)
        #expect(stripped.values.filter { $0 == "suitable" }.count <= full.values.filter { $0 == "suitable" }.count)
        for (id, zone) in stripped { #expect(rank[zone]! >= (full[id] == "suitable" ? 1 : 0), "\(id): \(full[id] ?? "?") → \(zone)") }
        let sources = Dictionary(uniqueKeysWithValues: try Self.properties(out, "sources.geojson").map { ($0["source_id"] as! String, $0) })
        #expect(sources["ZS01"]?["status"] as? String == "incomplete")
        #expect((sources["ZS01"]?["missing_parameters"] as? [String])?.contains("fecal_coliforms") == true)
        let parcels = try Self.properties(out, "parcels.geojson")
        #expect(parcels.contains { ($0["zone_reasons"] as? [String])?.contains("SOURCE_INCOMPLETE") == true })
        #expect(parcels.contains { ($0["review_reasons"] as? [String])?.contains("SOIL_INCOMPLETE") == true })
        // check names the gaps before a run.
        let check = try CLITests.run(["check", "--project", project + "/project.yaml"])
        #expect(check.stdout.contains("source ZS01") && check.stdout.contains("none of cd, hg, as, pb, cr6, fecal_coliforms, ascaris_eggs"))
        let summary = try String(contentsOfFile: out + "/summary.csv", encoding: .utf8)
        #expect(summary.split(whereSeparator: \.isNewline)[0].hasSuffix("soil_incomplete,source_incomplete,produce_review"))
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(report.contains("评估依据（必测项目）") && report.contains("fecal_coliforms"))
    }

    /// A unit-less soil sheet and wells sheet are used, the assumption announced, and a parcel
    /// whose sample holds Cd 4.5 mg/kg at pH 8 (above the intervention value 4.0) is prohibited.
    @Test func unitLessSheetsAreUsedAndTheHotSpotProhibited() throws {
        let project = try Self.sampleCopy()
        var soil = try String(contentsOfFile: project + "/soil_samples.csv", encoding: .utf8)
        soil = soil.replacingOccurrences(of: "_mg_kg", with: "").replacingOccurrences(of: "_g_kg", with: "")
        var lines = soil.split(whereSeparator: \.isNewline).map(String.init)
        var first = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(first[0] == "S0001")
        first[5] = "8.0"; first[6] = "4.5"  // pH, Cd
        lines[1] = first.joined(separator: ",")
        try (lines.joined(separator: "\n") + "\n").write(toFile: project + "/soil_samples.csv", atomically: true, encoding: .utf8)
        try Self.wideWells(project, columns: ["chloride", "TDS"]) { reading in [reading.chloride, reading.tds] }
        let out = try Self.assess(project)
        let manifest = try CLITests.manifest(out)
        let assumed = try #require(manifest["assumed_units"] as? [String])
        #expect(assumed.contains("soil_samples.csv: Cd → mg/kg") && assumed.contains("wells.csv: TDS → mg/L"))
        let wells = try #require((manifest["monitoring"] as? [[String: Any]])?.first { $0["kind"] as? String == "wells" })
        #expect(wells["rows_accepted"] as? Int == wells["rows_read"] as? Int)
        let hot = try Self.properties(out, "parcels.geojson").filter { parcel in
            Self.findings(parcel).contains { $0["code"] as? String == "SOIL_ABOVE_INTERVENTION" && ($0["evidence"] as? [String])?.contains("S0001") == true }
        }
        #expect(!hot.isEmpty)
        #expect(hot.allSatisfy { $0["zone"] as? String == "prohibited" })
    }

    /// `NO3 (mg/L)` 50 is 11.3 mg/L as N, within class III (20): no finding. `硝酸盐氮(mg/L)` 25 is above it.
    @Test func nitrateSpeciesDecideTheGroundwaterFinding() throws {
        func nitrateFindings(_ header: String, _ value: Double) throws -> Int {
            let project = try Self.sampleCopy("nitrate-\(value)")
            try Self.wideWells(project, columns: ["chloride", header]) { reading in [reading.chloride, value] }
            let out = try Self.assess(project, "nitrate-out-\(value)")
            return try Self.properties(out, "parcels.geojson").filter { parcel in
                Self.findings(parcel).contains { $0["code"] as? String == "GW_ABOVE_CLASS_III" && $0["parameter"] as? String == "nitrate_n" }
            }.count
        }
        #expect(try nitrateFindings("NO3 (mg/L)", 50) == 0)
        #expect(try nitrateFindings("硝酸盐氮(mg/L)", 25) > 0)
    }

    /// `standards --json` names, for every value, its standard, table, column and confidence.
    @Test func everyPrintedLimitCarriesItsProvenance() throws {
        let result = try CLITests.run(["standards", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        var records = 0
        for key in ["water_limits", "soil_screening", "soil_intervention", "groundwater_classes"] {
            let values = try #require(root[key] as? [[String: Any]], "\(key)")
            #expect(!values.isEmpty, "\(key)")
            for value in values {
                for field in ["standard", "table", "column", "confidence", "source"] {
                    #expect(!((value[field] as? String) ?? "").isEmpty, "\(key) \(value["parameter"] ?? "?") lacks \(field)")
                }
                records += 1
            }
        }
        #expect((root["soil_screening"] as? [[String: Any]])?.first?["standard"] as? String == "GB15618-2018")
        #expect(records > 400)
        let required = try #require(root["required_evidence"] as? [String: Any])
        #expect(((required["water"] as? [String: Any])?["items"] as? [[String: Any]])?.count == 9)
    }

    struct WellReading { var id, x, y, date, depth: String; var chloride, tds: Double }

    /// Rewrites the sample's long wells table as a wide one with `columns` (no units unless given).
    static func wideWells(_ project: String, columns: [String], values: (WellReading) -> [Double]) throws {
        let long = try String(contentsOfFile: project + "/wells.csv", encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        var readings: [String: WellReading] = [:], order: [String] = []
        for line in long {
            let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let key = c[0] + c[3]
            if readings[key] == nil { readings[key] = WellReading(id: c[0], x: c[1], y: c[2], date: c[3], depth: c[4], chloride: 0, tds: 0); order.append(key) }
            if c[5] == "氯化物" { readings[key]!.chloride = Double(c[6])! }
            if c[5] == "溶解性总固体" { readings[key]!.tds = Double(c[6])! }
        }
        var text = "well_id,x,y,date,depth_to_water_m," + columns.joined(separator: ",") + "\n"
        for key in order {
            let r = readings[key]!
            text += [r.id, r.x, r.y, r.date, r.depth].joined(separator: ",") + "," + values(r).map { String($0) }.joined(separator: ",") + "\n"
        }
        try text.write(toFile: project + "/wells.csv", atomically: true, encoding: .utf8)
    }
}

/// Produce samples (issue #27): read, checked against the layer, linked and judged by GB 2762.
@Suite struct ProduceCLITests {
    /// The sample story: maize N1 by the old sewage channel has 0.16 mg/kg Cd, above GB 2762's 0.1.
    @Test func theSampleStorysProduceExceedance() throws {
        let out = try EvidenceCLITests.assess(EvidenceCLITests.sampleCopy())
        let parcels = try EvidenceCLITests.properties(out, "parcels.geojson")
        let sampled = parcels.filter { !(($0["produce_sample_ids"] as? [String]) ?? []).isEmpty }
        #expect(sampled.count == 6)
        let above = try #require(sampled.first { $0["produce_sample_ids"] as? [String] == ["N1"] })
        #expect(above["produce_review"] as? Bool == true && (above["zone_reasons"] as? [String])?.contains("PRODUCE_REVIEW") == true)
        #expect(above["zone"] as? String != "suitable")
        let finding = try #require(EvidenceCLITests.findings(above).first { $0["code"] as? String == "PRODUCE_ABOVE_LIMIT" })
        #expect(finding["parameter"] as? String == "cd" && finding["value"] as? Double == 0.16 && finding["threshold"] as? Double == 0.1)
        #expect(sampled.filter { $0["produce_review"] as? Bool == true }.count == 1, "the other samples are within their limits")
        let review = try String(contentsOfFile: out + "/review.csv", encoding: .utf8)
        #expect(review.contains("PRODUCE_ABOVE_LIMIT,produce,cd,0.16,0.1"))
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(report.contains("农产品超过 GB 2762 污染物限量"), "the report shows the finding's label, not its code")
    }

    @Test func aSampleOfAParcelNotInTheLayerIsRejected() throws {
        let project = try EvidenceCLITests.sampleCopy()
        try """
        sample_id,parcel_id,crop,date,Cd (mg/kg)
        P1,1409021010010000010,玉米,2025-09-20,0.02
        P3,9999,玉米,2025-09-20,0.01
        P4,,玉米,2025-09-20,0.01
        """.write(toFile: project + "/produce_samples.csv", atomically: true, encoding: .utf8)
        let out = try EvidenceCLITests.assess(project)
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("produce_samples.csv,row 3,parcel_id,UNKNOWN_PARCEL"))
        #expect(rejects.contains("produce_samples.csv,row 4,location,MISSING_LOCATION"))
        let run = try CLITests.manifest(out)
        let produce = try #require((run["monitoring"] as? [[String: Any]])?.first { ($0["file"] as? String)?.hasSuffix("produce_samples.csv") == true })
        #expect(produce["rows_read"] as? Int == 3 && produce["rows_accepted"] as? Int == 1 && produce["rows_rejected"] as? Int == 2)
    }
}

/// 灌溉方式 in the sample story (issue #27): the sample's water is too salty for sprinklers (FAO 29),
/// so sprinkled forage must move to drip; raw-eaten vegetables take drip only.
@Suite struct IrrigationMethodCLITests {
    @Test func sprinkledParcelsAreToldToMoveToDrip() throws {
        let out = try EvidenceCLITests.assess(EvidenceCLITests.sampleCopy())
        let parcels = try EvidenceCLITests.properties(out, "parcels.geojson")
        let sprinkled = parcels.filter { $0["irrigation_method"] as? String == "喷灌" }
        #expect(!sprinkled.isEmpty)
        for parcel in sprinkled {
            #expect((parcel["zone_reasons"] as? [String])?.contains("IRRIGATION_METHOD_NOT_ALLOWED") == true)
            #expect(parcel["irrigation_method_recommended"] as? String == "drip")
            // Raw-eaten vegetables lose sprinklers to their exposure; the others to the water's salt.
            let reason = parcel["crop_class"] as? String == "vegetable_raw" ? "METHOD_WETS_RAW_EATEN_CROP" : "METHOD_FOLIAR_SALT"
            #expect((parcel["irrigation_method_reasons"] as? [String])?.contains(reason) == true, "\(parcel["crop"] ?? "")")
            #expect(EvidenceCLITests.findings(parcel).contains { $0["code"] as? String == "IRRIGATION_METHOD_NOT_ALLOWED" })
        }
        let tomato = try #require(parcels.first { $0["crop"] as? String == "番茄" })
        #expect(tomato["irrigation_methods_allowed"] as? [String] == ["drip", "subsurface_drip"])
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(report.contains("灌溉方式（按分区和作物类别）"))
        let sources = try EvidenceCLITests.properties(out, "sources.geojson")
        let zs01 = try #require(sources.first { $0["source_id"] as? String == "ZS01" })
        #expect(zs01["status_use_municipal"] as? String == "pass" && zs01["status"] as? String == "pass", "the multi-use outlet meets GB/T 18920 and GB 5084")
        #expect(zs01["status_use_green_space"] as? String == "pass", "城市绿化 is green space, judged by GB/T 25499")
        let zs03 = try #require(sources.first { $0["source_id"] as? String == "ZS03" })
        #expect(zs03["status_use_industry"] as? String == "not_judged" && (zs03["status_reasons"] as? [String])?.contains("USE_NOT_JUDGED") == true)
        // ZS02's table says 无: secondary effluent that qualifies (its cadmium fails it all the same).
        let zs02 = try #require(sources.first { $0["source_id"] as? String == "ZS02" })
        #expect(zs02["industrial_inflow"] as? [String] == ["none"] && (zs02["secondary_effluent_problems"] as? [String]) == [])
    }

    /// SL 368 given as an override (the standard irrizone cannot source): ZS03's industry use is
    /// judged by it (failed, as everything of a plant with chemical inflow), and its turbidity,
    /// never measured, is listed missing.
    @Test func aUseStandardGivenAsAnOverrideIsApplied() throws {
        let directory = try CLITests.temporaryDirectory(), override = directory + "/sl368.yaml"
        try """
        name: 再生水水质标准（工业用水，测试用）
        source: a test fixture, not SL 368's values
        uses: {industry: SL368-2006}
        limits:
          - {standard: SL368-2006, parameter: ph, min: 6.5, max: 9.0}
          - {standard: SL368-2006, parameter: turbidity, max: 5, unit: NTU}
        """.write(toFile: override, atomically: true, encoding: .utf8)
        let project = CLITests.repositoryRoot.appendingPathComponent("SampleData/project.yaml").path
        let result = try CLITests.run(["assess", "--project", project, "--standards-override", override, "--out", directory + "/out", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let zs03 = try #require(try EvidenceCLITests.properties(directory + "/out", "sources.geojson").first { $0["source_id"] as? String == "ZS03" })
        #expect(zs03["status_use_industry"] as? String == "fail")
        #expect((zs03["missing_parameters"] as? [String])?.contains("turbidity") == true)
        #expect((zs03["status_reasons"] as? [String])?.contains("USE_NOT_JUDGED") == false)
    }
}
