import Ingest
import IrrigationModel
import Reports

/// An exclusion layer (e.g. a drinking-water source protection zone) and its buffer.
public struct ExclusionInput: Sendable, Hashable {
    /// The widest buffer accepted: 100 km. A project default: protection zones are buffered by
    /// metres to kilometres, and a buffer of thousands of kilometres reaches around the earth,
    /// where a planar buffer stops meaning anything (issue #23).
    public static let largestBufferMetres = 100_000.0
    public var path: String
    public var bufferMetres: Double
    public var name: String?
    /// The layer to read when the source has several.
    public var layer: String?
    /// GDAL's `-oo` and `-where` for the layer (issue #25).
    public var openOptions: [String] = []
    public var attributeFilter: String?
    public init(path: String, bufferMetres: Double = 0, name: String? = nil, layer: String? = nil) {
        self.path = path; self.bufferMetres = bufferMetres; self.name = name; self.layer = layer
    }
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
    /// The project's changes to the evidence a verdict needs (`rules.required`).
    public var requiredChanges = RequiredEvidenceChanges()
    public init() {}

    /// The standards in effect: the bundled catalog, the province overrides in order, and the
    /// project's required evidence; with the overrides' warnings. `assess` and `check` both ask here.
    func standardsInEffect() throws -> (catalog: StandardsCatalog, warnings: [String]) {
        var standards = try StandardsCatalog.bundled()
        var warnings: [String] = []
        for path in standardsOverrides { warnings += try standards.apply(StandardsOverrideFile.load(path: path)) }
        try requiredChanges.apply(to: &standards.requiredEvidence)
        return (standards, warnings)
    }
}

/// Items a project adds to or (with a reason) drops from `RequiredEvidence` (`rules.required`).
public struct RequiredEvidenceChanges: Sendable {
    public var add: [(medium: Medium, parameter: String)] = []
    public var drop: [(medium: Medium, item: String, reason: String)] = []
    public init() {}

    /// Applies the changes to a catalog's requirements.
    public func apply(to evidence: inout RequiredEvidence) throws {
        for (medium, parameter) in add { try evidence.add(parameter, to: medium) }
        for (medium, item, reason) in drop { try evidence.drop(item, from: medium, reason: reason) }
    }
}

/// What the run writes and how it talks (issue #6).
public struct OutputOptions: Sendable {
    public enum ParcelFormat: String, Sendable, CaseIterable { case geojson, gpkg }
    /// The parcel layer's format as the user chose it (`--format`, `format:`); nil: chosen by
    /// the layer's size (`parcelFormat(for:partOfARun:)`).
    public var parcelFormat: ParcelFormat?
    /// Above this many parcels a run writes `parcels.gpkg` unless told otherwise: a GeoJSON of a
    /// million parcels is ≈ 3.9 GB, which GDAL's GeoJSON driver (and so QGIS) reads whole before
    /// it shows a feature (minutes at 10⁶: docs/scaling.md), while a
    /// GeoPackage opens at once with its spatial index. A project default, not a standard.
    public static let defaultGeojsonParcelLimit = 1_000_000
    /// A parcel's size in `parcels.geojson` for the size the user is warned of: what the
    /// synthetic survey's parcels take (BENCHMARKS.md: 3.85 GB for 10⁶); an estimate, said as one.
    static let geojsonBytesPerParcel = 3_900.0
    public var geojsonParcelLimit = OutputOptions.defaultGeojsonParcelLimit
    public var language = ReportLanguage.zh
    /// Volume targets for farmland irrigation (10⁴ m³/yr), from the project file `targets:`.
    public var targets: [ReportInput.Target] = []
    /// Also write the run into a database (`--db`): a GeoPackage or PostGIS.
    public var database: DatabaseTarget?
    /// Called when a phase finishes: name, items, seconds.
    public var progress: (@Sendable (String, Int?, Double) -> Void)?
    public init() {}

    /// The format this run writes its parcels in, and what the user should be told about it.
    /// A part of a partitioned run keeps GeoJSON, which `merge` joins.
    public func parcelFormat(for parcels: Int, partOfARun: Bool) -> (format: ParcelFormat, notice: String?) {
        let gigabytes = Double(parcels) * Self.geojsonBytesPerParcel / 1e9
        let size = String(format: "%.1f", gigabytes)
        switch parcelFormat {
        case .gpkg?: return (.gpkg, nil)
        case .geojson?:
            guard parcels > geojsonParcelLimit else { return (.geojson, nil) }
            return (.geojson, "parcels.geojson holds \(parcels) parcels (≈ \(size) GB at 3.9 KB a parcel): GDAL and QGIS read a GeoJSON whole before showing it; --format gpkg writes a GeoPackage that opens at once")
        case nil:
            guard parcels > geojsonParcelLimit, !partOfARun else { return (.geojson, nil) }
            return (.gpkg, "\(parcels) parcels are more than \(geojsonParcelLimit) (irrizone's limit for GeoJSON): the parcels are written to parcels.gpkg, not parcels.geojson (≈ \(size) GB at 3.9 KB a parcel, which GDAL and QGIS read whole before showing it); --format geojson writes it anyway")
        }
    }
}
