import Foundation
import IrrigationModel

/// What `irrizone standards` prints: every limit in effect, with source and confidence.
public struct StandardsListing {
    public var catalog: StandardsCatalog
    public var crops: CropCatalog
    public var standard: String?
    public var cropClass: CropClass?
    public var warnings: [String]

    public static func make(overrides: [String], standard: String?, cropClass: CropClass?) throws -> StandardsListing {
        var catalog = try StandardsCatalog.bundled()
        var warnings: [String] = []
        for path in overrides { warnings += try catalog.apply(StandardsOverrideFile.load(path: path)) }
        return StandardsListing(catalog: catalog, crops: try CropCatalog.bundled(), standard: standard, cropClass: cropClass, warnings: warnings)
    }

    func wanted(_ id: String) -> Bool { standard.map { $0.replacingOccurrences(of: " ", with: "").lowercased() == id.replacingOccurrences(of: " ", with: "").lowercased() } ?? true }

    var waterLimits: [WaterLimit] {
        var limits = catalog.waterLimits.filter { wanted($0.standard) }
        if let cropClass {
            let columns = catalog.columns(for: crops.policy(cropClass), cropClass: cropClass)
            limits = limits.filter { columns[$0.standard]?.contains($0.column) ?? false }
        }
        return limits
    }

    public var text: String {
        var lines = ["standards \(catalog.version) — confidence: C1 official text, C2 secondary copies, C2* damaged copies, M UNVERIFIED (from memory), D derived"]
        for (name, source) in catalog.overrides { lines.append("override in effect: \(name) (\(source))") }
        for warning in warnings { lines.append("warning: \(warning)") }
        for water in catalog.waterStandards where wanted(water.id) {
            lines.append("\n\(water.id) \(water.title)")
            lines.append("  columns: " + water.columns.map { "\($0)" + (water.columnNames[$0].map { " = \($0)" } ?? "") }.joined(separator: "; "))
            for limit in waterLimits where limit.standard == water.id {
                let range = [limit.min.map { "≥ \($0)" }, limit.max.map { "≤ \($0)" }].compactMap { $0 }.joined(separator: ", ")
                lines.append("  \(limit.parameter.padding(toLength: 22, withPad: " ", startingAt: 0)) \(limit.column.padding(toLength: 18, withPad: " ", startingAt: 0)) \(range) \(limit.unit)"
                             + (limit.condition.map { " [\($0)]" } ?? "") + "  \(limit.confidence)\(limit.isUnverified ? " (unverified)" : "")  \(limit.source)")
            }
        }
        if wanted(catalog.soilStandard.id) {
            lines.append("\n\(catalog.soilStandard.id) \(catalog.soilStandard.title) — \(catalog.soilStandard.confidence), \(catalog.soilStandard.source)")
            lines.append("  pH bands: \(catalog.soilStandard.bands.joined(separator: " | ")), mg/kg; screening: \(catalog.soilStandard.screeningTable), intervention: \(catalog.soilStandard.interventionTable)")
            for row in catalog.soilScreening { lines.append("  screening    \(row.parameter) \(row.landUse): \(row.screening.map { "\($0)" }.joined(separator: " | "))") }
            for (parameter, values) in catalog.soilIntervention.sorted(by: { $0.key < $1.key }) {
                lines.append("  intervention \(parameter): \(values.map { "\($0)" }.joined(separator: " | "))")
            }
        }
        if wanted(catalog.groundwater.id) {
            lines.append("\n\(catalog.groundwater.id) \(catalog.groundwater.title) — \(catalog.groundwater.confidence), \(catalog.groundwater.source)")
            for (parameter, classes) in catalog.groundwaterClasses.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(parameter): I–IV ≤ \(classes.map { "\($0)" }.joined(separator: " | "))")
            }
        }
        if standard == nil {
            let evidence = catalog.requiredEvidence
            func describe(_ items: [RequiredEvidence.Item]) -> String { items.map(\.summary).joined(separator: ", ") }
            lines.append("\nRequired evidence (a verdict needs these measured; rules.required adds or drops items)")
            lines.append("  water in the assessment year: \(describe(evidence.water))  \(evidence.waterConfidence)  \(evidence.waterSource)")
            lines.append("  soil: \(describe(evidence.soil))  \(evidence.soilConfidence)  \(evidence.soilSource)")
        }
        if wanted("FAO29") {
            lines.append("\nFAO29 salinity classes of irrigation water (none / slight–moderate / severe)")
            for row in catalog.fao29WaterClasses { lines.append("  \(row.parameter): < \(row.noneBelow) none, > \(row.severeAbove) severe  \(row.confidence)  \(row.source)") }
            for (crop, t) in catalog.cropSaltTolerance.sorted(by: { $0.key < $1.key }) {
                lines.append("  crop \(crop): threshold a = \(t.threshold) dS/m, slope b = \(t.slope) %/(dS/m)  \(t.confidence)  \(t.source)")
            }
        }
        return lines.joined(separator: "\n")
    }

    public func json() throws -> String {
        let limits = waterLimits.map { l -> [String: Any] in
            ["standard": l.standard, "table": l.table, "parameter": l.parameter, "column": l.column, "condition": l.condition ?? NSNull(), "min": l.min ?? NSNull(),
             "max": l.max ?? NSNull(), "unit": l.unit, "confidence": l.confidence, "unverified": l.isUnverified, "source": l.source,
             "overridden_by": l.overriddenBy ?? NSNull()]
        }
        // Soil and groundwater values one record each, with the standard, table, column and
        // confidence a water limit carries (issue #22).
        let soilStandard = catalog.soilStandard
        func soilRecord(_ parameter: String, table: String, landUse: String, band: Int, value: Double) -> [String: Any] {
            ["standard": soilStandard.id, "table": table, "parameter": parameter, "land_use": landUse, "column": soilStandard.bands[band],
             "value": value, "unit": "mg/kg", "confidence": soilStandard.confidence, "unverified": soilStandard.confidence == "M", "source": soilStandard.source]
        }
        let soil = wanted(soilStandard.id) ? catalog.soilScreening.flatMap { row in
            row.screening.indices.map { soilRecord(row.parameter, table: soilStandard.screeningTable, landUse: row.landUse, band: $0, value: row.screening[$0]) }
        } : []
        let intervention = wanted(soilStandard.id) ? catalog.soilIntervention.sorted(by: { $0.key < $1.key }).flatMap { parameter, values in
            values.indices.map { soilRecord(parameter, table: soilStandard.interventionTable, landUse: "all", band: $0, value: values[$0]) }
        } : []
        let groundwater = catalog.groundwater
        let classNames = ["I", "II", "III", "IV"]
        let groundwaterValues: [[String: Any]] = !wanted(groundwater.id) ? [] : catalog.groundwaterClasses.sorted(by: { $0.key < $1.key }).flatMap { parameter, classes in
            classes.indices.map { index -> [String: Any] in
                ["standard": groundwater.id, "table": groundwater.table, "parameter": parameter, "column": "class \(classNames[index])", "max": classes[index],
                 "unit": "mg/L", "confidence": groundwater.confidence, "unverified": groundwater.confidence == "M", "source": groundwater.source]
            }
        } + catalog.groundwaterRanges.sorted(by: { $0.key < $1.key }).flatMap { parameter, ranges in
            ranges.indices.map { index -> [String: Any] in
                ["standard": groundwater.id, "table": groundwater.table, "parameter": parameter, "column": "class \(classNames[index])", "min": ranges[index][0],
                 "max": ranges[index][1], "unit": parameter == "ph" ? "pH" : "mg/L", "confidence": groundwater.confidence, "unverified": groundwater.confidence == "M",
                 "source": groundwater.source]
            }
        }
        let evidence = catalog.requiredEvidence
        func items(_ list: [RequiredEvidence.Item]) -> [[String: Any]] {
            list.map { ["item": $0.item, "any_of": $0.anyOf, "note": $0.note ?? NSNull()] }
        }
        let required: [String: Any] = [
            "water": ["items": items(evidence.water), "source": evidence.waterSource, "confidence": evidence.waterConfidence],
            "soil": ["items": items(evidence.soil), "source": evidence.soilSource, "confidence": evidence.soilConfidence],
        ]
        let root: [String: Any] = ["version": catalog.version, "overrides": catalog.overrides.map { ["name": $0.name, "source": $0.source] },
                                   "water_limits": limits, "soil_screening": soil, "soil_intervention": intervention,
                                   "groundwater_classes": groundwaterValues, "required_evidence": required]
        return String(decoding: try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }
}
