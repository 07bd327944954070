import Foundation
import IrrigationModel

/// `changes.csv` (`irrizone diff`): the parcels whose verdict changed between two runs, in the
/// columns of `OutputSchema.changes`.
public enum ChangesFile {
    /// Writes the file beside its final name and renames it into place with one rename(2): a
    /// reader sees the old file or the new one, never half of one.
    public static func write(_ changes: [ParcelChange], to path: String) throws {
        let partial = path + ".partial"
        let csv = try CSVWriter(path: partial, header: OutputSchema.changes.map(\.name))
        for change in changes { csv.writeRow(row(change)) }
        try csv.finish()
        guard rename(partial, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)])
        }
    }

    static func row(_ change: ParcelChange) -> [String] {
        func years(_ state: ParcelState?) -> String { state?.irrigationYearsLimit.map { JSONText.number($0) } ?? "" }
        func band(_ state: ParcelState?) -> String { state.map { IrrigationYearsBand(years: $0.irrigationYearsLimit).rawValue } ?? "" }
        func review(_ state: ParcelState?) -> String { state.map { $0.underReview ? "true" : "false" } ?? "" }
        return [
            change.parcelID, change.old?.zone?.rawValue ?? "", change.new?.zone?.rawValue ?? "",
            change.kinds.map(\.rawValue).joined(separator: ";"), band(change.old), band(change.new), years(change.old), years(change.new),
            review(change.old), review(change.new),
            change.old?.zoneReasons.joined(separator: ";") ?? "", change.new?.zoneReasons.joined(separator: ";") ?? "",
            change.old?.reviewReasons.joined(separator: ";") ?? "", change.new?.reviewReasons.joined(separator: ";") ?? "",
        ]
    }
}
