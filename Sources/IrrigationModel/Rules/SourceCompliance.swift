/// How a year of samples is summarised before comparing with a limit (issue #4).
public enum ComplianceStatistic: String, Sendable, Hashable, Codable, CaseIterable {
    case max, p95, mean, latest
}

public enum ComplianceStatus: String, Sendable, Hashable, Codable, Comparable {
    case pass, indeterminate, fail
    case noData = "no_data"
    /// Samples in the year, but a required item (`RequiredEvidence`) was not measured: what was
    /// measured passes, and that is not enough for a pass (issue #22).
    case incomplete

    /// Severity order for combining: fail > indeterminate > no_data > incomplete > pass.
    var severity: Int { switch self { case .pass: 0; case .incomplete: 1; case .noData: 2; case .indeterminate: 3; case .fail: 4 } }
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
    /// The parameter whose values stood in for `parameter` when it was not measured (TDS or EC
    /// for total salt, total Cr for Cr(VI): `RequiredEvidence.Item.anyOf`); nil when it was.
    public var measuredAs: String? = nil
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
    /// Required items (`RequiredEvidence.water`) with no measurement in the year.
    public var missingParameters: [String] = []

    public init(sourceID: String, year: Int?, status: ComplianceStatus, prohibitedInflows: [IndustrialInflow], failing: [ParameterVerdict],
                indeterminate: [ParameterVerdict], samplesInYear: Int, missingParameters: [String] = []) {
        self.sourceID = sourceID; self.year = year; self.status = status; self.prohibitedInflows = prohibitedInflows; self.failing = failing
        self.indeterminate = indeterminate; self.samplesInYear = samplesInYear; self.missingParameters = missingParameters
    }

    /// Samples were taken in the year but a required item was not measured.
    public var isIncomplete: Bool { samplesInYear > 0 && !missingParameters.isEmpty }
}

public enum SourceCompliance {
    /// Compares each parameter's statistic over `year` with `limits`. A non-detect passes when
    /// its detection limit is at or below the limit, else the result is indeterminate; a source
    /// with a prohibited industrial inflow fails whatever its water shows. A required item not
    /// measured in the year leaves the verdict `incomplete` at best; a limit whose parameter was
    /// not measured is judged on the item's stand-in (`required`'s `anyOf`: TDS, else EC ×
    /// `tdsPerEC`, for total salt; total Cr for Cr(VI)), which can only be stricter.
    public static func evaluate(sourceID: String, source: WaterSource?, samples: [WaterSample], year: Int?,
                                limits: [String: EffectiveLimit], statistic: ComplianceStatistic,
                                required: [RequiredEvidence.Item] = [], tdsPerEC: Double = 640) -> SourceVerdict {
        let inYear = samples.filter { $0.sourceID == sourceID && $0.date.year == year }.sorted { $0.date < $1.date }
        var failing: [ParameterVerdict] = []
        var indeterminate: [ParameterVerdict] = []
        func values(of parameterID: String) -> [(id: String, value: MeasuredValue)] {
            guard let parameter = ParameterCatalog.parameter(id: parameterID) else { return [] }
            return inYear.compactMap { sample in sample.measurements[parameter].map { (sample.id, $0) } }
        }
        for (parameterID, limit) in limits.sorted(by: { $0.key < $1.key }) {
            guard let parameter = ParameterCatalog.parameter(id: parameterID) else { continue }
            var measured = values(of: parameterID), measuredAs: String? = nil
            if measured.isEmpty, let item = required.first(where: { $0.anyOf.first == parameterID }) {
                for alternative in item.anyOf.dropFirst() {
                    let found = values(of: alternative)
                    guard !found.isEmpty, let other = ParameterCatalog.parameter(id: alternative) else { continue }
                    // EC (dS/m) stands for a concentration as TDS = EC × tdsPerEC (FAO 29, standards.md §7.2).
                    let scale = other.kind == .conductivity && parameter.kind == .concentration ? tdsPerEC : 1
                    measured = found.map { ($0.id, $0.value.mapNumbers { $0 * scale }) }
                    measuredAs = alternative
                    break
                }
            }
            guard !measured.isEmpty else { continue }
            var verdict = judge(parameterID, values: measured, limit: limit, statistic: statistic)
            verdict.measuredAs = measuredAs
            switch verdict.status {
            case .fail: failing.append(verdict)
            case .indeterminate: indeterminate.append(verdict)
            default: break
            }
        }
        let missing = RequiredEvidence.missing(required) { !values(of: $0).isEmpty }
        let prohibited = source?.inflows.filter(\.isProhibited) ?? []
        let status: ComplianceStatus = !prohibited.isEmpty || !failing.isEmpty ? .fail
            : inYear.isEmpty ? .noData : !indeterminate.isEmpty ? .indeterminate : !missing.isEmpty ? .incomplete : .pass
        return SourceVerdict(sourceID: sourceID, year: year, status: status, prohibitedInflows: prohibited, failing: failing,
                             indeterminate: indeterminate, samplesInYear: inYear.count, missingParameters: missing)
    }

    /// One parameter: bounds of the statistic (non-detects at 0 and at their limit) against the
    /// limit's maximum and minimum.
    static func judge(_ parameter: String, values: [(id: String, value: MeasuredValue)], limit: EffectiveLimit,
                      statistic: ComplianceStatistic) -> ParameterVerdict {
        let lows = values.map { v -> Double in
            switch v.value { case .value(let x): x; case .belowDetection: 0; case .aboveRange(let x): x }
        }
        // A limit of 0 means "not detectable" (GB/T 18920's 大肠埃希氏菌 "无"): the standard's own
        // criterion is detection by the lab's method, so a non-detect with its detection limit
        // stated meets it; one without ("ND" and no limit given) cannot be judged.
        let notDetectable = limit.max == 0
        let highs = values.map { v -> Double in
            switch v.value {
            case .value(let x): x
            case .belowDetection(let detection): detection.map { notDetectable ? 0 : $0 } ?? .infinity
            case .aboveRange: .infinity
            }
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
