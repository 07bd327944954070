/// Season over season (issue #25): what changed for a parcel between two runs: its zone, its
/// allowed irrigation years band, or whether it is under review.

/// A parcel's verdict as a run left it: what a later run is compared with.
public struct ParcelState: Sendable, Hashable {
    public var parcelID: String
    public var zone: Zone?
    public var zoneReasons: [String]
    /// 灌溉年限, years; nil when the run worked out none.
    public var irrigationYearsLimit: Double?
    public var underReview: Bool
    public var reviewReasons: [String]

    public init(parcelID: String, zone: Zone?, zoneReasons: [String], irrigationYearsLimit: Double?, underReview: Bool, reviewReasons: [String]) {
        self.parcelID = parcelID; self.zone = zone; self.zoneReasons = zoneReasons; self.irrigationYearsLimit = irrigationYearsLimit
        self.underReview = underReview; self.reviewReasons = reviewReasons
    }

    /// A run's outcome, its years to 0.1 as the parcels file writes them (so a state read back
    /// from the file is the same); its reason lists as texts (`ParcelStates.current` shares
    /// equal ones between states).
    public init(parcelID: String, _ outcome: ParcelOutcome, zoneReasons: [String], reviewReasons: [String]) {
        self.init(parcelID: parcelID, zone: outcome.zone, zoneReasons: zoneReasons,
                  irrigationYearsLimit: outcome.irrigationYearsLimit.map { ($0 * 10).rounded() / 10 },
                  underReview: outcome.underReview, reviewReasons: reviewReasons)
    }
}

/// Bands of the allowed irrigation years, so that a change of a few months is not reported as a
/// change but one that moves a parcel from "more than 20 years" to "under 10" is. The bounds
/// (5, 10, 20 years) are a project default: a season's plan looks 5 years ahead, the review
/// horizon is 20 years (`ReviewOptions`).
public enum IrrigationYearsBand: String, Sendable, CaseIterable, Comparable {
    case under5 = "<5", from5to10 = "5-10", from10to20 = "10-20", atLeast20 = ">=20"
    /// The run worked out no limit (no soil evidence, or nothing accumulates).
    case none

    public static let bounds = [5.0, 10.0, 20.0]

    public init(years: Double?) {
        guard let years else { self = .none; return }
        self = years < Self.bounds[0] ? .under5 : years < Self.bounds[1] ? .from5to10 : years < Self.bounds[2] ? .from10to20 : .atLeast20
    }

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// What changed for one parcel.
public struct ParcelChange: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case zone, yearsBand = "years_band", review, added, removed
    }
    public var parcelID: String
    public var kinds: [Kind]
    public var old: ParcelState?
    public var new: ParcelState?
}

public enum SeasonChanges {
    /// Every parcel whose zone, years band or review status differs between `old` and `new`, and
    /// every parcel only one of them has; in `new`'s order, then the removed ones in `old`'s.
    /// A parcel id that repeats within a run is matched by its occurrence (the second "A" with
    /// the second "A").
    public static func compare(old: [ParcelState], new: [ParcelState]) -> [ParcelChange] {
        let oldKeys = keys(old), newKeys = keys(new)
        var oldByKey: [Key: Int] = [:]
        oldByKey.reserveCapacity(old.count)
        for (index, key) in oldKeys.enumerated() { oldByKey[key] = index }
        var changes: [ParcelChange] = []
        var matched = Set<Int>()
        for (index, key) in newKeys.enumerated() {
            let now = new[index]
            guard let oldIndex = oldByKey[key] else {
                changes.append(ParcelChange(parcelID: now.parcelID, kinds: [.added], old: nil, new: now))
                continue
            }
            matched.insert(oldIndex)
            let before = old[oldIndex]
            var kinds: [ParcelChange.Kind] = []
            if before.zone != now.zone { kinds.append(.zone) }
            if IrrigationYearsBand(years: before.irrigationYearsLimit) != IrrigationYearsBand(years: now.irrigationYearsLimit) { kinds.append(.yearsBand) }
            if before.underReview != now.underReview { kinds.append(.review) }
            if !kinds.isEmpty { changes.append(ParcelChange(parcelID: now.parcelID, kinds: kinds, old: before, new: now)) }
        }
        for index in old.indices where !matched.contains(index) {
            changes.append(ParcelChange(parcelID: old[index].parcelID, kinds: [.removed], old: old[index], new: nil))
        }
        return changes
    }

    private struct Key: Hashable { var id: String; var occurrence: Int }

    private static func keys(_ states: [ParcelState]) -> [Key] {
        var seen: [String: Int] = [:]
        return states.map { state in
            let occurrence = seen[state.parcelID, default: 0]
            seen[state.parcelID] = occurrence + 1
            return Key(id: state.parcelID, occurrence: occurrence)
        }
    }

    /// Parcels per (old zone, new zone) among those both runs have; nil zone for a parcel one of
    /// them lacks.
    public static func zoneTransitions(_ changes: [ParcelChange]) -> [Zone?: [Zone?: Int]] {
        var result: [Zone?: [Zone?: Int]] = [:]
        for change in changes where change.kinds.contains(.zone) || change.kinds.contains(.added) || change.kinds.contains(.removed) {
            result[change.old?.zone, default: [:]][change.new?.zone, default: 0] += 1
        }
        return result
    }
}
