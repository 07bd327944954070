import Ingest
import IrrigationModel
import Reports

/// An exclusion layer (e.g. a drinking-water source protection zone) and its buffer.
public struct ExclusionInput: Sendable, Hashable {
    public var path: String
    public var bufferMetres: Double
    public var name: String?
    public init(path: String, bufferMetres: Double = 0, name: String? = nil) { self.path = path; self.bufferMetres = bufferMetres; self.name = name }
}

/// The rules' settings (issue #4), from flags and the project file.
public struct RuleOptions: Sendable {
    /// Assessment year for source compliance; default: the latest year with water samples.
    public var year: Int?
    public var statistic: ComplianceStatistic = .max
    /// Count indeterminate compliance (a non-detect whose limit is above the standard) as a pass.
    public var indeterminateAsPass = false
    public var conditions = SiteConditions()
    /// Province override files (YAML), applied in order.
    public var standardsOverrides: [String] = []
    /// Extra crop names from the project file.
    public var extraCrops: [CropEntry] = []
    public var exclusions: [ExclusionInput] = []
    /// Loads, accumulation and review settings (issue #5).
    public var review = ReviewOptions()
    public init() {}
}

/// What the run writes and how it talks (issue #6).
public struct OutputOptions: Sendable {
    public enum ParcelFormat: String, Sendable, CaseIterable { case geojson, gpkg }
    public var parcelFormat = ParcelFormat.geojson
    public var language = ReportLanguage.zh
    /// Volume targets for farmland irrigation (10⁴ m³/yr), from the project file `targets:`.
    public var targets: [ReportInput.Target] = []
    /// Called when a phase finishes: name, items, seconds.
    public var progress: (@Sendable (String, Int?, Double) -> Void)?
    public init() {}
}
