import Foundation
import Ingest

/// Wall-clock timings per phase, for run.json and the benchmark.
public struct PhaseTimer: Sendable {
    public private(set) var phases: [(name: String, seconds: Double)] = []
    /// Told about each finished phase (progress on stderr).
    public var observer: (@Sendable (String, Int?, Double) -> Void)?

    public init(observer: (@Sendable (String, Int?, Double) -> Void)? = nil) { self.observer = observer }

    public mutating func measure<T>(_ name: String, items: Int? = nil, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        phases.append((name, seconds))
        observer?(name, items ?? (result as? PhaseItemCount)?.phaseItems, seconds)
        return result
    }

    /// A phase timed elsewhere (phases that run interleaved, block by block).
    public mutating func record(_ name: String, seconds: Double, items: Int? = nil) {
        phases.append((name, seconds))
        observer?(name, items, seconds)
    }

    public var asDictionary: [String: Double] {
        Dictionary(phases.map { ($0.name, ($0.seconds * 1000).rounded() / 1000) }, uniquingKeysWith: +)
    }
}

/// A phase result that says how many items the phase handled, for progress lines.
protocol PhaseItemCount { var phaseItems: Int { get } }

/// Writers return the number of features or rows they wrote.
extension Int: PhaseItemCount { var phaseItems: Int { self } }

extension ParcelLayerReading: PhaseItemCount { var phaseItems: Int { featuresRead } }
