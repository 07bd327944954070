import GeoKit
import IrrigationModel
import Reports
import PlanarGeometry

/// `parcels.gpkg` through GDAL (`--format gpkg`): the same properties as parcels.geojson, with
/// field types QGIS styles can use; arrays and findings as JSON text. Written as the features
/// come, one transaction per `write`.
///
/// - Important: Not thread-safe, and made, used and closed on one thread (`reference/peers.md`
///   C.2); the output pass keeps it on a `ThreadConfined` lane.
final class GeoPackageWriter {
    typealias Feature = (geometry: MultiPolygon, properties: [(String, PropertyValue)])
    /// The features whose values decide the fields' types: each field takes the type of its
    /// first non-null value among them (text when all are null).
    static let typedFromFeatures = 4_096
    private let dataset: Dataset
    private let layer: Layer
    private var fieldsCreated = false
    /// Features held until `typedFromFeatures` have come (or the last), then the fields are made.
    private var untyped: [Feature] = []
    private(set) var written = 0

    init(path: String) throws {
        GDALEnvironment.initialize()
        dataset = try Dataset.create(driver: "GPKG", path: path)
        layer = try dataset.createLayer(named: "parcels", srs: try SpatialReference.wgs84(), geometryType: .multiPolygon)
    }

    /// Writes features (the first `typedFromFeatures` once they have all come: they fix the fields).
    func write(_ features: [Feature]) throws {
        guard !fieldsCreated else { return try insert(features) }
        untyped += features
        if untyped.count >= Self.typedFromFeatures { try createFieldsAndInsertUntyped() }
    }

    private func createFieldsAndInsertUntyped() throws {
        let features = untyped
        untyped = []
        if let first = features.first {
            let names = first.properties.map(\.0)
            var types: [String: FieldType] = [:]
            for feature in features where types.count < names.count {
                for (name, value) in feature.properties where types[name] == nil {
                    switch value {
                    case .null: continue
                    case .string, .strings, .rawJSON, .findings: types[name] = .string
                    case .number, .fixed: types[name] = .real
                    case .integer: types[name] = .integer64
                    case .boolean: types[name] = .boolean
                    }
                }
            }
            for name in names { try layer.createField(FieldDefinition(name: name, type: types[name] ?? .string)) }
        }
        fieldsCreated = true
        try insert(features)
    }

    private func insert(_ features: [Feature]) throws {
        guard !features.isEmpty else { return }
        try dataset.withTransaction {
            for (geometry, properties) in features {
                let feature = layer.makeFeature()
                for (field, (_, value)) in properties.enumerated() {
                    switch value {
                    case .null: feature.set(.null, at: field)
                    case .string(let s): feature.set(.string(s), at: field)
                    case .number(let d), .fixed(let d, _): feature.set(d.isFinite ? .real(d) : .null, at: field)
                    case .integer(let i): feature.set(.integer(i), at: field)
                    case .boolean(let b): feature.set(.boolean(b), at: field)
                    case .strings(let list): feature.set(.string("[" + list.map(JSONText.quote).joined(separator: ",") + "]"), at: field)
                    case .rawJSON(let json): feature.set(.string(json), at: field)
                    case .findings(let findings): feature.set(.string(ParcelProperties.findingsJSON(findings)), at: field)
                    }
                }
                try feature.setGeometry(try Geometry(wkb: WKB.encode(geometry)))
                try layer.create(feature)
                written += 1
            }
        }
    }

    /// Closes the file; returns the number of features written.
    func finish() throws -> Int {
        if !fieldsCreated { try createFieldsAndInsertUntyped() }
        try dataset.close()
        return written
    }
}
