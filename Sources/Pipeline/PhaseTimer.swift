import Foundation

/// Wall-clock timings per phase, for run.json and the benchmark.
public struct PhaseTimer: Sendable {
    public private(set) var phases: [(name: String, seconds: Double)] = []

    public init() {}

    public mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { phases.append((name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)) }
        return try body()
    }

    public var asDictionary: [String: Double] {
        Dictionary(phases.map { ($0.name, ($0.seconds * 1000).rounded() / 1000) }, uniquingKeysWith: +)
    }
}
