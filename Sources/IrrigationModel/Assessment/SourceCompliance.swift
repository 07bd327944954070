/// How a year of samples is summarised before comparing with a limit (issue #4).
public enum ComplianceStatistic: String, Sendable, Hashable, Codable, CaseIterable {
    case max, p95, mean, latest
}

public enum ComplianceStatus: String, Sendable, Hashable, Codable, Comparable {
    case pass, indeterminate, fail
    case noData = "no_data"

    /// Severity order for combining: fail > indeterminate > no_data > pass.
    var severity: Int { switch self { case .pass: 0; case .noData: 1; case .indeterminate: 2; case .fail: 3 } }
    public static func < (a: ComplianceStatus, b: ComplianceStatus) -> Bool { a.severity < b.severity }
}

/// One parameter of one source against one limit.
public struct ParameterVerdict: Sendable, Hashable, Codable {
    public var parameter: String
    public var status: ComplianceStatus
    /// The statistic with non-detects at zero and at their detection limit: the truth lies between.
    public var statisticLow: Double
    public var statisticHigh: Double
    public var limit: EffectiveLimit
    /// Samples that exceed (fail) or might exceed (indeterminate) the limit.
    public var evidence: [String]
    public var samples: Int
}

/// A source's compliance for one set of columns in one year.
public struct SourceVerdict: Sendable, Hashable, Codable {
    public var sourceID: String
    public var year: Int?
    public var status: ComplianceStatus
    public var prohibitedInflows: [IndustrialInflow]
    public var failing: [ParameterVerdict]
    public var indeterminate: [ParameterVerdict]
    public var samplesInYear: Int
}

public enum SourceCompliance {
    /// Compares each parameter's statistic over `year` with `limits`. A non-detect passes when
    /// its detection limit is at or below the limit, else the result is indeterminate; a source
    /// with a prohibited industrial inflow fails whatever its water shows.
    public static func evaluate(sourceID: String, source: WaterSource?, samples: [WaterSample], year: Int?,
                                limits: [String: EffectiveLimit], statistic: ComplianceStatistic) -> SourceVerdict {
        let inYear = samples.filter { $0.sourceID == sourceID && $0.date.year == year }.sorted { $0.date < $1.date }
        var failing: [ParameterVerdict] = []
        var indeterminate: [ParameterVerdict] = []
        for (parameterID, limit) in limits.sorted(by: { $0.key < $1.key }) {
            guard let parameter = ParameterCatalog.parameter(id: parameterID) else { continue }
            let values = inYear.compactMap { sample in sample.measurements[parameter].map { (sample.id, $0) } }
            guard !values.isEmpty else { continue }
            let verdict = judge(parameterID, values: values, limit: limit, statistic: statistic)
            switch verdict.status {
            case .fail: failing.append(verdict)
            case .indeterminate: indeterminate.append(verdict)
            default: break
            }
        }
        let prohibited = source?.inflows.filter(\.isProhibited) ?? []
        let status: ComplianceStatus = !prohibited.isEmpty || !failing.isEmpty ? .fail
            : inYear.isEmpty ? .noData : !indeterminate.isEmpty ? .indeterminate : .pass
        return SourceVerdict(sourceID: sourceID, year: year, status: status, prohibitedInflows: prohibited, failing: failing,
                             indeterminate: indeterminate, samplesInYear: inYear.count)
    }

    /// One parameter: bounds of the statistic (non-detects at 0 and at their limit) against the
    /// limit's maximum and minimum.
    static func judge(_ parameter: String, values: [(id: String, value: MeasuredValue)], limit: EffectiveLimit,
                      statistic: ComplianceStatistic) -> ParameterVerdict {
        let lows = values.map { v -> Double in
            switch v.value { case .value(let x): x; case .belowDetection: 0; case .aboveRange(let x): x }
        }
        let highs = values.map { v -> Double in
            switch v.value { case .value(let x): x; case .belowDetection(let limit): limit ?? .infinity; case .aboveRange: .infinity }
        }
        var status = ComplianceStatus.pass
        var evidence: [String] = []
        var low = summarise(lows, statistic, upperTail: true), high = summarise(highs, statistic, upperTail: true)
        if let max = limit.max {
            if low > max { status = .fail; evidence = values.indices.filter { lows[$0] > max }.map { values[$0].id } }
            else if high > max { status = .indeterminate; evidence = values.indices.filter { highs[$0] > max }.map { values[$0].id } }
        }
        if let min = limit.min, status != .fail {
            // For a minimum (dissolved oxygen, the low side of pH) the worst case is the low tail.
            let lowTailLow = summarise(lows, statistic, upperTail: false), lowTailHigh = summarise(highs, statistic, upperTail: false)
            if lowTailHigh < min {
                status = .fail; evidence = values.indices.filter { highs[$0] < min }.map { values[$0].id }
                low = lowTailLow; high = lowTailHigh
            } else if lowTailLow < min, status == .pass {
                status = .indeterminate; evidence = values.indices.filter { lows[$0] < min }.map { values[$0].id }
                low = lowTailLow; high = lowTailHigh
            }
        }
        if statistic == .latest { evidence = evidence.filter { $0 == values.last!.id } }
        return ParameterVerdict(parameter: parameter, status: status, statisticLow: low, statisticHigh: high, limit: limit,
                                evidence: evidence, samples: values.count)
    }

    /// The statistic of `values` (in date order). `upperTail` picks max/p95 versus min/p5.
    static func summarise(_ values: [Double], _ statistic: ComplianceStatistic, upperTail: Bool) -> Double {
        switch statistic {
        case .max: return upperTail ? values.max()! : values.min()!
        case .mean: return values.reduce(0, +) / Double(values.count)
        case .latest: return values.last!
        case .p95: return percentile(values, upperTail ? 0.95 : 0.05)
        }
    }

    /// Linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default);
    /// an infinite value (a non-detect without limit) propagates.
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let h = Double(sorted.count - 1) * p
        let lower = Int(h.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        if sorted[upper].isInfinite || sorted[lower].isInfinite { return sorted[upper] }
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}
