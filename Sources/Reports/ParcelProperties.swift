import IrrigationModel

/// The flat properties of a parcel feature (DESIGN.md §5): the contract fields first, then every
/// input attribute passed through. An input field whose name collides with a contract field is
/// passed through as `in_<name>` so neither is lost.
public enum ParcelProperties {
    /// Soil elements reported per parcel (DESIGN.md §5: cd, hg, as, pb, cr, cu, ni, zn).
    public static let soilElements = OutputSchema.soilElements
    /// Contract fields, in output order (`OutputSchema.parcels`).
    public static let contractNames = OutputSchema.parcels.map(\.name)

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

    /// The properties as (name, value) pairs (GeoPackage, tests); the GeoJSON writer takes them
    /// straight into its bytes through `visit` (`GeoJSONWriter.encodeParcelFeatures`).
    /// - Parameters:
    ///   - links: what was linked to the parcel; nil when no monitoring data was given (the
    ///     linked properties are then null).
    ///   - soil: the run's soil samples, indexed by `links.soilSamples`.
    ///   - fieldNames: the output names of the parcel layer's fields, made once for the layer.
    public static func properties(for parcel: Parcel, links: ParcelLinks? = nil, soil: [SoilSample] = [],
                                  assessment: ParcelAssessment? = nil, fieldNames: FieldNames? = nil) -> [(String, PropertyValue)] {
        properties(of: [parcel], at: 0, links: links.map { [$0] } ?? [], soil: soil, assessment: assessment, fieldNames: fieldNames)
    }

    /// The properties of `parcels[index]`, read in place in the run's arrays.
    /// - Parameter links: one per parcel, or empty (no monitoring data).
    /// - Parameter attributes: the parcel's attributes read back (`AttributeRecord.loaded`) when
    ///   the parcel's are spilled.
    public static func properties(of parcels: [Parcel], at index: Int, links: [ParcelLinks], soil: [SoilSample],
                                  assessment: ParcelAssessment?, fieldNames: FieldNames?,
                                  attributes: AttributeRecord? = nil) -> [(String, PropertyValue)] {
        var collected = PropertyList()
        collected.pairs.reserveCapacity(contractNames.count + parcels[index].attributes.count)
        visit(parcels, at: index, links: links, soil: soil, assessment: assessment, fieldNames: fieldNames, attributes: attributes, into: &collected)
        return collected.pairs
    }

    /// Hands each property of `parcels[index]` to `receiver`, in output order (`ParcelSchema`):
    /// a million parcels' properties as arrays of enum values cost ≈ 5 CPU-seconds in
    /// allocations, retains and releases before a byte was written. The parcel and its links are
    /// read in place in the run's arrays (a copy of each retained all it holds: docs/scaling.md).
    static func visit<Receiver: PropertyReceiver>(_ parcels: [Parcel], at index: Int, links: [ParcelLinks], soil: [SoilSample],
                                                  assessment: ParcelAssessment?, fieldNames: FieldNames?, attributes: AttributeRecord? = nil,
                                                  into out: inout Receiver) {
        let hasLinks = !links.isEmpty
        let sampleIndices = hasLinks ? links[index].soilSamples : []
        let sampleIDs = soil.withUnsafeBufferPointer { soil in sampleIndices.map { soil[$0].id } }
        let hasReview = assessment?.review != nil
        // The rules found the samples' pH and values already; without them (no assessment) they
        // come from the samples.
        let samples = hasReview || sampleIndices.isEmpty ? [] : sampleIndices.map { soil[$0] }
        let samplePH = hasReview ? assessment?.review?.samplePH : (samples.isEmpty ? nil : SoilSummary.pH(samples: samples))
        let latestIrrigation = hasLinks ? links[index].irrigationByYear.latest : nil
        out.string("parcel_id", parcels[index].id)
        out.string("crop", parcels[index].crop)
        out.string("crop_class", assessment?.classification.cropClass.rawValue)
        out.string("crop_class_from", assessment.map { a -> String in
            switch a.classification.basis {
            case .cropName: "crop"
            case .landUseCode: "land_use_code"
            case .none: "none"
            }
        })
        out.string("policy_tier", assessment?.tier?.rawValue)
        out.string("zone", assessment?.zone.rawValue)
        out.strings("zone_reasons", assessment?.reasons.map(\.rawValue) ?? [])
        out.string("land_use_code", parcels[index].landUseCode)
        out.string("land_use_name", parcels[index].landUseName)
        out.string("source_id", parcels[index].sourceID)
        out.boolean("source_from_service_area", parcels[index].sourceFromServiceArea)
        out.string("source_status", assessment?.sourceStatus?.rawValue)
        out.string("admin_unit", parcels[index].adminUnit)
        // 1e-6 ha = 0.01 m²; 1e-4 mu ≈ 0.07 m².
        out.fixed("area_ha", parcels[index].areaHectares, decimals: 6)
        out.fixed("area_mu", parcels[index].areaMu, decimals: 4)
        out.boolean("geometry_repaired", parcels[index].geometryRepaired)
        out.fixed("exclusion_share", assessment?.exclusionShare, decimals: 4)
        out.strings("exclusion_areas", assessment?.exclusionNames ?? [])
        out.string("soil_class", assessment?.soilClass.rawValue)
        out.strings("soil_sample_ids", sampleIDs)
        out.boolean("soil_estimated", sampleIndices.isEmpty ? nil : links[index].soilEstimated)
        out.fixed("soil_distance_m", hasLinks ? links[index].soilDistanceMetres : nil, decimals: 1)
        // A measured pH from a sample wins over the parcel attribute.
        out.fixed("soil_ph", samplePH ?? parcels[index].soilPH, decimals: 2)
        out.string("soil_ph_from", samplePH != nil ? "sample" : (parcels[index].soilPH != nil ? "parcel_attribute" : nil))
        for (element, parameter) in soilParameters.enumerated() {
            // The rules found the measured value already (their starting content, unless that is
            // the background).
            let value = hasReview ? assessment?.review?.accumulation[index: elementLoadIndex[element]].flatMap { $0.startIsBackground ? nil : $0.start }
                : parameter.flatMap { SoilSummary.value($0, samples: samples) }
            out.number(soilValueNames[element], value)
        }
        out.strings("well_ids", hasLinks ? links[index].wellIDs : [])
        // The volume the loads use: the latest year of records, else the crop's quota.
        out.fixed("irrigation_m3_ha_yr", assessment?.review?.volumeM3PerHectare ?? latestIrrigation?.value, decimals: 1)
        out.integer("irrigation_year", latestIrrigation.map { Int64($0.key) })
        out.string("irrigation_basis", assessment?.review?.volumeBasis ?? (latestIrrigation == nil ? nil : "records"))
        out.fixed("load_cl_kg_ha_yr", assessment?.review?.annualLoad[index: chlorideLoadIndex], decimals: 3)
        out.fixed("load_salt_kg_ha_yr", assessment?.review?.annualLoad[index: saltLoadIndex], decimals: 3)
        for (element, load) in elementLoadIndex.enumerated() { out.fixed(loadNames[element], assessment?.review?.annualLoad[index: load], decimals: 4) }
        out.fixed("cum_load_cl_kg_ha", assessment?.review?.cumulativeLoad[index: chlorideLoadIndex], decimals: 3)
        out.fixed("cum_load_salt_kg_ha", assessment?.review?.cumulativeLoad[index: saltLoadIndex], decimals: 3)
        for (element, load) in elementLoadIndex.enumerated() { out.fixed(cumulativeLoadNames[element], assessment?.review?.cumulativeLoad[index: load], decimals: 4) }
        for (element, load) in elementLoadIndex.enumerated() {
            // g/ha × ha / 1000 = kg over the parcel.
            out.fixed(totalLoadNames[element], assessment?.review?.cumulativeLoad[index: load].map { $0 * parcels[index].areaHectares / 1000 }, decimals: 6)
        }
        for (element, load) in elementLoadIndex.enumerated() {
            out.fixed(yearsToScreeningNames[element], assessment?.review?.accumulation[index: load]?.yearsToScreening, decimals: 1)
        }
        for (element, load) in elementLoadIndex.enumerated() {
            out.fixed(projectedNames[element], assessment?.review?.accumulation[index: load]?.projected, decimals: 4)
        }
        out.fixed("irrigation_years_limit", assessment?.review?.irrigationYearsLimit, decimals: 1)
        out.string("limiting_element", assessment?.review?.limitingElement)
        out.fixed("salt_ecw_ds_m", assessment?.review?.ecw, decimals: 3)
        out.string("water_salinity_class", assessment?.review?.waterSalinityClass)
        out.string("water_chloride_class", assessment?.review?.waterChlorideClass)
        out.fixed("leaching_requirement", assessment?.review?.leachingRequirement, decimals: 4)
        out.fixed("relative_yield_pct", assessment?.review?.relativeYield, decimals: 1)
        out.string("salinity_class", assessment?.review?.soilSaltClass)
        out.string("irrigation_method", parcels[index].irrigationMethod)
        out.strings("irrigation_methods_allowed", assessment?.methods?.allowed ?? [])
        out.string("irrigation_method_recommended", assessment?.methods?.recommended)
        out.strings("irrigation_method_reasons", assessment?.methods?.reasons.map(\.rawValue) ?? [])
        out.boolean("soil_review", assessment?.review?.soilReview)
        out.boolean("groundwater_review", assessment?.review?.groundwaterReview)
        out.strings("produce_sample_ids", hasLinks ? links[index].produceSampleIDs : [])
        out.boolean("produce_review", assessment?.review?.produceReview)
        out.strings("review_reasons", assessment?.review?.reviewReasons.map(\.rawValue) ?? [])
        out.findings("findings", assessment?.review?.findings ?? [])
        for (field, attribute) in (attributes ?? parcels[index].attributes).enumerated() {
            out.attribute(fieldNames?.outputName(at: field, of: attribute.name) ?? passThroughName(attribute.name), attribute.value)
        }
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

/// Takes a feature's properties one at a time, in output order; a nil value is a JSON null.
protocol PropertyReceiver {
    mutating func string(_ key: String, _ value: String?)
    mutating func fixed(_ key: String, _ value: Double?, decimals: Int)
    mutating func number(_ key: String, _ value: Double?)
    mutating func integer(_ key: String, _ value: Int64?)
    mutating func boolean(_ key: String, _ value: Bool?)
    mutating func strings(_ key: String, _ values: [String])
    mutating func findings(_ key: String, _ findings: [Finding])
    mutating func attribute(_ key: String, _ value: AttributeValue)
}

/// The properties as (name, value) pairs.
struct PropertyList: PropertyReceiver {
    var pairs: [(String, PropertyValue)] = []

    mutating func string(_ key: String, _ value: String?) { pairs.append((key, value.map(PropertyValue.string) ?? .null)) }
    mutating func fixed(_ key: String, _ value: Double?, decimals: Int) { pairs.append((key, value.map { .fixed($0, decimals: decimals) } ?? .null)) }
    mutating func number(_ key: String, _ value: Double?) { pairs.append((key, value.map(PropertyValue.number) ?? .null)) }
    mutating func integer(_ key: String, _ value: Int64?) { pairs.append((key, value.map(PropertyValue.integer) ?? .null)) }
    mutating func boolean(_ key: String, _ value: Bool?) { pairs.append((key, value.map(PropertyValue.boolean) ?? .null)) }
    mutating func strings(_ key: String, _ values: [String]) { pairs.append((key, .strings(values))) }
    mutating func findings(_ key: String, _ findings: [Finding]) { pairs.append((key, .findings(findings))) }
    mutating func attribute(_ key: String, _ value: AttributeValue) { pairs.append((key, PropertyValue(value))) }
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
        for index in findings.indices {
            if index > 0 { append(", ") }
            append("{\"code\": "); text(findings[index].code.rawValue)
            append(", \"target\": "); text(findings[index].target.rawValue)
            append(", \"parameter\": "); text(findings[index].parameter)
            append(", \"value\": "); number(findings[index].value)
            append(", \"threshold\": "); number(findings[index].threshold)
            append(", \"unit\": "); text(findings[index].unit)
            append(", \"standard\": "); text(findings[index].standard)
            append(", \"evidence\": [")
            for e in findings[index].evidence.indices {
                if e > 0 { append(", ") }
                appendJSONString(findings[index].evidence[e])
            }
            append("], \"review\": "); append(findings[index].review ? "true" : "false")
            append(", \"message_zh\": "); text(findings[index].messageZh)
            append(", \"message_en\": "); text(findings[index].messageEn)
            append(byte: UInt8(ascii: "}"))
        }
        append(byte: UInt8(ascii: "]"))
    }
}
