import Testing
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
}
