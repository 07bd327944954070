import TestSupport
import Testing
@testable import Pipeline

/// `--shard i/N`: parsing, and parts that cover every feature exactly once, in order.
@Suite struct ShardTests {
    @Test func partsCoverEveryFeatureOnceInOrder() throws {
        for total in [0, 1, 2, 7, 3000, 1_000_003] {
            for count in [1, 2, 3, 4, 7, 16, 5000] {
                var next = 0
                for index in 0..<count {
                    let range = try Shard(index: index, count: count).featureRange(of: total)
                    #expect(range.lowerBound == next, "part \(index)/\(count) of \(total) starts at \(range.lowerBound), expected \(next)")
                    #expect(range.count >= total / count && range.count <= total / count + 1, "parts are nearly equal")
                    next = range.upperBound
                }
                #expect(next == total, "\(count) parts of \(total) features end at \(next)")
            }
        }
    }

    @Test func parsesIOverNAndRejectsTheRest() throws {
        #expect(try Shard(parsing: "2/4") == Shard(index: 2, count: 4))
        #expect(try Shard(parsing: " 0 / 1 ") == Shard(index: 0, count: 1))
        for bad in ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3", ""] {
            #expect(throws: ShardError.self, "\"\(bad)\"") { try Shard(parsing: bad) }
        }
        let error = #expect(throws: ShardError.self) { try Shard(parsing: "4/4") }
        #expect(error?.description.contains("between 0 and 3") == true)
    }
}
