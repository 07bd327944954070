import IrrigationModel

/// The flat properties of a parcel feature (DESIGN.md §5): the contract fields first, then every
/// input attribute passed through. An input field whose name collides with a contract field is
/// passed through as `in_<name>` so neither is lost.
public enum ParcelProperties {
    /// Contract fields this version computes, in output order.
    public static let contractNames: [String] = [
        "parcel_id", "crop", "land_use_code", "land_use_name", "soil_ph", "source_id", "admin_unit",
        "area_ha", "area_mu", "geometry_repaired",
    ]

    public static func properties(for parcel: Parcel) -> [(String, PropertyValue)] {
        var properties: [(String, PropertyValue)] = [
            ("parcel_id", .string(parcel.id)),
            ("crop", parcel.crop.map(PropertyValue.string) ?? .null),
            ("land_use_code", parcel.landUseCode.map(PropertyValue.string) ?? .null),
            ("land_use_name", parcel.landUseName.map(PropertyValue.string) ?? .null),
            ("soil_ph", parcel.soilPH.map(PropertyValue.number) ?? .null),
            ("source_id", parcel.sourceID.map(PropertyValue.string) ?? .null),
            ("admin_unit", parcel.adminUnit.map(PropertyValue.string) ?? .null),
            // 1e-6 ha = 0.01 m²; 1e-4 mu ≈ 0.07 m².
            ("area_ha", .fixed(parcel.areaHectares, decimals: 6)),
            ("area_mu", .fixed(parcel.areaMu, decimals: 4)),
            ("geometry_repaired", .boolean(parcel.geometryRepaired)),
        ]
        for attribute in parcel.attributes {
            properties.append((passThroughName(attribute.name), PropertyValue(attribute.value)))
        }
        return properties
    }

    /// The output name of an input field.
    public static func passThroughName(_ name: String) -> String {
        contractNameSet.contains(name.lowercased()) ? "in_" + name : name
    }

    private static let contractNameSet = Set(contractNames)
}

extension PropertyValue {
    init(_ value: AttributeValue) {
        switch value {
        case .null: self = .null
        case .integer(let v): self = .integer(v)
        case .real(let v): self = .number(v)
        case .string(let v): self = .string(v)
        case .boolean(let v): self = .boolean(v)
        }
    }
}
