import GeoKit
import IrrigationModel
import PlanarGeometry

/// The run's results as tables (issue #25): parcels, zones, sources and one row per finding,
/// each field with its declared type. The same tables go into `parcels.gpkg` (`--format gpkg`)
/// and, keyed by `run_id`, into a database (`--db`).
public enum ResultTables {
    /// The tables' names in one place of output.
    public struct Names: Sendable {
        public var runs, parcels, zones, sources, findings: String
        /// `parcels.gpkg`: the layers as the files name them.
        public static let file = Names(runs: "runs", parcels: "parcels", zones: "zones", sources: "sources", findings: "findings")
        /// A database that keeps every run: each table prefixed, every row keyed by `run_id`.
        public static let database = Names(runs: "irrizone_runs", parcels: "irrizone_parcels", zones: "irrizone_zones",
                                           sources: "irrizone_sources", findings: "irrizone_findings")
    }

    public static let runIDField = FieldDefinition(name: "run_id", type: .string)

    /// The parcels table: the contract fields with their declared types, then the layer's own
    /// attributes (typed by their values in `rows`).
    public static func parcelSpec(name: String, rows: [TableRow], keyedByRun: Bool) -> TableSpec {
        let declared = Dictionary(uniqueKeysWithValues: OutputSchema.parcels.map { ($0.name, TableSpec.fieldType($0.kind)) })
        let names = rows.first?.properties.map(\.0) ?? OutputSchema.parcels.map(\.name)
        return TableSpec(name: name, geometry: .multiPolygon,
                         fields: (keyedByRun ? [runIDField] : []) + TableSpec.fields(named: names, declared: declared, rows: rows))
    }

    public static func zoneSpec(name: String, keyedByRun: Bool) -> TableSpec {
        TableSpec(name: name, geometry: .multiPolygon,
                  fields: (keyedByRun ? [runIDField] : []) + OutputSchema.zones.map { FieldDefinition(name: $0.name, type: TableSpec.fieldType($0.kind)) })
    }

    /// The sources table; its per-class and per-use status fields come from the catalog, so
    /// its fields are those of the rows.
    public static func sourceSpec(name: String, rows: [TableRow], keyedByRun: Bool) -> TableSpec {
        let names = rows.first?.properties.map(\.0) ?? ["source_id"]
        return TableSpec(name: name, geometry: .point, fields: (keyedByRun ? [runIDField] : []) + TableSpec.fields(named: names, declared: [:], rows: rows))
    }

    /// One row per finding of a parcel.
    public static let findingFields: [FieldDefinition] = [
        FieldDefinition(name: "parcel_id", type: .string), FieldDefinition(name: "code", type: .string),
        FieldDefinition(name: "target", type: .string), FieldDefinition(name: "parameter", type: .string),
        FieldDefinition(name: "value", type: .real), FieldDefinition(name: "threshold", type: .real),
        FieldDefinition(name: "unit", type: .string), FieldDefinition(name: "standard", type: .string),
        FieldDefinition(name: "evidence", type: .json), FieldDefinition(name: "review", type: .boolean),
        FieldDefinition(name: "message_zh", type: .string), FieldDefinition(name: "message_en", type: .string),
    ]

    public static func findingSpec(name: String, keyedByRun: Bool) -> TableSpec {
        TableSpec(name: name, geometry: .none, fields: (keyedByRun ? [runIDField] : []) + findingFields)
    }

    public static func zoneRows(_ zones: [ZonePolygon]) -> [TableRow] {
        zones.map { TableRow(shape: .area($0.geometry), properties: ZonesFile.properties($0)) }
    }

    public static func sourceRows(_ sources: [SourceAssessment], parcels: [Parcel]) -> [TableRow] {
        sources.map { source in
            TableRow(shape: source.source?.location.map(TableRow.Shape.point) ?? .none, properties: SourcesFile.properties(source, parcels: parcels))
        }
    }

    public static func findingRows(parcelID: String, _ findings: [Finding]) -> [TableRow] {
        findings.map { finding in
            TableRow(shape: .none, properties: [
                ("parcel_id", .string(parcelID)), ("code", .string(finding.code.rawValue)), ("target", .string(finding.target.rawValue)),
                ("parameter", finding.parameter.map(PropertyValue.string) ?? .null), ("value", finding.value.map(PropertyValue.number) ?? .null),
                ("threshold", finding.threshold.map(PropertyValue.number) ?? .null), ("unit", finding.unit.map(PropertyValue.string) ?? .null),
                ("standard", finding.standard.map(PropertyValue.string) ?? .null), ("evidence", .strings(finding.evidence)),
                ("review", .boolean(finding.review)), ("message_zh", .string(finding.messageZh)), ("message_en", .string(finding.messageEn)),
            ])
        }
    }

    /// `rows` with `run_id` first.
    public static func keyed(_ rows: [TableRow], runID: String) -> [TableRow] {
        rows.map { TableRow(shape: $0.shape, properties: [("run_id", .string(runID))] + $0.properties) }
    }
}
