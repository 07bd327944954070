import GeoKit
import IrrigationModel
import Reports

/// `parcels.gpkg` through GDAL (`--format gpkg`): the same properties as parcels.geojson, with
/// field types QGIS styles can use; arrays and findings as JSON text.
enum GeoPackageOutput {
    static func write(parcels: [Parcel], properties: (Int) -> [(String, PropertyValue)], to path: String) throws -> Int {
        GDALEnvironment.initialize()
        let dataset = try Dataset.create(driver: "GPKG", path: path)
        let layer = try dataset.createLayer(named: "parcels", srs: try SpatialReference.wgs84(), geometryType: .multiPolygon)
        guard !parcels.isEmpty else { try dataset.close(); return 0 }
        // Field types from the first non-null value of each property.
        let names = properties(0).map(\.0)
        var types: [String: FieldType] = [:]
        for index in parcels.indices {
            for (name, value) in properties(index) where types[name] == nil {
                switch value {
                case .null: continue
                case .string, .strings, .rawJSON, .findings: types[name] = .string
                case .number, .fixed: types[name] = .real
                case .integer: types[name] = .integer64
                case .boolean: types[name] = .boolean
                }
            }
            if types.count == names.count { break }
        }
        for name in names { try layer.createField(FieldDefinition(name: name, type: types[name] ?? .string)) }
        var written = 0
        try dataset.withTransaction {
            for index in parcels.indices {
                let feature = layer.makeFeature()
                for (field, (_, value)) in properties(index).enumerated() {
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
                try feature.setGeometry(try Geometry(wkb: WKB.encode(parcels[index].geometry)))
                try layer.create(feature)
                written += 1
            }
        }
        try dataset.close()
        return written
    }
}

