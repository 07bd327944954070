import Foundation

/// One part of a partitioned run: `--shard i/N` assesses the i-th of N contiguous, nearly equal
/// runs of features in the layer's reading order (0-based i), so parts write their parcels in
/// input order and `irrizone merge` puts them together by concatenation. Survey layers are
/// stored by cadastral code, so a contiguous run also keeps neighbouring parcels together.
public struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1 else { throw .invalid("\(index)/\(count)", "N must be at least 1") }
        guard (0..<count).contains(index) else { throw .invalid("\(index)/\(count)", "i must be between 0 and \(count - 1) (parts are numbered from 0, like JOB_COMPLETION_INDEX)") }
        self.index = index; self.count = count
    }

    /// Parses "i/N".
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0].trimmingCharacters(in: .whitespaces)), let count = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw .invalid(text, "expected i/N, e.g. 0/4 for the first of four parts")
        }
        try self.init(index: index, count: count)
    }

    /// This part's features among `total`: [total·i/N, total·(i+1)/N).
    public func featureRange(of total: Int) -> Range<Int> {
        (total * index / count)..<(total * (index + 1) / count)
    }

    public var description: String { "\(index)/\(count)" }
}

public enum ShardError: Error, CustomStringConvertible {
    case invalid(String, String)

    public var description: String {
        switch self { case let .invalid(text, expected): "--shard \"\(text)\": \(expected)" }
    }
}
