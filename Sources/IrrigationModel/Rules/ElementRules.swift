import Foundation

extension ReviewEngine {
    /// What the rules hold an element to, whatever the parcel: its thresholds per land use and
    /// pH band (GB 15618-2018) and the project's numbers for it. (A class: every parcel walks
    /// through the elements' rules, and copying a struct of arrays retained each of them.)
    final class ElementRules: Sendable {
        let element: String
        /// The element's position in `loadKeys`.
        let loadIndex: Int
        let parameter: Parameter
        let background: Double?
        let otherInputs: Double?
        let residualRate: Double
        let cumulativeCap: Double?
        /// Screening values per pH band (`StandardsCatalog.phBand`) for paddy, orchard, other land.
        private let screeningPaddy: [Double?], screeningOrchard: [Double?], screeningOther: [Double?]
        /// Intervention values per pH band.
        private let intervention: [Double?]
        /// A pH in each band: the bands an unknown pH is judged by (the strictest applies).
        static let bandPH = [5.0, 6.0, 7.0, 8.0]

        init?(_ element: String, standards: StandardsCatalog, options: AccumulationOptions) {
            guard let parameter = ParameterCatalog.parameter(id: element), let loadIndex = ReviewEngine.loadKeys.firstIndex(of: element) else { return nil }
            self.element = element; self.loadIndex = loadIndex; self.parameter = parameter
            background = options.background[element]; otherInputs = options.otherInputs[element]
            residualRate = options.residualRate[element] ?? AccumulationOptions.defaultResidualRate
            cumulativeCap = options.cumulativeCaps[element]
            func screening(_ landUse: SoilLandUse) -> [Double?] { Self.bandPH.map { standards.soilScreeningValue(element, landUse: landUse, ph: $0) } }
            screeningPaddy = screening(.paddy); screeningOrchard = screening(.orchard); screeningOther = screening(.other)
            intervention = Self.bandPH.map { standards.soilInterventionValue(element, ph: $0) }
        }

        /// The lowest screening value over the pH bands given (one band when the pH is known).
        func screening(landUse: SoilLandUse, bands: [Int]) -> Double? {
            let values = switch landUse { case .paddy: screeningPaddy; case .orchard: screeningOrchard; case .other: screeningOther }
            return Self.lowest(of: values, in: bands)
        }

        func intervention(bands: [Int]) -> Double? { Self.lowest(of: intervention, in: bands) }

        /// The lowest value of the bands that have one (no array made: twice per element and parcel).
        private static func lowest(of values: [Double?], in bands: [Int]) -> Double? {
            var lowest: Double? = nil
            for band in bands { if let value = values[band], lowest.map({ value < $0 }) ?? true { lowest = value } }
            return lowest
        }
    }

    /// The required soil items (`RequiredEvidence.soil`) the linked samples do not establish: an
    /// item is established by a detected value, or by a non-detect whose detection limit is at or
    /// below the screening value that applies (a higher limit cannot tell clean from polluted).
    /// A pH recorded on the parcel counts for pH.
    static func missingSoilEvidence(_ soil: [SoilSample], parcelPH: Double?, landUse: SoilLandUse, bands: [Int], context c: Context) -> [String] {
        RequiredEvidence.missing(c.standards.requiredEvidence.soil) { id in
            guard let parameter = ParameterCatalog.parameter(id: id) else { return false }
            if parameter.kind == .ph, parcelPH != nil { return true }
            let screening = c.elementRules.first { $0.parameter == parameter }?.screening(landUse: landUse, bands: bands)
            return soil.contains { sample in
                if sample.number(parameter) != nil { return true }  // detected (no dictionary lookup: every parcel asks)
                guard case .belowDetection(let limit)? = sample.measurements[parameter] else { return false }
                return screening.map { s in limit.map { $0 <= s } ?? false } ?? (limit != nil)
            }
        }
    }

    /// The loads computed per parcel: output key, the parameters that can stand for it (first
    /// found wins), and whether the load is in kg (else g).
    static let loadParameters: [(key: String, parameters: [String], perKg: Bool)] =
        [("chloride", ["chloride"], true), ("salt", ["total_salt", "tds"], true)] + elements.map { ($0, [$0], false) }
}
