import Foundation
import Testing
import RunSupport
@testable import IrrigationModel

/// A parcel's pass-through attributes, kept in one buffer, read back exactly as given.
@Suite struct AttributeRecordTests {
    @Test func everyKindOfValueReadsBackInOrder() {
        let attributes = [
            Attribute(name: "BSM", value: .integer(-9_007_199_254_740_993)),
            Attribute(name: "DKBM", value: .string("1301021010010000123")),
            Attribute(name: "ZLDWMC", value: .string("石家庄市长安区西兆通镇东兆通村第三村民小组")),
            Attribute(name: "TRPH", value: .real(7.25)),
            Attribute(name: "NAN", value: .real(-0.0)),
            Attribute(name: "EMPTY", value: .string("")),
            Attribute(name: "NOTE", value: .null),
            Attribute(name: "OK", value: .boolean(true)),
            Attribute(name: "NO", value: .boolean(false)),
        ]
        let record = AttributeRecord(attributes)
        #expect(Array(record) == attributes)
        #expect(record.count == attributes.count)
        #expect((record.map(\.value)[4]).number.map { $0.sign } == .minus)
    }

    @Test func parcelsOfOneLayerShareTheirNames() {
        let names = AttributeNames(["A", "B"])
        let first = AttributeRecord(names: names, values: [.integer(1), .string("甲")])
        let second = AttributeRecord(names: names, values: [.null, .string("乙")])
        #expect(first.names === second.names)
        #expect(Array(second) == [Attribute(name: "A", value: .null), Attribute(name: "B", value: .string("乙"))])
        let empty: AttributeRecord = []
        #expect(empty.isEmpty && Array(empty).isEmpty)
    }

    /// Spilled as they are made and read back, in one read for records that follow each other,
    /// mixed with records kept in memory; the file is gone from its folder from the start.
    @Test func spilledRecordsReadBackAsTheyWere() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try SpillFile(directory: folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        let names = AttributeNames(["DKBM", "ZLDWMC", "TRPH"])
        var writer = AttributeSpillWriter(file: file)
        let values: [[AttributeValue]] = (0..<5000).map { [.string("P\($0)"), .string(String(repeating: "村", count: $0 % 40)), $0 % 7 == 0 ? .null : .real(Double($0) / 8)] }
        var records = try values.map { try writer.record(names: names, values: $0) }
        try writer.flush()
        #expect(records.allSatisfy(\.isSpilled) && file.size > 0)
        records[17] = AttributeRecord(names: names, values: [.string("kept"), .null, .integer(3)])
        let loaded = try AttributeRecord.loaded(records)
        #expect(loaded.count == values.count && !loaded.contains(where: \.isSpilled))
        for index in [0, 1, 16, 18, 4999] { #expect(Array(loaded[index]).map(\.value) == values[index]) }
        #expect(Array(loaded[17]).map(\.value) == [.string("kept"), .null, .integer(3)])
        #expect(try AttributeRecord.loaded(records[4990...]).map { Array($0).map(\.value) } == Array(values[4990...]))
    }

    @Test func aSpillFolderThatCannotBeWrittenIsNamed() {
        #expect { try SpillFile(directory: "/nonexistent/irrizone") } throws: { error in
            String(describing: error).contains("/nonexistent/irrizone") && String(describing: error).contains("TMPDIR")
        }
    }
}
