import IrrigationModel

/// `summary.csv`: per administrative unit × zone × crop class: parcels, area, volume, loads and
/// flagged counts. `review.csv`: one row per parcel under review and reason.
public enum SummaryFiles {
    public static let summaryHeader = ["admin_unit", "zone", "crop_class", "parcels", "area_ha", "area_mu", "volume_m3_yr",
                                       "load_cl_kg_yr", "load_salt_kg_yr"] + ReviewEngine.elements.map { "load_\($0)_g_yr" }
        + ["soil_review", "groundwater_review", "soil_no_data"]

    public static func writeSummary(parcels: [Parcel], assessments: [ParcelAssessment], to path: String) throws -> Int {
        struct Key: Hashable { var unit: String; var zone: String; var cropClass: String }
        var groups: [Key: [Int]] = [:]
        for index in parcels.indices {
            groups[Key(unit: parcels[index].adminUnit ?? "", zone: assessments[index].zone.rawValue,
                       cropClass: assessments[index].classification.cropClass.rawValue), default: []].append(index)
        }
        let csv = try CSVWriter(path: path, header: summaryHeader)
        let keys = groups.keys.sorted { ($0.unit, $0.zone, $0.cropClass) < ($1.unit, $1.zone, $1.cropClass) }
        for key in keys {
            let indices = groups[key]!
            func sum(_ value: (Int) -> Double?) -> Double { indices.reduce(0) { $0 + (value($1) ?? 0) } }
            let area = sum { parcels[$0].areaHectares }
            // Loads per hectare × hectares = loads per year over the group.
            let load = { (key: String) in sum { i in assessments[i].review?.annualLoad[key].map { $0 * parcels[i].areaHectares } } }
            var row = [key.unit, key.zone, key.cropClass, String(indices.count), JSONText.fixed(area, 4), JSONText.fixed(area * 15, 2),
                       JSONText.fixed(sum { i in assessments[i].review?.volumeM3PerHectare.map { $0 * parcels[i].areaHectares } }, 1),
                       JSONText.fixed(load("chloride"), 3), JSONText.fixed(load("salt"), 3)]
            row += ReviewEngine.elements.map { JSONText.fixed(load($0), 3) }
            row += [String(indices.filter { assessments[$0].review?.soilReview == true }.count),
                    String(indices.filter { assessments[$0].review?.groundwaterReview == true }.count),
                    String(indices.filter { assessments[$0].review?.findings.contains { $0.code == "SOIL_NO_DATA" } == true }.count)]
            csv.writeRow(row)
        }
        try csv.finish()
        return keys.count
    }

    public static let reviewHeader = ["parcel_id", "admin_unit", "crop", "crop_class", "zone", "code", "target", "parameter", "value", "threshold",
                                      "unit", "standard", "evidence", "message_zh", "message_en"]

    public static func writeReview(parcels: [Parcel], assessments: [ParcelAssessment], to path: String) throws -> Int {
        let csv = try CSVWriter(path: path, header: reviewHeader)
        var rows = 0
        for index in parcels.indices {
            guard let findings = assessments[index].review?.findings, findings.contains(where: \.review) else { continue }
            let parcel = parcels[index], assessment = assessments[index]
            for finding in findings where finding.review {
                csv.writeRow([parcel.id, parcel.adminUnit ?? "", parcel.crop ?? "", assessment.classification.cropClass.rawValue, assessment.zone.rawValue,
                              finding.code, finding.target, finding.parameter ?? "", finding.value.map { String($0) } ?? "",
                              finding.threshold.map { String($0) } ?? "", finding.unit ?? "", finding.standard ?? "", finding.evidence.joined(separator: ";"),
                              finding.messageZh, finding.messageEn])
                rows += 1
            }
        }
        try csv.finish()
        return rows
    }
}
