import Foundation
import TestSupport
import Testing
import GeoKit
@testable import Ingest
import IrrigationModel
@testable import Pipeline
import PlanarGeometry

/// The monitoring tables read as a run reads them (`IngestStage`: beside the parcels, from a
/// project file), and linked.
@Suite struct IngestStageTests {
    /// USGS: semicolons, a remark column before each value column, ".50".
    @Test func usgsRemarkColumnsCensorTheirOwnColumn() throws {
        let file = TableInputOptions(path: realData + "/usgs_choptank_nitrate/ChoptankRiverNitrate.csv",
                                     columns: ["Nitrate": "nitrate_n:mg/L", "Nitrate2": "ignore"], constants: ["source_id": "CHOPTANK"])
        let data = try MonitoringFixtures.ingest(MonitoringOptions(water: [file]))
        let nitrate = ParameterCatalog.parameter(id: "nitrate_n")!
        #expect(data.waterSamples.map { $0.measurements[nitrate] } == [MeasuredValue?]([
            .value(1.4), .belowDetection(limit: 0.99), .value(1.42), .value(1.59), .value(1.54), .value(1.37), .belowDetection(limit: 1.24),
        ]))
        let both = TableInputOptions(path: file.path, columns: ["Nitrate": "nitrate_n:mg/L", "Nitrate2": "ammonia_n:mg/L"], constants: ["source_id": "C"])
        let row6 = try #require(try MonitoringFixtures.ingest(MonitoringOptions(water: [both])).waterSamples.first { $0.date.description == "2000-02-15" })
        #expect(row6.measurements[nitrate] == .value(1.37))  // remarkCode is empty …
        #expect(row6.measurements[ParameterCatalog.parameter(id: "ammonia_n")!] == .belowDetection(limit: 0.5))  // … remarkCode2 is "<"
    }

    // MARK: - The sample project

    /// The sample project's parcels and monitoring tables, as its project file names them.
    static func sampleProjectOptions() throws -> AssessOptions {
        let root = repositoryRoot.appendingPathComponent("SampleData").path
        let project = try ProjectFile.load(path: root + "/project.yaml")
        return AssessOptions(parcels: .init(path: root + "/parcels.shp"),
                             monitoring: MonitoringOptions(sources: project.sources, water: project.water, soil: project.soil,
                                                           wells: project.wells, irrigation: project.irrigation),
                             outputDirectory: "", today: MonitoringFixtures.today)
    }

    /// The sample project ingested and its rules made, as `assess` does before its output pass.
    static func sampleAssessment() throws -> (ingested: IngestedProject, assessment: Assessment) {
        let options = try sampleProjectOptions()
        var timer = PhaseTimer()
        let ingested = try IngestStage.run(options, timer: &timer)
        return (ingested, try AssessmentStage.run(ingested, rules: options.rules, timer: &timer))
    }

    @Test func sampleMonitoringLoadsWithoutRejects() throws {
        let options = try Self.sampleProjectOptions()
        var timer = PhaseTimer()
        let ingested = try IngestStage.run(options, timer: &timer)
        #expect(ingested.monitoring.rejects.isEmpty)
        #expect(ingested.monitoring.sources.count == 3 && ingested.monitoring.waterSamples.count == 72)
        let coverage = try #require(ingested.coverage)
        #expect(coverage.withKnownSource == 2999)
        #expect(coverage.soilMeasured > 100 && coverage.soilEstimated > 2000 && coverage.soilNone > 50)
        MonitoringFixtures.expectBalanced(ingested.monitoring)
        // The July 2025 exceedance at ZS02 survives unit conversion.
        let july = try #require(ingested.monitoring.waterSamples.first { $0.sourceID == "ZS02" && $0.date.year == 2025 && $0.date.month == 7 })
        #expect(july.measurements[MonitoringFixtures.cd] == .value(0.018))
    }

    /// A run links the parcels to sources, samples and wells while its irrigation tables are still
    /// being read, then adds the irrigation records: the links are those of linking everything
    /// at once after reading.
    @Test func linkingWhileIrrigationIsReadEqualsLinkingAfterwards() throws {
        let options = try Self.sampleProjectOptions()
        var timer = PhaseTimer()
        let ingested = try IngestStage.run(options, timer: &timer)
        #expect(timer.asDictionary["link_irrigation"] != nil, "the run linked by location before the irrigation records were read")
        let census = try ParcelReader(options: options.parcels).census()
        let monitoring = try IngestStage.readMonitoring(options, layer: census, parcelIDs: PendingParcelIDs(census.parcelIDs))
        #expect(monitoring.irrigation.count > 1000)
        let (links, coverage) = Linker.link(parcels: ingested.parcels.parcels, sourceIDs: IngestStage.sourceIDs(monitoring, options),
                                            soil: monitoring.soilSamples, wells: monitoring.wellReadings, irrigation: monitoring.irrigation,
                                            options: options.linking)
        #expect(links.count == ingested.links.count)
        let differing = links.indices.filter { links[$0] != ingested.links[$0] }
        #expect(differing.isEmpty, "parcels linked differently: \(differing.prefix(5))")
        #expect(coverage == ingested.coverage)
        #expect(links.contains { !$0.irrigationByYear.isEmpty } && links.contains { !$0.wellIDs.isEmpty })
    }

    @Test func parcelsWithoutASourceTakeTheirServiceArea() throws {
        let directory = try temporaryDirectory()
        let parcels = try makeGBKShapefileWithoutCPG(in: directory, ldid: 0x4D)  // two parcels, no source field
        let areas = directory + "/areas.geojson"
        let dataset = try Dataset.create(driver: "GeoJSON", path: areas)
        let layer = try dataset.createLayer(named: "areas", srs: try SpatialReference(epsg: 4547), geometryType: .polygon)
        try layer.createField(FieldDefinition(name: "source_id", type: .string))
        let feature = layer.makeFeature()
        feature.set(.string("ZS07"), at: 0)
        try feature.setGeometry(try Geometry(wkt: "POLYGON((384900 4252900,385100 4252900,385100 4253200,384900 4253200,384900 4252900))"))
        try layer.create(feature)
        try dataset.close()
        var options = AssessOptions(parcels: .init(path: parcels), monitoring: MonitoringOptions(sources: nil), outputDirectory: "")
        options.serviceAreas = ParcelInputOptions(path: areas)
        var timer = PhaseTimer()
        let project = try IngestStage.run(options, timer: &timer)
        #expect(project.parcels.parcels.map(\.sourceID) == ["ZS07", nil])
        #expect(project.parcels.parcels.map(\.sourceFromServiceArea) == [true, false])
    }
}
