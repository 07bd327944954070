import Foundation
import GeoKit
import Testing
import TestSupport
@testable import Ingest
import IrrigationModel
import PlanarGeometry

/// A run's monitoring data from a survey workspace (issue #25), held to the run as files are.
@Suite struct WorkspaceIngestTests {
    static let origin = RecordOrigin(file: "sources.csv", location: "row 2")

    /// A workspace holding `records`, in a fresh GeoPackage.
    static func workspace(_ records: [WorkspaceRecord], assumedUnits: [String] = []) throws -> WorkspaceInput {
        let path = try temporaryDirectory("workspace") + "/survey.gpkg"
        let store = try WorkspaceStore(connection: path, display: path, create: true)
        var batch = WorkspaceStore.Batch(id: "b1", kind: .water, file: "water.csv", sha256: "x", loadedAt: "2026-12-07")
        batch.assumedUnits = assumedUnits
        try store.append(batch, records: records, rejects: [])
        try store.close()
        return WorkspaceInput(connection: path, display: path)
    }

    /// A workspace source far outside the parcels is refused, and a sample naming it is then a
    /// sample of an unknown source, as it would be from the files.
    @Test func samplesAreHeldToTheSourcesThatWereKept() throws {
        let far = WaterSource(id: "FAR", name: nil, location: Position(x: 120, y: 30), inflows: [.none], uses: [.farmland],
                              treatment: nil, origin: Self.origin)
        let near = WaterSource(id: "NEAR", name: nil, location: Position(x: 112.70, y: 38.40), inflows: [.none], uses: [.farmland],
                               treatment: nil, origin: Self.origin)
        let date = CalendarDate(year: 2025, month: 6, day: 1)!
        let samples = ["FAR", "NEAR"].map { source in
            WaterSample(id: "W-\(source)", sourceID: source, date: date, measurements: [MonitoringFixtures.cd: .value(0.001)],
                        origin: RecordOrigin(file: "water.csv", location: "row 2"))
        }
        var data = MonitoringData()
        data.sources = [far, near]
        data.waterSamples = samples
        let workspace = try Self.workspace(try WorkspaceRecord.records(of: data, file: "x"))
        var options = MonitoringOptions()
        options.workspace = workspace
        let extent = BoundingBox(minX: 112.65, minY: 38.37, maxX: 112.75, maxY: 38.43)
        let read = try MonitoringFixtures.ingest(options, context: try MonitoringFixtures.context(extent: extent))
        #expect(read.sources.map(\.id) == ["NEAR"])
        #expect(read.waterSamples.map(\.id) == ["W-NEAR"])
        #expect(Set(read.rejects.map(\.code)) == [.locationOutsideExtent, .unknownSource])
        MonitoringFixtures.expectBalanced(read)
    }

    /// A record that JSON cannot hold is refused, not stored as an empty record.
    @Test func aNumberJSONCannotHoldIsAnError() {
        let well = WellReading(wellID: "GW1", location: Position(x: 112.7, y: 38.4), date: CalendarDate(year: 2025, month: 1, day: 1)!,
                               depthToWaterMetres: .infinity, measurements: [:], origin: Self.origin)
        var data = MonitoringData()
        data.wellReadings = [well]
        #expect(throws: WorkspaceRecord.EncodeError.self) { _ = try WorkspaceRecord.records(of: data, file: "wells.csv") }
    }

    /// A unit assumed when a batch was loaded is announced by every run that uses it, and
    /// `units: strict` refuses the batch's records as it would refuse the file's column.
    @Test func aUnitAssumedAtLoadIsAnnouncedAndStrictRefusesIt() throws {
        var data = MonitoringData()
        data.waterSamples = [WaterSample(id: "W1", sourceID: "S", date: CalendarDate(year: 2025, month: 6, day: 1)!,
                                         measurements: [MonitoringFixtures.cd: .value(0.001)], origin: RecordOrigin(file: "water.csv", location: "row 2"))]
        var options = MonitoringOptions()
        options.workspace = try Self.workspace(try WorkspaceRecord.records(of: data, file: "water.csv"), assumedUnits: ["Cd: mg/L"])
        let assumed = try MonitoringFixtures.ingest(options)
        #expect(assumed.waterSamples.map(\.id) == ["W1"])
        #expect(assumed.assumedUnits.contains { $0.contains("Cd") && $0.contains("water.csv") }, "\(assumed.assumedUnits)")
        options.unitPolicy = .strict
        let strict = try MonitoringFixtures.ingest(options)
        #expect(strict.waterSamples.isEmpty && strict.rejects.map(\.code) == [.unitMissing])
        MonitoringFixtures.expectBalanced(strict)
    }
}
