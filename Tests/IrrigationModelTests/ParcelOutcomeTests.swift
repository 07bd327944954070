import Testing
@testable import IrrigationModel

/// The outcome kept for every parcel of a run is stored small; what it says must not change.
@Suite struct ParcelOutcomeTests {
    private func outcome(years: Double?, volume: Double?, reasons: [ZoneReason]) -> ParcelOutcome {
        ParcelOutcome(zone: .restricted, cropClass: .vegetableRaw, reasons: reasons, reviewReasons: [.soilNoData], soilReview: true,
                      groundwaterReview: false, irrigationYearsLimit: years, limitingElement: "cadmium", volumeM3PerHectare: volume)
    }

    @Test func optionalNumbersReadBackAsGiven() {
        let none = outcome(years: nil, volume: nil, reasons: [])
        #expect(none.irrigationYearsLimit == nil && none.volumeM3PerHectare == nil)
        var some = outcome(years: 0, volume: 4500.25, reasons: [])
        #expect(some.irrigationYearsLimit == 0 && some.volumeM3PerHectare == 4500.25)
        some.irrigationYearsLimit = nil
        #expect(some.irrigationYearsLimit == nil && some.volumeM3PerHectare == 4500.25)
        #expect(MemoryLayout<ParcelOutcome>.stride <= 32)
    }

    @Test func equalListsAreSharedAndUnchanged() {
        var lists = OutcomeLists()
        let first = lists.sharing(outcome(years: 3, volume: nil, reasons: [.tierNotRecommended, .sourceFailsForClass]))
        let second = lists.sharing(outcome(years: 3, volume: nil, reasons: [.tierNotRecommended, .sourceFailsForClass]))
        let other = lists.sharing(outcome(years: 3, volume: nil, reasons: [.sourceIndeterminate]))
        #expect(second.reasons == [.tierNotRecommended, .sourceFailsForClass] && other.reasons == [.sourceIndeterminate])
        #expect(second.reviewReasons == [.soilNoData])
        let firstStorage = first.reasons.withUnsafeBufferPointer { $0.baseAddress }
        #expect(second.reasons.withUnsafeBufferPointer { $0.baseAddress } == firstStorage)
        #expect(other.reasons.withUnsafeBufferPointer { $0.baseAddress } != firstStorage)
        #expect(ObjectIdentifier(first.details) == ObjectIdentifier(second.details) && ObjectIdentifier(other.details) != ObjectIdentifier(first.details))
    }

    /// An outcome whose list or text changes gets objects of its own; the outcomes sharing with it
    /// say what they said.
    @Test func aChangeToOneOutcomeLeavesTheOthersAsTheyWere() {
        var lists = OutcomeLists()
        let first = lists.sharing(outcome(years: 3, volume: nil, reasons: [.tierNotRecommended]))
        var second = lists.sharing(outcome(years: 3, volume: nil, reasons: [.tierNotRecommended]))
        second.reasons.append(.sourceIndeterminate)
        second.limitingElement = "lead"
        second.recommendedMethod = "drip"
        #expect(first.reasons == [.tierNotRecommended] && first.limitingElement == "cadmium" && first.recommendedMethod == nil)
        #expect(second.reasons == [.tierNotRecommended, .sourceIndeterminate] && second.limitingElement == "lead" && second.recommendedMethod == "drip")
        #expect(second.reviewReasons == [.soilNoData] && first.reviewReasons == [.soilNoData])
    }
}
