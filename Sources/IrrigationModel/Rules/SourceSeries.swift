import Foundation

extension ReviewEngine {

    /// Annual mean concentration (mg/L) per source, year and parameter, non-detects substituted.
    public static func annualMeans(_ samples: [WaterSample], rule: ReviewOptions.NonDetectRule) -> [String: [Int: [String: Double]]] {
        var sums: [String: [Int: [String: (Double, Int)]]] = [:]
        for sample in samples {
            for (parameter, value) in sample.measurements {
                let number: Double?
                switch value {
                case .value(let v), .aboveRange(let v): number = v
                case .belowDetection(let limit):
                    number = limit.map { rule == .half ? $0 / 2 : (rule == .zero ? 0 : $0) }  // no limit: cannot be substituted
                }
                guard let number else { continue }
                let current = sums[sample.sourceID, default: [:]][sample.date.year, default: [:]][parameter.id] ?? (0, 0)
                sums[sample.sourceID, default: [:]][sample.date.year, default: [:]][parameter.id] = (current.0 + number, current.1 + 1)
            }
        }
        return sums.mapValues { years in years.mapValues { parameters in parameters.mapValues { $0.0 / Double($0.1) } } }
    }

    /// A source's annual means, asked for a concentration in a year: that year's mean, else the
    /// nearest year's (stated in run.json and the report as `concentration_years`: irrigation
    /// records often start before sampling). Each parcel asks for ~50 (parameter, year) pairs, so
    /// every answer is worked out when the source's series is made.
    /// (A class: a parcel's rules consult its source's series some thirty times, and each use of
    /// a struct holding a dictionary and an array copied it.)
    public final class SourceSeries: Sendable {
        /// Per parameter: its mean for every year from the first to the last year it has one, a
        /// year without samples filled with the nearest year's (`nearest(in:year:)`), so any
        /// year is one array index away.
        private let byParameter: [String: Dense]
        /// Per load (`ReviewEngine.loadParameters`): the first of its parameters the source has.
        private let byLoad: [Dense?]
        /// The latest year with any mean.
        public let latestYear: Int?

        struct Dense: Sendable {
            var firstYear: Int
            var values: [Double]
            /// Years before the first take the first year's mean, years after the last the last's.
            func value(year: Int) -> Double { values[min(max(year - firstYear, 0), values.count - 1)] }
        }

        public init(_ means: [Int: [String: Double]]) {
            var series: [String: [(year: Int, value: Double)]] = [:]
            for (year, parameters) in means { for (parameter, value) in parameters { series[parameter, default: []].append((year, value)) } }
            var table: [String: Dense] = [:]
            for (parameter, entries) in series {
                let sorted = entries.sorted { $0.year < $1.year }
                let first = sorted.first!.year, last = sorted.last!.year
                table[parameter] = Dense(firstYear: first, values: (first...last).map { Self.nearest(in: sorted, year: $0)! })
            }
            byParameter = table
            byLoad = ReviewEngine.loadParameters.map { load in load.parameters.lazy.compactMap { table[$0] }.first }
            latestYear = means.keys.max()
        }

        /// The year's mean, else the nearest year's; on a tie the later one.
        public func concentration(_ parameter: String, year: Int) -> Double? { byParameter[parameter]?.value(year: year) }

        /// The concentration behind a load (`ReviewEngine.loadParameters[index]`) in a year.
        func loadConcentration(_ index: Int, year: Int) -> Double? { byLoad[index]?.value(year: year) }

        /// The year's mean in a series sorted by year, else the nearest year's; on a tie the later.
        static func nearest(in series: [(year: Int, value: Double)], year: Int) -> Double? {
            var best: (year: Int, value: Double)? = nil
            for entry in series {
                if entry.year == year { return entry.value }
                if let b = best, abs(entry.year - year) > abs(b.year - year) { continue }
                best = entry  // ascending years: an equal distance later on is the later year
            }
            return best?.value
        }
    }
}
