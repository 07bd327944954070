import Foundation
import TestSupport
import Testing
import GeoKit
@testable import Ingest
import IrrigationModel
@testable import Pipeline
import PlanarGeometry
@testable import Reports

/// The writers hold to `OutputSchema`: the names, order and kinds of what they write.
@Suite struct OutputSchemaTests {
    /// Records each property's name and the kind of value the receiver was handed.
    struct Recorder: PropertyReceiver {
        var fields: [(name: String, kind: OutputField.Kind, isNull: Bool)] = []
        mutating func string(_ key: String, _ value: String?) { fields.append((key, .text, value == nil)) }
        mutating func fixed(_ key: String, _ value: Double?, decimals: Int) { fields.append((key, .real, value == nil)) }
        mutating func number(_ key: String, _ value: Double?) { fields.append((key, .real, value == nil)) }
        mutating func integer(_ key: String, _ value: Int64?) { fields.append((key, .integer, value == nil)) }
        mutating func boolean(_ key: String, _ value: Bool?) { fields.append((key, .boolean, value == nil)) }
        mutating func strings(_ key: String, _ values: [String]) { fields.append((key, .texts, false)) }
        mutating func findings(_ key: String, _ findings: [Finding]) { fields.append((key, .json, false)) }
        mutating func attribute(_ key: String, _ value: AttributeValue) { fields.append((key, .text, false)) }
    }

    /// Every parcel of the sample project: the contract fields in the schema's order and kinds,
    /// null only where the schema allows it, then the layer's attributes.
    @Test func parcelPropertiesFollowTheSchema() throws {
        let (ingested, assessment) = try IngestStageTests.sampleAssessment()
        let parcels = ingested.parcels.parcels
        let schema = OutputSchema.parcels
        for index in parcels.indices {
            var recorder = Recorder()
            ParcelProperties.visit(parcels, at: index, links: ingested.links, soil: ingested.monitoring.soilSamples,
                                   assessment: assessment.assess(index), fieldNames: nil, into: &recorder)
            let contract = Array(recorder.fields.prefix(schema.count))
            #expect(contract.map(\.name) == schema.map(\.name))
            #expect(contract.map(\.kind) == schema.map(\.kind), "parcel \(parcels[index].id)")
            for (field, written) in zip(schema, contract) where !field.nullable { #expect(!written.isNull, "\(field.name) of \(parcels[index].id)") }
            #expect(recorder.fields.count == schema.count + parcels[index].attributes.count)
        }
    }

    @Test func zonesAndTablesFollowTheSchema() throws {
        let directory = try temporaryDirectory()
        let zone = ZonePolygon(zone: .suitable, cropClass: .fruit, geometry: MultiPolygon(polygons: [Polygon(rings: [[
            Position(x: 0, y: 0), Position(x: 1, y: 0), Position(x: 1, y: 1), Position(x: 0, y: 0)]])]),
            areaSquareMetres: 1, parcelCount: 1, method: "coverage")
        _ = try ZonesFile.write([zone], to: directory + "/zones.geojson")
        let written = try readBack(directory + "/zones.geojson")
        #expect(written.first.map { Set($0.properties.keys) } == Set(OutputSchema.zones.map(\.name)))
        #expect(SummaryFiles.summaryHeader == OutputSchema.summary.map(\.name))
        #expect(SummaryFiles.reviewHeader == OutputSchema.review.map(\.name))
        #expect(RejectsFile.header == OutputSchema.rejects.map(\.name))
    }

    /// The README's field list is `irrizone fields`, word for word.
    @Test func theReadmeListsTheSchema() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = "<!-- fields: made by `irrizone fields`; do not edit by hand -->\n", end = "<!-- fields end -->"
        let start = try #require(readme.range(of: begin)), stop = try #require(readme.range(of: end))
        #expect(String(readme[start.upperBound..<stop.lowerBound]) == OutputSchema.markdown(),
                "README.md's field list differs from the schema: replace it with the output of `irrizone fields`")
    }
}
