import Foundation
import TestSupport
import Testing
import GeoKit
import IrrigationModel
@testable import Ingest
@testable import Pipeline
import Reports
import PlanarGeometry

@Suite struct AssessJobTests {
    /// Without monitoring data: no sources file with locations, so sources.csv.
    static let allOutputs = ["parcels.geojson", "rejects.csv", "report.html", "review.csv", "run.json", "sources.csv", "summary.csv", "zones.geojson"]

    /// A small generated project: 120 parcels, 3 bow-ties, 1 without geometry.
    static func smallProject() throws -> String {
        let directory = try temporaryDirectory("small")
        _ = try SampleProject(parcelCount: 120, seed: 7).write(to: directory)
        return directory + "/parcels.shp"
    }

    @Test func countsBalanceAndGeoJSONReadsBackThroughGDAL() throws {
        let parcels = try Self.smallProject()
        let out = try temporaryDirectory()
        let summary = try AssessJob(options: AssessOptions(parcels: .init(path: parcels), outputDirectory: out)).run()
        let counts = summary.manifest.counts
        #expect(counts.featuresIn == 120)
        #expect(counts.accepted + counts.rejected == counts.featuresIn)
        #expect(counts.rejected == 1 && counts.rejectedByCode == ["GEOMETRY_NULL": 1])
        #expect(counts.repaired == 3)

        let reading = try ParcelReader(options: .init(path: parcels)).read()
        let features = try readBack(out + "/parcels.geojson")
        #expect(features.count == counts.accepted)
        for (feature, parcel) in zip(features, reading.parcels) {
            #expect(feature.properties["parcel_id"] == .string(parcel.id))
            #expect(feature.properties["crop"] == (parcel.crop.map(FieldValue.string) ?? .null))
            guard case .real(let areaHa)? = feature.properties["area_ha"] else { Issue.record("area_ha"); continue }
            #expect(abs(areaHa - parcel.areaHectares) < 1e-6)
            #expect(feature.properties["geometry_repaired"] == .boolean(parcel.geometryRepaired))
            let geometry = try #require(feature.geometry)
            #expect(geometry.isValid)
            let envelope = geometry.envelope
            #expect(envelope.minX > 112 && envelope.maxX < 113 && envelope.minY > 38 && envelope.maxY < 39)
        }
        #expect(features.filter { $0.properties["geometry_repaired"] == .boolean(true) }.count == 3)

        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        #expect(rejects.split(separator: "\r\n").count == 1 + counts.rejected)
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json"))) as? [String: Any]
        #expect((run?["inputs"] as? [[String: Any]])?.count == 5)  // shp, shx, dbf, prj, cpg
        #expect((run?["repairs"] as? [[String: Any]])?.count == 3)
    }

    /// RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise, as written on disk.
    @Test func geoJSONFollowsTheRightHandRule() throws {
        let out = try temporaryDirectory()
        _ = try AssessJob(options: AssessOptions(parcels: .init(path: realData + "/fiboa_lpis_samples/bg/Arable_Land_2024.shp"),
                                                 outputDirectory: out)).run()
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/parcels.geojson"))) as? [String: Any]
        let features = try #require(json?["features"] as? [[String: Any]])
        var holes = 0
        for feature in features {
            let geometry = try #require(feature["geometry"] as? [String: Any])
            let polygons: [[[[Double]]]] = geometry["type"] as? String == "Polygon"
                ? [try #require(geometry["coordinates"] as? [[[Double]]])]
                : try #require(geometry["coordinates"] as? [[[[Double]]]])
            for polygon in polygons {
                for (index, ring) in polygon.enumerated() {
                    let area = Ring.signedArea(ring.map { Position(x: $0[0], y: $0[1]) })
                    #expect(index == 0 ? area > 0 : area < 0)
                    if index > 0 { holes += 1 }
                }
            }
        }
        #expect(holes > 0)  // SOURCES.md: 38 of these parcels have holes
    }

    /// Ellipsoidal area on the GK plane: 1.3° west of the central meridian the projection
    /// enlarges areas by about 0.03 % (scale factor² ≈ 1.0003), so the geodesic area is slightly
    /// smaller than the planar one. pyproj reference: the 100 m square at (386000, 4253000) in
    /// EPSG:4547 has a geodesic area of 9 996.804 m².
    @Test func areaIsEllipsoidalNotPlanar() throws {
        let path = try writeOnePolygonShapefile(named: "square", epsg: 4547,
                                                wkt: "POLYGON((386000 4253000,386100 4253000,386100 4253100,386000 4253100,386000 4253000))")
        let reading = try ParcelReader(options: .init(path: path)).read()
        let parcel = try #require(reading.parcels.first)
        #expect(abs(parcel.areaSquareMetres - 9_996.804) < 0.01)
        #expect(abs(parcel.areaMu - 9_996.804 / (10_000.0 / 15)) < 1e-4)
    }

    @Test func failedRunLeavesPreviousOutputsUntouched() throws {
        let parcels = try Self.smallProject()
        let out = try temporaryDirectory()
        _ = try AssessJob(options: AssessOptions(parcels: .init(path: parcels), outputDirectory: out)).run()
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/parcels.geojson"))
        // A shapefile without .prj stops the run.
        try FileManager.default.removeItem(atPath: (parcels as NSString).deletingPathExtension + ".prj")
        #expect(throws: IngestError.self) {
            try AssessJob(options: AssessOptions(parcels: .init(path: parcels), outputDirectory: out)).run()
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/parcels.geojson")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [".irrizone"] + Self.allOutputs)
    }

    @Test func successfulRunReplacesOldOutputsWholeButKeepsUserFiles() throws {
        let parcels = try Self.smallProject()
        let out = try temporaryDirectory()
        try Data("old".utf8).write(to: URL(fileURLWithPath: out + "/zones.geojson"))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        _ = try AssessJob(options: AssessOptions(parcels: .init(path: parcels), outputDirectory: out)).run()
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ([".irrizone", "notes.txt"] + Self.allOutputs).sorted())
        #expect(try String(contentsOfFile: out + "/notes.txt", encoding: .utf8) == "mine")
        #expect(try String(contentsOfFile: out + "/zones.geojson", encoding: .utf8) != "old")
    }

    @Test func missingCRSNamesTheFlagAndAssumeCRSFixesIt() throws {
        let parcels = try Self.smallProject()
        try FileManager.default.removeItem(atPath: (parcels as NSString).deletingPathExtension + ".prj")
        do {
            _ = try ParcelReader(options: .init(path: parcels)).read()
            Issue.record("a shapefile without .prj must stop the run")
        } catch let error as IngestError {
            #expect(error.description.contains("--assume-crs"))
            #expect(error.description.contains(".prj"))
        }
        let reading = try ParcelReader(options: .init(path: parcels, assumeCRS: "EPSG:4547")).read()
        #expect(reading.crsWasAssumed && reading.sourceCRS == "EPSG:4547")
        #expect(reading.parcels.count == 119)
    }

    @Test func zonePrefixConfusionIsExplained() throws {
        // Zone-prefixed eastings (zone 38) declared with the CM 114E code that has no prefix.
        let path = try writeOnePolygonShapefile(named: "prefixed", epsg: 4547,
                                                wkt: "POLYGON((38386000 4253000,38386100 4253000,38386100 4253100,38386000 4253000))")
        do {
            _ = try ParcelReader(options: .init(path: path)).read()
            Issue.record("coordinates off the earth must stop the run")
        } catch let error as IngestError {
            #expect(error.description.contains("zone prefix"))
        }
    }
}

@Suite struct ProjectFileTests {
    @Test func resolvesPathsRelativeToTheFile() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/project.yaml"
        try "parcels:\n  path: data/parcels.shp\n  encoding: GBK\n  fields:\n    crop: ZWMC\noutput: out\n".write(toFile: path, atomically: true, encoding: .utf8)
        let project = try ProjectFile.load(path: path)
        #expect(project.parcels.path == directory + "/data/parcels.shp")
        #expect(project.parcels.encoding == "GBK")
        #expect(project.parcels.fields == [.crop: "ZWMC"])
        #expect(project.output == directory + "/out")
    }

    @Test(arguments: ["parcel:\n  path: x.shp\n", "parcels:\n  pth: x.shp\n", "parcels:\n  fields:\n    cropname: X\n", "- a\n- b\n"])
    func rejectsUnknownKeys(yaml: String) throws {
        let path = try temporaryDirectory() + "/project.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ProjectFile.LoadError.self) { try ProjectFile.load(path: path) }
    }

    /// A project file that cannot be read says why in the user's terms: a folder given for the
    /// file (naming the project.yaml inside), a missing file, text that is not UTF-8.
    @Test func anUnreadableProjectFileSaysWhy() throws {
        let directory = try temporaryDirectory()
        func message(_ path: String) -> String {
            do { _ = try ProjectFile.load(path: path); return "loaded" } catch { return "\(error)" }
        }
        #expect(message(directory).contains("this is a folder, and it holds no project.yaml"))
        try "parcels:\n  path: x.shp\n".write(toFile: directory + "/project.yaml", atomically: true, encoding: .utf8)
        #expect(message(directory).contains("give the project file itself: \(directory)/project.yaml"))
        #expect(message(directory + "/missing.yaml").hasSuffix("no such file"))
        try Data([0x70, 0x3A, 0x20, 0xB2, 0xE2, 0x0A]).write(to: URL(fileURLWithPath: directory + "/gbk.yaml"))  // "p: 测" in GBK
        #expect(message(directory + "/gbk.yaml").contains("not UTF-8"))
    }

    @Test func theSampleProjectFileLoads() throws {
        let project = try ProjectFile.load(path: repositoryRoot.appendingPathComponent("SampleData/project.yaml").path)
        #expect(project.parcels.path?.hasSuffix("SampleData/parcels.shp") == true)
        #expect(project.parcels.fields[.parcelID] == "DKBM")
    }
}

@Suite struct SampleDataTests {
    /// The committed sample project is exactly what the generator writes (DESIGN.md §6).
    @Test func sampleDataIsReproducibleByTheGenerator() throws {
        let directory = try temporaryDirectory()
        let summary = try SampleProject().write(to: directory)
        let committed = repositoryRoot.appendingPathComponent("SampleData")
        for file in summary.files {
            let generated = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
            let stored = try Data(contentsOf: committed.appendingPathComponent(file))
            #expect(generated == stored, "SampleData/\(file) differs from the generator's output: run `irrizone synth --out SampleData`")
        }
    }
}

@Suite struct StagingTests {
    /// A run killed while writing leaves its run folder; the next run removes it when that
    /// process is gone, and leaves a live process's folder alone.
    @Test func staleRunFoldersAreRemoved() throws {
        let out = try temporaryDirectory()
        let runs = out + "/.irrizone/runs"
        let dead = runs + "/run-20260101T000000-ab12-999999999"
        let alive = runs + "/run-20260101T000000-cd34-1"  // pid 1 always exists
        for path in [dead, alive] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        let staging = try OutputStaging(outputDirectory: out)
        staging.discard()
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: alive))
    }

    static func publish(_ files: [String: String], in out: String) throws {
        let staging = try OutputStaging(outputDirectory: out)
        for (name, text) in files { try text.write(toFile: staging.path(for: name), atomically: false, encoding: .utf8) }
        try staging.commit()
    }

    static func read(_ name: String, in out: String) -> String? { try? String(contentsOfFile: out + "/" + name, encoding: .utf8) }

    /// Outputs are links through one `current` link: a new set replaces the old one whole, an
    /// output the new set lacks disappears, and the previous run is kept beside it.
    @Test func aSetIsPublishedWhole() throws {
        let out = try temporaryDirectory()
        try Self.publish(["run.json": "1", "sources.csv": "1", "report.html": "1"], in: out)
        try Self.publish(["run.json": "2", "sources.geojson": "2", "report.html": "2"], in: out)
        #expect(Self.read("run.json", in: out) == "2" && Self.read("report.html", in: out) == "2" && Self.read("sources.geojson", in: out) == "2")
        #expect(Self.read("sources.csv", in: out) == nil && !FileManager.default.fileExists(atPath: out + "/sources.csv"))
        try Self.publish(["run.json": "3", "report.html": "3"], in: out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/.irrizone/runs").count == 2)  // this run and the one before
    }

    /// A folder in the way of an output stops the commit before anything changes (6 of 7 files
    /// were replaced before).
    @Test func somethingInTheWayChangesNothing() throws {
        let out = try temporaryDirectory()
        try Self.publish(["run.json": "1", "report.html": "1"], in: out)
        try FileManager.default.createDirectory(atPath: out + "/summary.csv", withIntermediateDirectories: true)
        #expect(throws: OutputStaging.PublishError.inTheWay(path: out + "/summary.csv", what: "a folder")) {
            try Self.publish(["run.json": "2", "report.html": "2", "summary.csv": "2"], in: out)
        }
        #expect(Self.read("run.json", in: out) == "1" && Self.read("report.html", in: out) == "1")
    }

    /// Plain files of an older version are taken over and replaced as one set.
    @Test func plainOutputsOfAnOlderVersionAreReplacedWhole() throws {
        let out = try temporaryDirectory()
        for name in ["run.json", "report.html", "sources.csv"] { try "old".write(toFile: out + "/" + name, atomically: false, encoding: .utf8) }
        try "mine".write(toFile: out + "/notes.txt", atomically: false, encoding: .utf8)
        try Self.publish(["run.json": "new", "report.html": "new"], in: out)
        #expect(Self.read("run.json", in: out) == "new" && Self.read("report.html", in: out) == "new" && Self.read("sources.csv", in: out) == nil)
        #expect(Self.read("notes.txt", in: out) == "mine")
    }

    @Test func anOutputFolderThatIsAFileIsASentence() throws {
        let file = try temporaryDirectory() + "/not-a-folder"
        try "x".write(toFile: file, atomically: false, encoding: .utf8)
        #expect(throws: OutputStaging.PublishError.inTheWay(path: file, what: "a file")) { try OutputStaging(outputDirectory: file) }
    }
}

@Suite struct ParcelFeatureEncodingTests {
    /// The parcels file's encoder takes each property as `ParcelProperties.visit` hands it over;
    /// it must write exactly what encoding the (name, value) list does, for every parcel of the
    /// sample project (nulls, non-detects, findings, repaired shapes, GBK text).
    @Test func directEncodingEqualsTheEncodedPropertyList() throws {
        let (ingested, assessment) = try IngestStageTests.sampleAssessment()
        let parcels = ingested.parcels.parcels
        let fieldNames = ParcelProperties.FieldNames(parcels[0].attributes.map(\.name))
        let assessed = (0..<parcels.count).map(assessment.assess)
        #expect(assessed.contains { !($0.review?.findings.isEmpty ?? true) } && parcels.contains(where: \.geometryRepaired))
        var listed = JSONBytes()
        for (index, parcel) in parcels.enumerated() {
            if index > 0 { listed.append(contentsOf: Array(GeoJSONWriter.featureSeparator.utf8)) }
            let properties = ParcelProperties.properties(for: parcel, links: ingested.links[index], soil: ingested.monitoring.soilSamples,
                                                         assessment: assessed[index], fieldNames: fieldNames)
            listed.append(GeoJSONWriter.encodeFeature(geometry: parcel.geometry, properties: properties))
        }
        let direct = GeoJSONWriter.encodeParcelFeatures(0..<parcels.count, parcels: parcels, links: ingested.links, soil: ingested.monitoring.soilSamples,
                                                        assessments: assessed, firstAssessed: 0, fieldNames: fieldNames)
        // (Not `#expect(a == b)` on the arrays: a failure would print megabytes.)
        let (directBytes, listedBytes) = (direct.bytes, listed.bytes)
        let common = min(directBytes.count, listedBytes.count)
        let firstDifference = (0..<common).first { directBytes[$0] != listedBytes[$0] } ?? (directBytes.count == listedBytes.count ? nil : common)
        if let at = firstDifference {
            let around = { (bytes: [UInt8]) in String(decoding: bytes[max(0, at - 120)..<min(bytes.count, at + 40)], as: UTF8.self) }
            Issue.record("the encodings differ at byte \(at): direct …\(around(directBytes)) against listed …\(around(listedBytes))")
        }
    }
}
