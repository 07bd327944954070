/// The attributes irrizone looks for in a parcel layer, each with the names it goes by in
/// 三调 (third national land survey) exports, LPIS-style layers and hand-made files.
public enum ParcelField: String, CaseIterable, Sendable, Codable {
    case parcelID = "parcel_id"
    case crop
    case landUseCode = "land_use_code"
    case landUseName = "land_use_name"
    case soilPH = "soil_ph"
    case sourceID = "source_id"
    case adminUnit = "admin_unit"
    /// Today's irrigation method (灌溉方式), checked against the methods allowed.
    case irrigationMethod = "irrigation_method"

    /// Field names tried in order (case-insensitive) when the project file names none.
    public var aliases: [String] {
        switch self {
        case .parcelID: ["parcel_id", "id", "DKBM", "BSM", "TBBH", "地块编码"]
        case .crop: ["crop", "crop_name", "ZWMC", "ZZZW", "作物", "作物名称", "种植作物"]
        case .landUseCode: ["DLBM", "land_use_code", "地类编码"]
        case .landUseName: ["DLMC", "land_use", "地类名称"]
        case .soilPH: ["soil_ph", "ph", "TRPH", "土壤pH", "土壤PH"]
        case .sourceID: ["source_id", "SYDM", "水源", "水源编码"]
        case .adminUnit: ["county", "XZQMC", "XZQDM", "ZLDWMC", "admin_unit"]
        case .irrigationMethod: ["irrigation_method", "GGFS", "灌溉方式"]
        }
    }
}

/// Which input field plays which role.
public struct ParcelFieldMapping: Sendable, Hashable {
    /// Role → field name as it appears in the layer.
    public private(set) var fieldForRole: [ParcelField: String]

    /// Resolves roles against the layer's field names: an explicit mapping wins (and must exist),
    /// otherwise the first alias present, compared case-insensitively.
    ///
    /// - Throws: `MappingError.missingField` when the project file names a field the layer lacks.
    public init(fieldNames: [String], explicit: [ParcelField: String] = [:]) throws(MappingError) {
        var mapping: [ParcelField: String] = [:]
        let byLowercase = Dictionary(fieldNames.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for role in ParcelField.allCases {
            if let wanted = explicit[role] {
                guard let actual = byLowercase[wanted.lowercased()] else {
                    throw .missingField(role: role, field: wanted, available: fieldNames)
                }
                mapping[role] = actual
            } else if let found = role.aliases.lazy.compactMap({ byLowercase[$0.lowercased()] }).first {
                mapping[role] = found
            }
        }
        fieldForRole = mapping
    }

    public subscript(role: ParcelField) -> String? { fieldForRole[role] }

    public enum MappingError: Error, Equatable, Sendable, CustomStringConvertible {
        case missingField(role: ParcelField, field: String, available: [String])

        public var description: String {
            switch self {
            case let .missingField(role, field, available):
                "the project file maps \(role.rawValue) to field \"\(field)\", which the layer does not have (fields: \(available.joined(separator: ", ")))"
            }
        }
    }
}
