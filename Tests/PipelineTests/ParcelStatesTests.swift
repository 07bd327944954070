import Foundation
import TestSupport
import Testing
import IrrigationModel
@testable import Pipeline

/// A run's parcel-states.tsv read back for "since the last run" and `diff` (issue #25): a cell
/// that does not read as written is damage, not a cleared review or a missing zone.
@Suite struct ParcelStatesTests {
    static let header = ParcelStates.header + "\n"

    @Test func statesReadBackAsWritten() throws {
        let path = try temporaryDirectory("states") + "/parcel-states.tsv"
        try (Self.header + "P\\t1\tprohibited\t12.5\t1\tSOURCE_FAILS_FOR_CLASS\tSOIL_NO_DATA\nP2\tsuitable\t\t0\t\t\n").write(toFile: path, atomically: true, encoding: .utf8)
        let states = try ParcelStates.read(path)
        #expect(states.map(\.parcelID) == ["P\t1", "P2"])
        #expect(states[0].zone == .prohibited && states[0].underReview && states[0].irrigationYearsLimit == 12.5)
        #expect(states[1].zone == .suitable && !states[1].underReview && states[1].irrigationYearsLimit == nil)
    }

    @Test(arguments: ["P\tprohibited\t\tyes\t\t", "P\tno-such-zone\t\t1\t\t", "P\tsuitable\tmany\t0\t\t", "P\tsuitable\t\t0\t"])
    func aCellThatDoesNotReadIsDamage(line: String) throws {
        let path = try temporaryDirectory("states") + "/parcel-states.tsv"
        try (Self.header + line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: DiffError.self) { try ParcelStates.read(path) }
    }
}
