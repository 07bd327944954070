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
    }
}
