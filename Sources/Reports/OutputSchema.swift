import IrrigationModel

/// One field of an output file: its name, the kind of value it holds, whether it can be null,
/// and what it means. `OutputSchema` lists every file's fields once; the writers take their
/// names from it (`ParcelProperties.contractNames`, the CSV headers), tests hold the writers to
/// it, and `irrizone fields` prints it for the README.
public struct OutputField: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case text, texts = "text list", integer, real, boolean, json
    }
    public let name: String
    public let kind: Kind
    public let nullable: Bool
    public let description: String

    public init(_ name: String, _ kind: Kind, nullable: Bool = true, _ description: String) {
        self.name = name; self.kind = kind; self.nullable = nullable; self.description = description
    }
}

public enum OutputSchema {
    /// The soil elements reported per parcel (DESIGN.md §5).
    public static let soilElements = ReviewEngine.elements

    /// Fields repeated for each soil element: `name(element)`.
    private static func perElement(_ name: (String) -> String, _ kind: OutputField.Kind, _ description: String) -> [OutputField] {
        soilElements.map { OutputField(name($0), kind, description.replacingOccurrences(of: "<el>", with: $0)) }
    }

    /// `parcels.geojson` / `parcels.gpkg`: the contract fields in output order; every input
    /// attribute follows them (a field named like one of these passes through as `in_<name>`).
    public static let parcels: [OutputField] = [
        OutputField("parcel_id", .text, nullable: false, "the parcel's id (its feature id when the id field is empty)"),
        OutputField("crop", .text, "the crop as the layer names it"),
        OutputField("crop_class", .text, "the crop class the rules use (crops.json)"),
        OutputField("crop_class_from", .text, "what decided the class: crop, land_use_code or none"),
        OutputField("policy_tier", .text, "the policy tier of the class (encouraged, cautious, not recommended)"),
        OutputField("zone", .text, "suitable / restricted / prohibited"),
        OutputField("zone_reasons", .texts, nullable: false, "the zone reason codes (ZoneReason)"),
        OutputField("land_use_code", .text, "三调 land-use code"),
        OutputField("land_use_name", .text, "三调 land-use name"),
        OutputField("source_id", .text, "the reclaimed-water source"),
        OutputField("source_from_service_area", .boolean, nullable: false, "whether the source came from a service area"),
        OutputField("source_status", .text, "the source's verdict for this parcel (pass, fail, indeterminate, incomplete, no_data)"),
        OutputField("admin_unit", .text, "the administrative unit (township)"),
        OutputField("area_ha", .real, nullable: false, "ellipsoidal area, ha"),
        OutputField("area_mu", .real, nullable: false, "ellipsoidal area, 亩 (15 亩 = 1 ha)"),
        OutputField("geometry_repaired", .boolean, nullable: false, "whether make-valid repaired the geometry"),
        OutputField("exclusion_share", .real, "share of the parcel inside exclusion areas (after buffering)"),
        OutputField("exclusion_areas", .texts, nullable: false, "the exclusion areas it touches"),
        OutputField("soil_class", .text, "GB 15618 class: priority_protection / safe_use / strict_control / unknown"),
        OutputField("soil_sample_ids", .texts, nullable: false, "the linked soil samples"),
        OutputField("soil_estimated", .boolean, "whether the soil values come from a neighbouring sample"),
        OutputField("soil_distance_m", .real, "distance to that neighbouring sample, m"),
        OutputField("soil_ph", .real, "soil pH (a sample's wins over the parcel attribute)"),
        OutputField("soil_ph_from", .text, "sample or parcel_attribute"),
    ] + perElement({ "soil_\($0)_mg_kg" }, .real, "soil <el>, mg/kg: the highest detected value of the linked samples") + [
        OutputField("well_ids", .texts, nullable: false, "wells within the groundwater radius"),
        OutputField("irrigation_m3_ha_yr", .real, "the volume the loads use, m³/ha·yr"),
        OutputField("irrigation_year", .integer, "the year of the latest irrigation record"),
        OutputField("irrigation_basis", .text, "records, quota or none"),
        OutputField("load_cl_kg_ha_yr", .real, "annual chloride load, kg/ha·yr"),
        OutputField("load_salt_kg_ha_yr", .real, "annual salt load, kg/ha·yr"),
    ] + perElement({ "load_\($0)_g_ha_yr" }, .real, "annual <el> load, g/ha·yr") + [
        OutputField("cum_load_cl_kg_ha", .real, "chloride load over the years of records, kg/ha"),
        OutputField("cum_load_salt_kg_ha", .real, "salt load over the years of records, kg/ha"),
    ] + perElement({ "cum_load_\($0)_g_ha" }, .real, "<el> load over the years of records, g/ha")
      + perElement({ "total_load_\($0)_kg" }, .real, "<el> load over the years of records on the whole parcel, kg")
      + perElement({ "years_to_screening_\($0)" }, .real, "years until soil <el> reaches its GB 15618 screening value")
      + perElement({ "soil_\($0)_projected_mg_kg" }, .real, "soil <el> at the horizon, mg/kg") + [
        OutputField("irrigation_years_limit", .real, "allowed irrigation years (灌溉年限): the fewest over the elements and caps"),
        OutputField("limiting_element", .text, "the element that sets it"),
        OutputField("salt_ecw_ds_m", .real, "ECw of the water, dS/m"),
        OutputField("water_salinity_class", .text, "FAO 29 salinity class of the water"),
        OutputField("water_chloride_class", .text, "FAO 29 chloride class of the water (surface irrigation)"),
        OutputField("leaching_requirement", .real, "leaching requirement (FAO 29)"),
        OutputField("relative_yield_pct", .real, "relative yield at the root-zone salinity, % (Maas–Hoffman)"),
        OutputField("salinity_class", .text, "soil salt class"),
        OutputField("irrigation_method", .text, "today's irrigation method as the layer names it (灌溉方式, GGFS)"),
        OutputField("irrigation_methods_allowed", .texts, nullable: false, "methods allowed (灌溉方式), best first: drip, subsurface_drip, micro_sprinkler, pipe, furrow, border, sprinkler, flood"),
        OutputField("irrigation_method_recommended", .text, "the best method allowed"),
        OutputField("irrigation_method_reasons", .texts, nullable: false, "why methods were taken away (IrrigationMethodReason)"),
        OutputField("soil_review", .boolean, "whether the parcel is under soil review"),
        OutputField("groundwater_review", .boolean, "whether the parcel is under groundwater review"),
        OutputField("produce_sample_ids", .texts, nullable: false, "the linked produce samples (农产品)"),
        OutputField("produce_review", .boolean, "whether a produce sample is above, or cannot be held to, its GB 2762 limit"),
        OutputField("review_reasons", .texts, nullable: false, "the finding codes under review (FindingCode)"),
        OutputField("findings", .json, nullable: false, "every finding: code, target, parameter, value, threshold, unit, standard, evidence, review, message_zh, message_en"),
    ]

    /// `zones.geojson`: one (multi)polygon per zone and crop class.
    public static let zones: [OutputField] = [
        OutputField("zone", .text, nullable: false, "suitable / restricted / prohibited"),
        OutputField("zone_zh", .text, nullable: false, "适宜区 / 限制区 / 禁止区"),
        OutputField("crop_class", .text, nullable: false, "the crop class"),
        OutputField("area_ha", .real, nullable: false, "area, ha (the parcels' own areas when they form a coverage)"),
        OutputField("area_mu", .real, nullable: false, "area, 亩"),
        OutputField("parcel_count", .integer, nullable: false, "parcels in the zone"),
        OutputField("dissolve_method", .text, nullable: false, "coverage (GEOS coverage union) or cascaded (overlapping parcels)"),
    ]

    /// `summary.csv`: per administrative unit × zone × crop class.
    public static let summary: [OutputField] = [
        OutputField("admin_unit", .text, nullable: false, "the administrative unit"),
        OutputField("zone", .text, nullable: false, "the zone"),
        OutputField("crop_class", .text, nullable: false, "the crop class"),
        OutputField("parcels", .integer, nullable: false, "parcels"),
        OutputField("area_ha", .real, nullable: false, "area, ha"),
        OutputField("area_mu", .real, nullable: false, "area, 亩"),
        OutputField("volume_m3_yr", .real, nullable: false, "reclaimed water used, m³/yr"),
        OutputField("load_cl_kg_yr", .real, nullable: false, "chloride load, kg/yr"),
        OutputField("load_salt_kg_yr", .real, nullable: false, "salt load, kg/yr"),
    ] + soilElements.map { OutputField("load_\($0)_g_yr", .real, nullable: false, "\($0) load, g/yr") } + [
        OutputField("soil_review", .integer, nullable: false, "parcels under soil review"),
        OutputField("groundwater_review", .integer, nullable: false, "parcels under groundwater review"),
        OutputField("soil_no_data", .integer, nullable: false, "parcels without soil data"),
        OutputField("soil_incomplete", .integer, nullable: false, "parcels whose soil evidence lacks required items"),
        OutputField("source_incomplete", .integer, nullable: false, "parcels whose source lacks required items"),
        OutputField("produce_review", .integer, nullable: false, "parcels under produce review (GB 2762)"),
    ]

    /// `review.csv`: one row per parcel under review and finding.
    public static let review: [OutputField] = [
        OutputField("parcel_id", .text, nullable: false, "the parcel"),
        OutputField("admin_unit", .text, "its administrative unit"),
        OutputField("crop", .text, "its crop"),
        OutputField("crop_class", .text, nullable: false, "its crop class"),
        OutputField("zone", .text, nullable: false, "its zone"),
        OutputField("code", .text, nullable: false, "the finding (FindingCode)"),
        OutputField("target", .text, nullable: false, "soil, groundwater, water or produce"),
        OutputField("parameter", .text, "the parameter"),
        OutputField("value", .real, "the value found"),
        OutputField("threshold", .real, "the threshold it is held to"),
        OutputField("unit", .text, "their unit"),
        OutputField("standard", .text, "the standard and its basis"),
        OutputField("evidence", .text, nullable: false, "sample, well or source ids, separated by ;"),
        OutputField("message_zh", .text, nullable: false, "the finding in Chinese"),
        OutputField("message_en", .text, nullable: false, "the finding in English"),
    ]

    /// `rejects.csv`: every feature, row, value or column that did not enter the assessment.
    public static let rejects: [OutputField] = [
        OutputField("file", .text, nullable: false, "the input file as the user named it (passwords removed)"),
        OutputField("location", .text, nullable: false, "where in it: feature 12, row 7, column"),
        OutputField("field", .text, nullable: false, "the field at fault, or geometry; empty for the whole record"),
        OutputField("code", .text, nullable: false, "why (RejectCode)"),
        OutputField("reason", .text, nullable: false, "what was wrong and what was expected"),
    ]

    /// `changes.csv` (`irrizone diff`): one row per parcel whose zone, allowed irrigation years band
    /// or review status changed between two runs, or that only one of them has.
    public static let changes: [OutputField] = [
        OutputField("parcel_id", .text, nullable: false, "the parcel's id"),
        OutputField("old_zone", .text, "its zone in the old run (empty: not in it)"),
        OutputField("new_zone", .text, "its zone in the new run (empty: not in it)"),
        OutputField("change", .texts, nullable: false, "what changed, ;-separated: zone, years_band, review, added, removed"),
        OutputField("old_years_band", .text, "the old run's allowed irrigation years band: <5, 5-10, 10-20, >=20 or none"),
        OutputField("new_years_band", .text, "the new run's band"),
        OutputField("old_irrigation_years_limit", .real, "the old run's 灌溉年限, years"),
        OutputField("new_irrigation_years_limit", .real, "the new run's 灌溉年限, years"),
        OutputField("old_under_review", .boolean, "whether the old run put it under review (soil, groundwater or produce)"),
        OutputField("new_under_review", .boolean, "whether the new run does"),
        OutputField("old_zone_reasons", .texts, "the old run's zone reasons, ;-separated"),
        OutputField("new_zone_reasons", .texts, "the new run's zone reasons"),
        OutputField("old_review_reasons", .texts, "the old run's review reasons"),
        OutputField("new_review_reasons", .texts, "the new run's review reasons"),
    ]

    /// The fields of every file as Markdown tables, and the codes they hold with their meanings:
    /// the README's field list (`irrizone fields`).
    public static func markdown() -> String {
        var text = ""
        for (file, fields) in [("parcels.geojson / parcels.gpkg", parcels), ("zones.geojson", zones), ("summary.csv", summary),
                               ("review.csv", review), ("rejects.csv", rejects), ("changes.csv (irrizone diff)", changes)] {
            text += "#### \(file)\n\n| field | kind | null | meaning |\n|---|---|---|---|\n"
            for field in fields { text += "| `\(field.name)` | \(field.kind.rawValue) | \(field.nullable ? "yes" : "no") | \(field.description) |\n" }
            text += "\n"
        }
        text += codeTable("Zone reasons (`zone_reasons`)", ZoneReason.self)
        text += codeTable("Findings (`review_reasons`, `findings`, review.csv `code`)", FindingCode.self)
        text += codeTable("Source status reasons (sources.geojson `status_reasons`)", SourceStatusReason.self)
        text += codeTable("Irrigation-method reasons (`irrigation_method_reasons`)", IrrigationMethodReason.self)
        text += codeTable("Reject codes (rejects.csv `code`)", RejectCode.self)
        return text
    }

    private static func codeTable<Code: OutputCode>(_ title: String, _: Code.Type) -> String {
        "#### \(title)\n\n| code | 含义 | meaning |\n|---|---|---|\n"
            + Code.allCases.map { "| `\($0.rawValue)` | \($0.meaning.zh) | \($0.meaning.en) |\n" }.joined() + "\n"
    }
}
