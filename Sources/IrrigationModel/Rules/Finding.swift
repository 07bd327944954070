import Foundation

/// One reason to look at a parcel, with its evidence (issue #5).
public struct Finding: Sendable, Hashable, Codable {
    public var code: FindingCode
    public var parameter: String?
    public var value: Double?
    public var threshold: Double?
    public var unit: String?
    public var standard: String?
    /// Sample, well or source ids.
    public var evidence: [String]
    public var messageZh: String
    public var messageEn: String
    /// False for informational findings (estimated soil, no well nearby).
    public var review: Bool

    /// What the finding is about (soil, groundwater, water): the code's.
    public var target: FindingTarget { code.target }
}

extension Finding {
    /// The parcel's source lacks required items in the assessment year (`RequiredEvidence`):
    /// its water cannot support `suitable` (issue #22).
    public static func sourceIncomplete(_ verdict: SourceVerdict) -> Finding {
        let list = verdict.missingParameters.joined(separator: ", ")
        return Finding(code: .sourceIncomplete, parameter: list, value: nil, threshold: nil, unit: nil,
                       standard: "required evidence (Xinzhou 忻政办发〔2024〕11号 二（四）)", evidence: [verdict.sourceID],
                       messageZh: "水源 \(verdict.sourceID) 在 \(verdict.year.map(String.init) ?? "评估年") 缺少必测项目：\(list)",
                       messageEn: "source \(verdict.sourceID) has no measurement of \(list) in \(verdict.year.map(String.init) ?? "the assessment year")",
                       review: true)
    }
}

