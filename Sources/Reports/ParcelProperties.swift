import IrrigationModel

/// The flat properties of a parcel feature (DESIGN.md §5): the contract fields first, then every
/// input attribute passed through. An input field whose name collides with a contract field is
/// passed through as `in_<name>` so neither is lost.
public enum ParcelProperties {
    /// Contract fields this version computes, in output order.
    /// Soil elements reported per parcel (DESIGN.md §5: cd, hg, as, pb, cr, cu, ni, zn).
    public static let soilElements = ["cd", "hg", "as", "pb", "cr", "cu", "ni", "zn"]

    public static let contractNames: [String] = [
        "parcel_id", "crop", "crop_class", "crop_class_from", "policy_tier", "zone", "zone_reasons", "land_use_code", "land_use_name",
        "source_id", "source_from_service_area", "source_status", "admin_unit",
        "area_ha", "area_mu", "geometry_repaired", "exclusion_share", "exclusion_areas", "soil_class",
        "soil_sample_ids", "soil_estimated", "soil_distance_m", "soil_ph", "soil_ph_from",
    ] + soilElements.map { "soil_\($0)_mg_kg" } + ["well_ids", "irrigation_m3_ha_yr", "irrigation_year", "irrigation_basis",
        "load_cl_kg_ha_yr", "load_salt_kg_ha_yr"] + soilElements.map { "load_\($0)_g_ha_yr" }
        + ["cum_load_cl_kg_ha", "cum_load_salt_kg_ha"] + soilElements.map { "cum_load_\($0)_g_ha" } + soilElements.map { "total_load_\($0)_kg" }
        + soilElements.map { "years_to_screening_\($0)" } + soilElements.map { "soil_\($0)_projected_mg_kg" }
        + ["irrigation_years_limit", "limiting_element", "salt_ecw_ds_m", "water_salinity_class", "water_chloride_class", "leaching_requirement", "relative_yield_pct",
           "salinity_class", "soil_review", "groundwater_review", "review_reasons", "findings"]

    // Per-element property names and parameters, built once (not per parcel).
    private static let soilValueNames = soilElements.map { "soil_\($0)_mg_kg" }
    private static let soilParameters = soilElements.map { ParameterCatalog.parameter(id: $0) }
    private static let loadNames = soilElements.map { "load_\($0)_g_ha_yr" }
    private static let cumulativeLoadNames = soilElements.map { "cum_load_\($0)_g_ha" }
    private static let totalLoadNames = soilElements.map { "total_load_\($0)_kg" }
    private static let yearsToScreeningNames = soilElements.map { "years_to_screening_\($0)" }
    private static let projectedNames = soilElements.map { "soil_\($0)_projected_mg_kg" }
    /// Positions in `LoadValues` (looked up once, not per parcel).
    private static let elementLoadIndex = soilElements.map { ReviewEngine.loadKeys.firstIndex(of: $0)! }
    private static let chlorideLoadIndex = ReviewEngine.loadKeys.firstIndex(of: "chloride")!
    private static let saltLoadIndex = ReviewEngine.loadKeys.firstIndex(of: "salt")!

    /// - Parameters:
    ///   - links: what was linked to the parcel; nil when no monitoring data was given (the
    ///     linked properties are then null).
    ///   - soil: the run's soil samples, indexed by `links.soilSamples`.
    ///   - fieldNames: the output names of the parcel layer's fields, made once for the layer.
    public static func properties(for parcel: Parcel, links: ParcelLinks? = nil, soil: [SoilSample] = [],
                                  assessment: ParcelAssessment? = nil, fieldNames: FieldNames? = nil) -> [(String, PropertyValue)] {
        let samples = links?.soilSamples.map { soil[$0] } ?? []
        let samplePH = SoilSummary.pH(samples: samples)
        let latestIrrigation = links?.irrigationByYear.max { $0.key < $1.key }
        var properties: [(String, PropertyValue)] = []
        properties.reserveCapacity(contractNames.count + parcel.attributes.count)
        properties += [
            ("parcel_id", .string(parcel.id)),
            ("crop", parcel.crop.map(PropertyValue.string) ?? .null),
            ("crop_class", assessment.map { .string($0.classification.cropClass.rawValue) } ?? .null),
            ("crop_class_from", assessment.map { a -> PropertyValue in
                switch a.classification.basis {
                case .cropName: .string("crop")
                case .landUseCode: .string("land_use_code")
                case .none: .string("none")
                }
            } ?? .null),
            ("policy_tier", assessment?.tier.map { .string($0.rawValue) } ?? .null),
            ("zone", assessment.map { .string($0.zone.rawValue) } ?? .null),
            ("zone_reasons", .strings(assessment?.reasons.map(\.rawValue) ?? [])),
            ("land_use_code", parcel.landUseCode.map(PropertyValue.string) ?? .null),
            ("land_use_name", parcel.landUseName.map(PropertyValue.string) ?? .null),
            ("source_id", parcel.sourceID.map(PropertyValue.string) ?? .null),
            ("source_from_service_area", .boolean(parcel.sourceFromServiceArea)),
            ("source_status", assessment?.sourceStatus.map { .string($0.rawValue) } ?? .null),
            ("admin_unit", parcel.adminUnit.map(PropertyValue.string) ?? .null),
            // 1e-6 ha = 0.01 m²; 1e-4 mu ≈ 0.07 m².
            ("area_ha", .fixed(parcel.areaHectares, decimals: 6)),
            ("area_mu", .fixed(parcel.areaMu, decimals: 4)),
            ("geometry_repaired", .boolean(parcel.geometryRepaired)),
            ("exclusion_share", assessment.map { .fixed($0.exclusionShare, decimals: 4) } ?? .null),
            ("exclusion_areas", .strings(assessment?.exclusionNames ?? [])),
            ("soil_class", assessment.map { .string($0.soilClass) } ?? .null),
            ("soil_sample_ids", .strings(samples.map(\.id))),
            ("soil_estimated", samples.isEmpty ? .null : .boolean(links?.soilEstimated ?? false)),
            ("soil_distance_m", links?.soilDistanceMetres.map { .fixed($0, decimals: 1) } ?? .null),
            // A measured pH from a sample wins over the parcel attribute.
            ("soil_ph", (samplePH ?? parcel.soilPH).map { .fixed($0, decimals: 2) } ?? .null),
            ("soil_ph_from", samplePH != nil ? .string("sample") : (parcel.soilPH != nil ? .string("parcel_attribute") : .null)),
        ]
        let review = assessment?.review
        for (index, parameter) in soilParameters.enumerated() {
            // The rules found the measured value already (their starting content, unless that is
            // the background).
            let value = review.map { review in review.accumulation[index: elementLoadIndex[index]].flatMap { $0.startIsBackground ? nil : $0.start } }
                ?? parameter.flatMap { SoilSummary.value($0, samples: samples) }
            properties.append((soilValueNames[index], value.map { .number($0) } ?? .null))
        }
        properties += [
            ("well_ids", .strings(links?.wellIDs ?? [])),
            // The volume the loads use: the latest year of records, else the crop's quota.
            ("irrigation_m3_ha_yr", (review?.volumeM3PerHectare ?? latestIrrigation?.value).map { .fixed($0, decimals: 1) } ?? .null),
            ("irrigation_year", latestIrrigation.map { .integer(Int64($0.key)) } ?? .null),
            ("irrigation_basis", review.map { .string($0.volumeBasis) } ?? (latestIrrigation == nil ? .null : .string("records"))),
            ("load_cl_kg_ha_yr", review?.annualLoad[index: chlorideLoadIndex].map { .fixed($0, decimals: 3) } ?? .null),
            ("load_salt_kg_ha_yr", review?.annualLoad[index: saltLoadIndex].map { .fixed($0, decimals: 3) } ?? .null),
        ]
        for (index, load) in elementLoadIndex.enumerated() { properties.append((loadNames[index], review?.annualLoad[index: load].map { .fixed($0, decimals: 4) } ?? .null)) }
        properties.append(("cum_load_cl_kg_ha", review?.cumulativeLoad[index: chlorideLoadIndex].map { .fixed($0, decimals: 3) } ?? .null))
        properties.append(("cum_load_salt_kg_ha", review?.cumulativeLoad[index: saltLoadIndex].map { .fixed($0, decimals: 3) } ?? .null))
        for (index, load) in elementLoadIndex.enumerated() { properties.append((cumulativeLoadNames[index], review?.cumulativeLoad[index: load].map { .fixed($0, decimals: 4) } ?? .null)) }
        for (index, load) in elementLoadIndex.enumerated() {
            // g/ha × ha / 1000 = kg over the parcel.
            properties.append((totalLoadNames[index], review?.cumulativeLoad[index: load].map { .fixed($0 * parcel.areaHectares / 1000, decimals: 6) } ?? .null))
        }
        for (index, load) in elementLoadIndex.enumerated() {
            properties.append((yearsToScreeningNames[index], review?.accumulation[index: load]?.yearsToScreening.map { .fixed($0, decimals: 1) } ?? .null))
        }
        for (index, load) in elementLoadIndex.enumerated() {
            properties.append((projectedNames[index], review?.accumulation[index: load]?.projected.map { .fixed($0, decimals: 4) } ?? .null))
        }
        properties += [
            ("irrigation_years_limit", review?.irrigationYearsLimit.map { .fixed($0, decimals: 1) } ?? .null),
            ("limiting_element", review?.limitingElement.map(PropertyValue.string) ?? .null),
            ("salt_ecw_ds_m", review?.ecw.map { .fixed($0, decimals: 3) } ?? .null),
            ("water_salinity_class", review?.waterSalinityClass.map(PropertyValue.string) ?? .null),
            ("water_chloride_class", review?.waterChlorideClass.map(PropertyValue.string) ?? .null),
            ("leaching_requirement", review?.leachingRequirement.map { .fixed($0, decimals: 4) } ?? .null),
            ("relative_yield_pct", review?.relativeYield.map { .fixed($0, decimals: 1) } ?? .null),
            ("salinity_class", review?.soilSaltClass.map(PropertyValue.string) ?? .null),
            ("soil_review", review.map { .boolean($0.soilReview) } ?? .null),
            ("groundwater_review", review.map { .boolean($0.groundwaterReview) } ?? .null),
            ("review_reasons", .strings(review?.reviewReasons ?? [])),
            ("findings", .findings(review?.findings ?? [])),
        ]
        for (index, attribute) in parcel.attributes.enumerated() {
            properties.append((fieldNames?.outputName(at: index, of: attribute.name) ?? passThroughName(attribute.name), PropertyValue(attribute.value)))
        }
        return properties
    }

    /// The output names of a layer's fields, worked out once for the layer rather than per parcel
    /// (renaming every field of every parcel showed in profiles).
    public struct FieldNames: Sendable {
        let inputNames: [String]
        let outputNames: [String]

        public init(_ inputNames: [String]) {
            self.inputNames = inputNames
            outputNames = inputNames.map(ParcelProperties.passThroughName)
        }

        /// The output name of the field at `index`, when it is the field named `name` (a parcel
        /// of another layer gets nil).
        func outputName(at index: Int, of name: String) -> String? {
            index < inputNames.count && inputNames[index] == name ? outputNames[index] : nil
        }
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

extension ParcelProperties {
    /// The `findings` array as JSON text (GeoPackage and CSV cells; GeoJSON encodes it in place).
    public static func findingsJSON(_ findings: [Finding]) -> String {
        var out = JSONBytes(capacity: 2 + 400 * findings.count)
        out.appendFindings(findings)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}

extension JSONBytes {
    mutating func appendFindings(_ findings: [Finding]) {
        func text(_ s: String?) { if let s { appendJSONString(s) } else { append("null") } }
        func number(_ d: Double?) { if let d { appendJSONNumber(d) } else { append("null") } }
        append(byte: UInt8(ascii: "["))
        for (index, f) in findings.enumerated() {
            if index > 0 { append(", ") }
            append("{\"code\": "); text(f.code)
            append(", \"target\": "); text(f.target)
            append(", \"parameter\": "); text(f.parameter)
            append(", \"value\": "); number(f.value)
            append(", \"threshold\": "); number(f.threshold)
            append(", \"unit\": "); text(f.unit)
            append(", \"standard\": "); text(f.standard)
            append(", \"evidence\": [")
            for (e, id) in f.evidence.enumerated() {
                if e > 0 { append(", ") }
                appendJSONString(id)
            }
            append("], \"review\": "); append(f.review ? "true" : "false")
            append(", \"message_zh\": "); text(f.messageZh)
            append(", \"message_en\": "); text(f.messageEn)
            append(byte: UInt8(ascii: "}"))
        }
        append(byte: UInt8(ascii: "]"))
    }
}
