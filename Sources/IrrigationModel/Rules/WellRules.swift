import Foundation
import RunSupport


/// What a well says: latest values, class III exceedances, trends.
public struct WellSummary: Sendable {
    public var wellID: String
    public var latestDepthMetres: Double?
    public var latestDate: CalendarDate
    public var latest: [String: (value: Double, date: CalendarDate, reading: String)]
    public var trends: [String: TrendTest]

    /// Each well's summary, by well id; the wells on all cores.
    public static func make(_ readings: [WellReading], options: ReviewOptions) -> [String: WellSummary] {
        let wells = Array(Dictionary(grouping: readings, by: \.wellID))
        let summaries = parallelMap(count: wells.count, chunkSize: 16) { summary(of: wells[$0].key, wells[$0].value, options: options) }
        return Dictionary(uniqueKeysWithValues: summaries.map { ($0.wellID, $0) })
    }

    static func summary(of id: String, _ readings: [WellReading], options: ReviewOptions) -> WellSummary {
        let sorted = readings.sorted { $0.date < $1.date }
        // The latest value of each parameter, with the reading it came from (named at the end:
        // a name made for every value took most of the time).
        var latestAt: [String: (value: Double, reading: Int)] = [:]
        for (position, reading) in sorted.enumerated() {
            for (parameter, value) in reading.measurements { if let v = value.number { latestAt[parameter.id] = (v, position) } }
        }
        let latest = latestAt.mapValues { ($0.value, sorted[$0.reading].date, "\(id)@\(sorted[$0.reading].date)") }
        var trends: [String: TrendTest] = [:]
        for parameterID in options.trendParameters {
            guard let parameter = ParameterCatalog.parameter(id: parameterID) else { continue }
            let points = sorted.compactMap { r in r.measurements[parameter]?.number.map { (r.date.decimalYear, $0) } }
            if points.count >= options.trendMinimumReadings, let test = TrendTest.mannKendall(times: points.map(\.0), values: points.map(\.1)) {
                trends[parameterID] = test
            }
        }
        return WellSummary(wellID: id, latestDepthMetres: sorted.last { $0.depthToWaterMetres != nil }?.depthToWaterMetres,
                           latestDate: sorted.last!.date, latest: latest, trends: trends)
    }
}

extension ReviewEngine {

    /// A well's findings that hold for any parcel within reach: latest values above GB/T 14848
    /// class III, and significant rising trends; by parameter.
    static func findings(of well: WellSummary, standards: StandardsCatalog, options: ReviewOptions) -> [Finding] {
        let id = well.wellID
        var findings: [Finding] = []
        for (parameterID, latest) in well.latest.sorted(by: { $0.key < $1.key }) {
            guard let classIII = standards.groundwaterClassIII(parameterID), let parameter = ParameterCatalog.parameter(id: parameterID) else { continue }
            let above = latest.value > classIII.max || (classIII.min.map { latest.value < $0 } ?? false)
            if above {
                findings.append(Finding(code: .groundwaterAboveClassIII, parameter: parameterID, value: latest.value, threshold: classIII.max,
                                        unit: "mg/L", standard: "GB/T 14848-2017 class III", evidence: [latest.reading],
                                        messageZh: "监测井 \(id) 最新\(parameter.chineseName)超过地下水Ⅲ类标准",
                                        messageEn: "latest \(parameter.englishName) at well \(id) exceeds groundwater class III", review: true))
            }
        }
        for (parameterID, test) in well.trends.sorted(by: { $0.key < $1.key }) where test.z > 0 && test.p < options.trendAlpha {
            let name = ParameterCatalog.parameter(id: parameterID)!
            findings.append(Finding(code: .groundwaterRisingTrend, parameter: parameterID, value: test.senSlopePerYear, threshold: nil,
                                    unit: "mg/L per year", standard: "Mann–Kendall (p = \(String(format: "%.4f", test.p)), n = \(test.n))", evidence: [id],
                                    messageZh: "监测井 \(id) \(name.chineseName)呈显著上升趋势（Sen 斜率 \(String(format: "%.2f", test.senSlopePerYear)) mg/L/年）",
                                    messageEn: "\(name.englishName) at well \(id) is rising (Sen's slope \(String(format: "%.2f", test.senSlopePerYear)) mg/L per year)",
                                    review: true))
        }
        return findings
    }

}
