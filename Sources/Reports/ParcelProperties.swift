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

    /// The properties as (name, value) pairs (GeoPackage, tests); the GeoJSON writer takes them
    /// straight into its bytes through `visit` (`GeoJSONWriter.encodeParcelFeatures`).
    /// - Parameters:
    ///   - links: what was linked to the parcel; nil when no monitoring data was given (the
    ///     linked properties are then null).
    ///   - soil: the run's soil samples, indexed by `links.soilSamples`.
    ///   - fieldNames: the output names of the parcel layer's fields, made once for the layer.
    public static func properties(for parcel: Parcel, links: ParcelLinks? = nil, soil: [SoilSample] = [],
                                  assessment: ParcelAssessment? = nil, fieldNames: FieldNames? = nil) -> [(String, PropertyValue)] {
        var collected = PropertyList()
        collected.pairs.reserveCapacity(contractNames.count + parcel.attributes.count)
        func visiting(_ links: UnsafePointer<ParcelLinks>?) {
            withUnsafePointer(to: parcel) { parcel in
                if let assessment {
                    withUnsafePointer(to: assessment) { visit(parcel, links: links, soil: soil, assessment: $0, fieldNames: fieldNames, into: &collected) }
                } else {
                    visit(parcel, links: links, soil: soil, assessment: nil, fieldNames: fieldNames, into: &collected)
                }
            }
        }
        if let links { withUnsafePointer(to: links) { visiting($0) } } else { visiting(nil) }
        return collected.pairs
    }

    /// Hands each property of the parcel to `receiver`, in output order. (A million parcels'
    /// properties as arrays of enum values cost ~5 CPU-seconds in allocations, retains and
    /// releases before a byte was written.) The links and the assessment come by pointer, read
    /// in place in the caller's arrays, and so does the parcel: passed as values they were copied
    /// whole for every parcel.
    static func visit<Receiver: PropertyReceiver>(_ parcel: UnsafePointer<Parcel>, links: UnsafePointer<ParcelLinks>?, soil: [SoilSample], assessment: UnsafePointer<ParcelAssessment>?,
                                                  fieldNames: FieldNames?, into out: inout Receiver) {
        let sampleIndices = links?.pointee.soilSamples ?? []
        let sampleIDs = soil.withUnsafeBufferPointer { soil in sampleIndices.map { soil[$0].id } }
        // The review read in place where the assessment is: bound to a name, it was copied whole
        // for every parcel (a retain and a release of each of its arrays and strings).
        let review = assessment.map { $0.pointer(to: \.review)! }
        let hasReview = review?.pointee != nil
        // The rules found the samples' pH and values already; without them (no assessment) they
        // come from the samples.
        let samples = hasReview || sampleIndices.isEmpty ? [] : sampleIndices.map { soil[$0] }
        // (`review?.pointee?.x`, never `.map`: the closure's form copied the whole review each time.)
        let samplePH = hasReview ? review?.pointee?.samplePH : (samples.isEmpty ? nil : SoilSummary.pH(samples: samples))
        let latestIrrigation = links?.pointee.irrigationByYear.max { $0.key < $1.key }
        out.string("parcel_id", parcel.pointee.id)
        out.string("crop", parcel.pointee.crop)
        out.string("crop_class", assessment?.pointee.classification.cropClass.rawValue)
        out.string("crop_class_from", assessment.map { a -> String in
            switch a.pointee.classification.basis {
            case .cropName: "crop"
            case .landUseCode: "land_use_code"
            case .none: "none"
            }
        })
        out.string("policy_tier", assessment?.pointee.tier?.rawValue)
        out.string("zone", assessment?.pointee.zone.rawValue)
        out.strings("zone_reasons", assessment?.pointee.reasons.map(\.rawValue) ?? [])
        out.string("land_use_code", parcel.pointee.landUseCode)
        out.string("land_use_name", parcel.pointee.landUseName)
        out.string("source_id", parcel.pointee.sourceID)
        out.boolean("source_from_service_area", parcel.pointee.sourceFromServiceArea)
        out.string("source_status", assessment?.pointee.sourceStatus?.rawValue)
        out.string("admin_unit", parcel.pointee.adminUnit)
        // 1e-6 ha = 0.01 m²; 1e-4 mu ≈ 0.07 m².
        out.fixed("area_ha", parcel.pointee.areaHectares, decimals: 6)
        out.fixed("area_mu", parcel.pointee.areaMu, decimals: 4)
        out.boolean("geometry_repaired", parcel.pointee.geometryRepaired)
        out.fixed("exclusion_share", assessment?.pointee.exclusionShare, decimals: 4)
        out.strings("exclusion_areas", assessment?.pointee.exclusionNames ?? [])
        out.string("soil_class", assessment?.pointee.soilClass)
        out.strings("soil_sample_ids", sampleIDs)
        out.boolean("soil_estimated", sampleIndices.isEmpty ? nil : links?.pointee.soilEstimated ?? false)
        out.fixed("soil_distance_m", links?.pointee.soilDistanceMetres, decimals: 1)
        // A measured pH from a sample wins over the parcel attribute.
        out.fixed("soil_ph", samplePH ?? parcel.pointee.soilPH, decimals: 2)
        out.string("soil_ph_from", samplePH != nil ? "sample" : (parcel.pointee.soilPH != nil ? "parcel_attribute" : nil))
        for (index, parameter) in soilParameters.enumerated() {
            // The rules found the measured value already (their starting content, unless that is
            // the background).
            let value = hasReview ? review?.pointee?.accumulation[index: elementLoadIndex[index]].flatMap { $0.startIsBackground ? nil : $0.start }
                : parameter.flatMap { SoilSummary.value($0, samples: samples) }
            out.number(soilValueNames[index], value)
        }
        out.strings("well_ids", links?.pointee.wellIDs ?? [])
        // The volume the loads use: the latest year of records, else the crop's quota.
        out.fixed("irrigation_m3_ha_yr", review?.pointee?.volumeM3PerHectare ?? latestIrrigation?.value, decimals: 1)
        out.integer("irrigation_year", latestIrrigation.map { Int64($0.key) })
        out.string("irrigation_basis", review?.pointee?.volumeBasis ?? (latestIrrigation == nil ? nil : "records"))
        out.fixed("load_cl_kg_ha_yr", review?.pointee?.annualLoad[index: chlorideLoadIndex], decimals: 3)
        out.fixed("load_salt_kg_ha_yr", review?.pointee?.annualLoad[index: saltLoadIndex], decimals: 3)
        for (index, load) in elementLoadIndex.enumerated() { out.fixed(loadNames[index], review?.pointee?.annualLoad[index: load], decimals: 4) }
        out.fixed("cum_load_cl_kg_ha", review?.pointee?.cumulativeLoad[index: chlorideLoadIndex], decimals: 3)
        out.fixed("cum_load_salt_kg_ha", review?.pointee?.cumulativeLoad[index: saltLoadIndex], decimals: 3)
        for (index, load) in elementLoadIndex.enumerated() { out.fixed(cumulativeLoadNames[index], review?.pointee?.cumulativeLoad[index: load], decimals: 4) }
        for (index, load) in elementLoadIndex.enumerated() {
            // g/ha × ha / 1000 = kg over the parcel.pointee.
            out.fixed(totalLoadNames[index], review?.pointee?.cumulativeLoad[index: load].map { $0 * parcel.pointee.areaHectares / 1000 }, decimals: 6)
        }
        for (index, load) in elementLoadIndex.enumerated() {
            out.fixed(yearsToScreeningNames[index], review?.pointee?.accumulation[index: load]?.yearsToScreening, decimals: 1)
        }
        for (index, load) in elementLoadIndex.enumerated() {
            out.fixed(projectedNames[index], review?.pointee?.accumulation[index: load]?.projected, decimals: 4)
        }
        out.fixed("irrigation_years_limit", review?.pointee?.irrigationYearsLimit, decimals: 1)
        out.string("limiting_element", review?.pointee?.limitingElement)
        out.fixed("salt_ecw_ds_m", review?.pointee?.ecw, decimals: 3)
        out.string("water_salinity_class", review?.pointee?.waterSalinityClass)
        out.string("water_chloride_class", review?.pointee?.waterChlorideClass)
        out.fixed("leaching_requirement", review?.pointee?.leachingRequirement, decimals: 4)
        out.fixed("relative_yield_pct", review?.pointee?.relativeYield, decimals: 1)
        out.string("salinity_class", review?.pointee?.soilSaltClass)
        out.boolean("soil_review", review?.pointee?.soilReview)
        out.boolean("groundwater_review", review?.pointee?.groundwaterReview)
        out.strings("review_reasons", review?.pointee?.reviewReasons ?? [])
        out.findings("findings", review?.pointee?.findings ?? [])
        for index in parcel.pointee.attributes.indices {
            out.attribute(fieldNames?.outputName(at: index, of: parcel.pointee.attributes[index].name) ?? passThroughName(parcel.pointee.attributes[index].name),
                          parcel.pointee.attributes[index].value)
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
        // Each finding is read in place (iterating copied it whole: a retain and a release per string).
        findings.withUnsafeBufferPointer { findings in
            for index in findings.indices {
                if index > 0 { append(", ") }
                let f = findings.baseAddress! + index
                append("{\"code\": "); text(f.pointee.code)
                append(", \"target\": "); text(f.pointee.target)
                append(", \"parameter\": "); text(f.pointee.parameter)
                append(", \"value\": "); number(f.pointee.value)
                append(", \"threshold\": "); number(f.pointee.threshold)
                append(", \"unit\": "); text(f.pointee.unit)
                append(", \"standard\": "); text(f.pointee.standard)
                append(", \"evidence\": [")
                for e in f.pointee.evidence.indices {
                    if e > 0 { append(", ") }
                    appendJSONString(f.pointee.evidence[e])
                }
                append("], \"review\": "); append(f.pointee.review ? "true" : "false")
                append(", \"message_zh\": "); text(f.pointee.messageZh)
                append(", \"message_en\": "); text(f.pointee.messageEn)
                append(byte: UInt8(ascii: "}"))
            }
        }
        append(byte: UInt8(ascii: "]"))
    }
}
