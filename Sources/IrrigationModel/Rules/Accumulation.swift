import Foundation

/// Plough-layer soil mass and the accumulation model (DESIGN.md §4; standards.md §8).
public struct AccumulationOptions: Sendable, Hashable, Codable {
    public enum Model: String, Sendable, Hashable, Codable { case linear, residual }
    /// Plough-layer depth, m (project default 0.20; standards.md §8.2 typical value, M).
    public var depthMetres = 0.20
    /// Bulk density, t/m³ (project default 1.30; standards.md §8.2 gives 1.1–1.3, M).
    public var bulkDensity = 1.30
    public var model = Model.linear
    /// Annual residual rate K per element for the residual model (standards.md §8.1: "often 0.9
    /// when there is no site data", M).
    public var residualRate: [String: Double] = [:]
    public static let defaultResidualRate = 0.9
    /// Years ahead for the projected soil content and the review horizon (DESIGN.md §4: 20).
    public var horizonYears = 20.0
    /// Background content (mg/kg) per element for parcels without soil data; none by default.
    public var background: [String: Double] = [:]
    /// Other inputs per element (fertiliser, manure, deposition), g/ha·yr, added to R.
    public var otherInputs: [String: Double] = [:]
    /// Cumulative loading caps (kg/ha), off by default (e.g. US EPA 503 CPLR, standards.md §6).
    public var cumulativeCaps: [String: Double] = [:]
    public init() {}

    /// M = depth × 10 000 m² × bulk density (kg/ha): 0.20 × 10 000 × 1 300 = 2.6 × 10⁶.
    public var soilMassKgPerHectare: Double { depthMetres * AreaUnit.squareMetresPerHectare * bulkDensity * 1000 }
}

/// Soil accumulation of one element on one parcel.
public struct Accumulation: Sendable, Hashable {
    /// Annual increment R (mg/kg·yr).
    public var annualIncrement: Double
    public var start: Double?
    public var startIsBackground: Bool
    public var screening: Double?
    /// Years until the screening value: 0 if already above, nil if never (R = 0, or the model's
    /// long-run level stays below S) or unknown (no start value).
    public var yearsToScreening: Double?
    public var projected: Double?
    /// Years until a cumulative loading cap, when one is configured.
    public var yearsToCap: Double?
}

public enum AccumulationModel {
    /// R = L × 1000 / M (mg/kg·yr) for a load L in g/ha·yr.
    public static func annualIncrement(loadGramsPerHectare: Double, soilMass: Double) -> Double {
        loadGramsPerHectare * 1000 / soilMass
    }

    /// Soil content after n years.
    public static func content(start b: Double, increment r: Double, years n: Double, model: AccumulationOptions.Model, k: Double) -> Double {
        switch model {
        case .linear: return b + n * r
        case .residual:
            guard k != 1 else { return b + n * r }
            let kn = pow(k, n)
            return b * kn + r * k * (1 - kn) / (1 - k)
        }
    }

    /// Years until the content reaches S (standards.md §8.3).
    public static func yearsToScreening(start b: Double, increment r: Double, screening s: Double, model: AccumulationOptions.Model, k: Double) -> Double? {
        if b >= s { return 0 }
        guard r > 0 else { return nil }
        switch model {
        case .linear: return (s - b) / r
        case .residual:
            guard k != 1 else { return (s - b) / r }
            let longRun = r * k / (1 - k)
            guard longRun > s else { return nil }  // never reached under the model
            return log((s - longRun) / (b - longRun)) / log(k)
        }
    }
}

/// Mann–Kendall trend test with the ties correction, and Sen's slope (per year).
public struct TrendTest: Sendable, Hashable {
    public var n: Int
    public var s: Double
    public var varianceS: Double
    public var z: Double
    /// Two-sided p value.
    public var p: Double
    /// Sen's slope: the median of pairwise slopes, per year.
    public var senSlopePerYear: Double

    /// Needs at least 3 values; `times` in decimal years.
    public static func mannKendall(times: [Double], values: [Double]) -> TrendTest? {
        let n = values.count
        guard n >= 3, times.count == n else { return nil }
        let order = times.indices.sorted { times[$0] < times[$1] }
        let x = order.map { values[$0] }, t = order.map { times[$0] }
        var s = 0.0
        var slopes: [Double] = []
        for i in 0..<(n - 1) {
            for j in (i + 1)..<n {
                let d = x[j] - x[i]
                s += d > 0 ? 1 : (d < 0 ? -1 : 0)
                if t[j] > t[i] { slopes.append(d / (t[j] - t[i])) }
            }
        }
        var tieCorrection = 0.0
        for count in Dictionary(grouping: x, by: { $0 }).values.map(\.count) where count > 1 {
            let tc = Double(count)
            tieCorrection += tc * (tc - 1) * (2 * tc + 5)
        }
        let nd = Double(n)
        let variance = (nd * (nd - 1) * (2 * nd + 5) - tieCorrection) / 18
        let z = s > 0 ? (s - 1) / variance.squareRoot() : (s < 0 ? (s + 1) / variance.squareRoot() : 0)
        let p = erfc(abs(z) / 2.0.squareRoot())  // = 2 (1 − Φ(|z|))
        slopes.sort()
        let median = slopes.isEmpty ? 0 : (slopes.count % 2 == 1 ? slopes[slopes.count / 2] : (slopes[slopes.count / 2 - 1] + slopes[slopes.count / 2]) / 2)
        return TrendTest(n: n, s: s, varianceS: variance, z: z, p: p, senSlopePerYear: median)
    }
}

/// FAO 29 salinity arithmetic (standards.md §7.2).
public enum Salinity {
    /// ECw from TDS: TDS (mg/L) ≈ 640 × ECw (dS/m).
    public static func ecw(fromTDS tds: Double, tdsPerEC: Double = 640) -> Double { tds / tdsPerEC }
    /// Root-zone ECe ≈ 1.5 × ECw.
    public static func ece(fromECw ecw: Double, ratio: Double = 1.5) -> Double { ecw * ratio }
    /// Leaching requirement LR = ECw / (5·a − ECw) (Rhoades), a the crop's threshold ECe.
    public static func leachingRequirement(ecw: Double, threshold a: Double) -> Double? {
        let denominator = 5 * a - ecw
        return denominator > 0 ? ecw / denominator : nil
    }
    /// Sodium adsorption ratio SAR = Na / √((Ca + Mg) / 2), concentrations in me/L.
    public static func sar(sodium: Double, calcium: Double, magnesium: Double) -> Double {
        sodium / ((calcium + magnesium) / 2).squareRoot()
    }

    /// Relative yield (%) = 100 − b (ECe − a) for ECe > a, else 100 (Maas–Hoffman), not below 0.
    public static func relativeYield(ece: Double, threshold a: Double, slope b: Double) -> Double {
        ece <= a ? 100 : max(0, 100 - b * (ece - a))
    }
}
