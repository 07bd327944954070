import IrrigationModel

/// `zones.geojson`: one (multi)polygon per (zone, crop class).
public enum ZonesFile {
    public static func write(_ zones: [ZonePolygon], to path: String) throws -> Int {
        let writer = try GeoJSONWriter(path: path, name: "zones")
        for zone in zones { writer.writeFeature(geometry: zone.geometry, properties: properties(zone)) }
        return try writer.finish()
    }

    /// A zone's properties, in the order of `OutputSchema.zones`.
    public static func properties(_ zone: ZonePolygon) -> [(String, PropertyValue)] {
        [
            ("zone", .string(zone.zone.rawValue)), ("zone_zh", .string(zone.zone.chinese)), ("crop_class", .string(zone.cropClass.rawValue)),
            ("area_ha", .fixed(AreaUnit.hectares(squareMetres: zone.areaSquareMetres), decimals: 6)),
            ("area_mu", .fixed(AreaUnit.mu(squareMetres: zone.areaSquareMetres), decimals: 4)),
            ("parcel_count", .integer(Int64(zone.parcelCount))), ("dissolve_method", .string(zone.method)),
        ]
    }
}

/// `sources.geojson` (or `sources.csv` when a source has no location): compliance per crop class,
/// failing parameters with value, limit, unit, standard and sample ids, parcels served, and the
/// supply action when the water fails.
public enum SourcesFile {
    static func verdictJSON(_ verdicts: [ParameterVerdict]) -> String {
        "[" + verdicts.map { v in
            var fields = [
                "\"parameter\": \(JSONText.quote(v.parameter))", "\"status\": \(JSONText.quote(v.status.rawValue))",
                "\"value\": \(JSONText.number(v.statisticHigh))", "\"value_low\": \(JSONText.number(v.statisticLow))",
                "\"limit_max\": \(JSONText.number(v.limit.max))", "\"limit_min\": \(JSONText.number(v.limit.min))",
                "\"unit\": \(JSONText.quote(v.limit.unit))", "\"standard\": \(JSONText.quote(v.limit.standardLabel))",
                "\"unverified\": \(v.limit.isUnverified)", "\"samples\": \(v.samples)",
            ]
            if let standIn = v.measuredAs { fields.append("\"measured_as\": \(JSONText.quote(standIn))") }
            fields.append("\"evidence\": [" + v.evidence.map(JSONText.quote).joined(separator: ", ") + "]")
            return "{" + fields.joined(separator: ", ") + "}"
        }.joined(separator: ", ") + "]"
    }

    public static func properties(_ source: SourceAssessment, parcels: [Parcel]) -> [(String, PropertyValue)] {
        let effective = source.effective
        let suspend = effective.status == .fail
        var properties: [(String, PropertyValue)] = [
            ("source_id", .string(source.sourceID)), ("name", source.source?.name.map(PropertyValue.string) ?? .null),
            ("industrial_inflow", .strings(source.source?.inflows.map(\.rawValue) ?? [])),
            ("prohibited_inflow", .boolean(!effective.prohibitedInflows.isEmpty)),
            ("uses", .strings(source.source?.uses.map(\.rawValue) ?? [])),
            ("year", effective.year.map { .integer(Int64($0)) } ?? .null), ("samples_in_year", .integer(Int64(effective.samplesInYear))),
            ("classes_served", .strings(source.classesServed.map(\.rawValue))),
            ("status", .string(effective.status.rawValue)),
            ("status_reasons", .strings(SourceStatusReason.reasons(for: source).map(\.rawValue))),
            ("treatment_level", .string(TreatmentLevel(source.source?.treatment).rawValue)),
            ("secondary_effluent_problems", source.secondaryEffluentProblems.map { .strings($0) } ?? .null),
            ("failing_parameters", .rawJSON(verdictJSON(effective.failing))),
            ("indeterminate_parameters", .rawJSON(verdictJSON(effective.indeterminate))),
            ("missing_parameters", .strings(effective.missingParameters)),
        ]
        for cropClass in CropClass.allCases {
            properties.append(("status_\(cropClass.rawValue)", .string(source.perClass[cropClass]?.status.rawValue ?? "no_data")))
        }
        // Each use it serves by its own standard; null for a use it does not serve.
        let uses = Set(source.source?.uses ?? [])
        for use in WaterUse.allCases {
            let status: String? = !uses.contains(use) ? nil
                : use == .farmland ? (source.farmland ?? effective).status.rawValue
                : source.perUse[use.rawValue]?.status.rawValue ?? "not_judged"
            properties.append(("status_use_\(use.rawValue)", status.map(PropertyValue.string) ?? .null))
        }
        properties += [
            ("parcels_served", .integer(Int64(source.parcelIndices.count))),
            ("area_served_ha", .fixed(source.areaServedHectares, decimals: 4)),
            ("supply_action", suspend ? .string("suspend") : .null),
            ("affected_parcel_ids", .strings(suspend ? source.parcelIndices.map { parcels[$0].id } : [])),
        ]
        return properties
    }

    /// Writes GeoJSON when every source has a location, else CSV; returns the file name used.
    public static func write(_ sources: [SourceAssessment], parcels: [Parcel], geojsonPath: String, csvPath: String) throws -> (name: String, count: Int) {
        if !sources.isEmpty, sources.allSatisfy({ $0.source?.location != nil }) {
            let writer = try GeoJSONWriter(path: geojsonPath, name: "sources")
            for source in sources {
                let p = source.source!.location!
                writer.writePointFeature(longitude: p.x, latitude: p.y, properties: properties(source, parcels: parcels))
            }
            return ("sources.geojson", try writer.finish())
        }
        let rows = sources.map { properties($0, parcels: parcels) }
        let header = rows.first?.map(\.0) ?? ["source_id"]
        let csv = try CSVWriter(path: csvPath, header: header)
        for row in rows { csv.writeRow(row.map { cell($0.1) }) }
        try csv.finish()
        return ("sources.csv", rows.count)
    }

    static func cell(_ value: PropertyValue) -> String {
        switch value {
        case .null: ""
        case .string(let s): s
        case .number(let d), .fixed(let d, _): JSONText.number(d)
        case .integer(let i): String(i)
        case .boolean(let b): b ? "true" : "false"
        case .strings(let list): list.joined(separator: ";")
        case .rawJSON(let json): json
        case .findings(let findings): ParcelProperties.findingsJSON(findings)
        }
    }
}
