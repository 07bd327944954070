import Testing
import RunSupport

/// `DistinctTexts` numbers texts as a dictionary would: checked against one.
@Suite struct DistinctTextsTests {
    @Test func numbersTextsInTheOrderTheyFirstCome() {
        var texts = DistinctTexts()
        var reference: [String: Int] = [:], order: [String] = []
        var generator = SplitMix64(seed: 7)
        // Short and long, ASCII and Chinese, empty, and many repeats: the table grows several times.
        let pieces = ["", "P", "1409021010010000", "地块", "奇村镇第1村", "a,b", "🌾"]
        var wrong = 0
        for _ in 0..<50_000 {
            let text = pieces[Int(generator.next() % UInt64(pieces.count))] + String(generator.next() % 20_000)
            let expected = reference[text] ?? { order.append(text); reference[text] = order.count - 1; return order.count - 1 }()
            if texts.place(of: text) != expected { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(texts.count == order.count)
        #expect(order.indices.allSatisfy { texts[$0] == order[$0] })
        texts.dropLookup()
        #expect(texts[0] == order[0] && texts.count == order.count)
        #expect(texts.place(of: order[order.count - 1]) == order.count - 1)  // the lookup is made again
        #expect(texts.place(of: "new") == order.count)
        // The empty text is a text like any other; a text is told from its prefixes.
        #expect(texts.place(of: "") == order.count + 1 && texts.place(of: "") == order.count + 1 && texts[order.count + 1] == "")
        #expect(texts.place(of: "ne") == order.count + 2 && texts.place(of: "new") == order.count)
        // The same text asked for again at once, and a longer one after it.
        #expect(texts.place(of: "new") == order.count && texts.place(of: "newer") == order.count + 3 && texts.place(of: "newer") == order.count + 3)
    }
}

/// `SharedValues` hands out the value made first for equal keys, and keeps no more than its limit.
@Suite struct SharedValuesTests {
    @Test func equalKeysShareTheFirstValue() {
        var lists = SharedValues<[Int], [String]>(limit: 2)
        var made = 0
        func value(_ key: [Int]) -> [String] { lists.value(for: key) { made += 1; return $0.map(String.init) } }
        let first = value([1, 2]), again = value([1, 2])
        #expect(first == ["1", "2"] && again == first && made == 1)
        #expect(first.withUnsafeBufferPointer { $0.baseAddress } == again.withUnsafeBufferPointer { $0.baseAddress })
        _ = value([3]); _ = value([4]); _ = value([4])  // past the limit: made each time, still right
        #expect(value([4]) == ["4"] && made == 5)
        var texts = SharedValues<String, String>()
        #expect(texts.shared("奇村镇第1村") == "奇村镇第1村")
    }
}
