import Testing
@testable import IrrigationModel

/// Season over season (issue #25): which parcels changed, and how.
@Suite struct SeasonChangesTests {
    static func state(_ id: String, _ zone: Zone?, years: Double? = nil, review: Bool = false) -> ParcelState {
        ParcelState(parcelID: id, zone: zone, zoneReasons: [], irrigationYearsLimit: years, underReview: review, reviewReasons: [])
    }

    @Test func yearsFallIntoTheirBands() {
        #expect(IrrigationYearsBand(years: 4.99) == .under5 && IrrigationYearsBand(years: 5) == .from5to10)
        #expect(IrrigationYearsBand(years: 19.9) == .from10to20 && IrrigationYearsBand(years: 20) == .atLeast20)
        #expect(IrrigationYearsBand(years: nil) == .none)
    }

    @Test func eachKindOfChangeIsFound() {
        let old = [Self.state("A", .suitable, years: 30), Self.state("B", .restricted, years: 12), Self.state("C", .suitable, years: 8),
                   Self.state("D", .suitable), Self.state("E", .prohibited)]
        let new = [Self.state("A", .restricted, years: 30), Self.state("B", .restricted, years: 11), Self.state("C", .suitable, years: 4),
                   Self.state("D", .suitable, review: true), Self.state("F", .suitable)]
        let changes = SeasonChanges.compare(old: old, new: new)
        #expect(changes.map(\.parcelID) == ["A", "C", "D", "F", "E"], "B moved within its band: not a change")
        #expect(changes.map(\.kinds) == [[.zone], [.yearsBand], [.review], [.added], [.removed]])
        let transitions = SeasonChanges.zoneTransitions(changes)
        #expect(transitions[.suitable]?[.restricted] == 1 && transitions[nil]?[.suitable] == 1 && transitions[.prohibited]?[nil] == 1)
    }

    /// A repeated id is matched by its occurrence, not all to the first.
    @Test func repeatedIdsMatchInOrder() {
        let old = [Self.state("A", .suitable), Self.state("A", .prohibited)]
        let new = [Self.state("A", .suitable), Self.state("A", .restricted)]
        let changes = SeasonChanges.compare(old: old, new: new)
        #expect(changes.count == 1 && changes[0].old?.zone == .prohibited && changes[0].new?.zone == .restricted)
    }
}
