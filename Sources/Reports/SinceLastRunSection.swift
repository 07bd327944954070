import Foundation
import IrrigationModel

extension HTMLReport {
    /// Parcels listed in the section at most; `irrizone diff` writes them all.
    static let changeRowLimit = 200

    /// "Since the last run": how many parcels changed zone, years band or review status, the zone
    /// transitions, and the first of them (issue #25). Absent when no earlier run is known.
    static func sinceLastRunSection(_ input: ReportInput, labels l: ReportLabels) -> String {
        guard let since = input.sinceLastRun else { return "" }
        var h = "<section><h2>\(l["since_last_run"])</h2>"
        guard !since.changes.isEmpty else {
            return h + "<p>" + l["since_none"].replacingOccurrences(of: "{run}", with: escapeHTML(since.previousRun)) + "</p></section>"
        }
        func count(_ kind: ParcelChange.Kind) -> Int { since.changes.filter { $0.kinds.contains(kind) }.count }
        h += "<p>" + String(format: l["since_summary"], since.parcelsBefore, count(.zone), count(.yearsBand), count(.review), count(.added), count(.removed))
            .replacingOccurrences(of: "{run}", with: escapeHTML(since.previousRun)) + "</p>"
        let transitions = SeasonChanges.zoneTransitions(since.changes)
        let zones: [Zone?] = Zone.allCases.map { $0 } + [nil]
        func name(_ zone: Zone?) -> String { zone.map { l[$0.rawValue] } ?? l["not_in_run"] }
        let rows = zones.compactMap { old -> [String]? in
            guard let row = transitions[old] else { return nil }
            return [name(old)] + zones.map { new in row[new].map(String.init) ?? "" }
        }
        if !rows.isEmpty {
            h += "<h3>\(l["since_transitions"])</h3>" + table(id: "since-zones", header: [""] + zones.map(name), rows: rows)
        }
        let listed = since.changes.prefix(changeRowLimit).map { change -> [String] in
            [change.parcelID, name(change.old?.zone), name(change.new?.zone),
             change.old.map { IrrigationYearsBand(years: $0.irrigationYearsLimit).rawValue } ?? "",
             change.new.map { IrrigationYearsBand(years: $0.irrigationYearsLimit).rawValue } ?? "",
             change.kinds.map(\.rawValue).joined(separator: ", ")]
        }
        h += "<h3>" + String(format: l["since_list"], min(changeRowLimit, since.changes.count)) + "</h3>"
        h += table(id: "since-parcels", header: ["parcel_id", l["old_zone"], l["new_zone"], l["old_band"], l["new_band"], l["change"]],
                   rows: listed, sortable: true)
        return h + "<p class=\"note\">\(escapeHTML(l["since_hint"]))</p></section>"
    }
}
