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
            lines.append("  pH bands: \(catalog.soilStandard.bands.joined(separator: " | ")), mg/kg")
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
            ["standard": l.standard, "parameter": l.parameter, "column": l.column, "condition": l.condition ?? NSNull(), "min": l.min ?? NSNull(),
             "max": l.max ?? NSNull(), "unit": l.unit, "confidence": l.confidence, "unverified": l.isUnverified, "source": l.source,
             "overridden_by": l.overriddenBy ?? NSNull()]
        }
        let soil = catalog.soilScreening.map { ["parameter": $0.parameter, "land_use": $0.landUse, "screening": $0.screening] as [String: Any] }
        let root: [String: Any] = ["version": catalog.version, "overrides": catalog.overrides.map { ["name": $0.name, "source": $0.source] },
                                   "water_limits": limits, "soil_screening": soil,
                                   "soil_intervention": catalog.soilIntervention, "groundwater_classes": catalog.groundwaterClasses]
        return String(decoding: try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }
}
