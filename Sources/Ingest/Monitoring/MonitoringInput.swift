import GeoKit
import IrrigationModel
import PlanarGeometry

/// One monitoring file as the user describes it (flag or project file).
public struct TableInputOptions: Sendable, Hashable {
    public var path: String
    /// Sheet or layer name, for spreadsheets and multi-layer sources.
    public var layer: String?
    /// Text encoding of a CSV when it is not UTF-8 or GBK (those are detected).
    public var encoding: String?
    /// CRS of `x`/`y` columns (default: the parcels' CRS; `lon`/`lat` are always geographic).
    public var crs: String?
    /// Header → spec: a role (`sample_id`), a parameter with optional unit (`cd:ug/L`), or `ignore`.
    public var columns: [String: String]
    /// Parameter id → unit for columns whose header names none (e.g. `cd: ug/L`).
    public var units: [String: String]
    /// Parameter id → detection limit for bare "ND" values (canonical units).
    public var detectionLimits: [String: Double]
    /// For irrigation tables: "m3" (default) or "m3_per_mu".
    public var volumeUnit: String?
    /// Role → value for every row, for single-site files (e.g. `well_id: CHOPTANK`).
    public var constants: [String: String]
    /// What a parameter column without a unit means (project file `units: strict`).
    public var unitPolicy = UnitPolicy.assumeCanonical
    /// How the file reports nitrogen species named without one ("nitrate", "硝酸盐"): project
    /// file `species: as_n` or `as_ion` for the file.
    public var nitrogenSpecies: NitrogenSpecies?
    /// Driver open options (GDAL's `-oo NAME=VALUE`), for files and databases read through GDAL.
    public var openOptions: [String] = []
    /// An OGR SQL `WHERE` clause (GDAL's `-where`): only the rows it selects are read.
    public var attributeFilter: String?

    public init(path: String, layer: String? = nil, encoding: String? = nil, crs: String? = nil, columns: [String: String] = [:],
                units: [String: String] = [:], detectionLimits: [String: Double] = [:], volumeUnit: String? = nil,
                constants: [String: String] = [:]) {
        self.path = path; self.layer = layer; self.encoding = encoding; self.crs = crs; self.columns = columns
        self.units = units; self.detectionLimits = detectionLimits; self.volumeUnit = volumeUnit; self.constants = constants
    }
}

/// What a parameter column without a unit is read as (issue #22).
public enum UnitPolicy: String, Sendable, Hashable, CaseIterable {
    /// The canonical unit of the table's kind (water mg/L, soil mg/kg …), announced, and refused
    /// when the column's values are implausible in it (`UnitPlausibility`).
    case assumeCanonical = "assume"
    /// Every unit-less parameter column is refused (`UNIT_MISSING`).
    case strict
}

/// How a file reports a nitrogen species whose name does not say (`SpeciesAmbiguity`).
public enum NitrogenSpecies: String, Sendable, Hashable, CaseIterable {
    /// As nitrogen (硝酸盐（以N计）, GB/T 14848's convention).
    case asNitrogen = "as_n"
    /// As the ion (NO₃⁻, NO₂⁻, NH₄⁺ / NH₃).
    case asIon = "as_ion"
}

/// What reading one monitoring file produced, for `check` and run.json.
public struct InputFileReport: Sendable, Codable, Hashable {
    public var file: String
    public var kind: String
    public var encoding: String
    public var layout: String
    public var rowsRead = 0
    public var rowsAccepted = 0
    public var rowsRejected = 0
    public var duplicateRowsMerged = 0
    public var valuesRejected = 0
    public var rejectedByCode: [String: Int] = [:]
    public var parametersRecognised: [String] = []
    /// "µg/L → mg/L (Cd)": conversions applied.
    public var unitConversions: [String] = []
    /// Columns without a unit read in the table's canonical unit: "Cd: mg/kg".
    public var assumedUnits: [String] = []
    /// How names that do not say their species were read: "硝酸盐: as N (…)".
    public var speciesDecisions: [String] = []
    public var nonDetects = 0
    public var nonDetectsWithoutLimit = 0
    public var unrecognisedColumns: [String] = []
    public var columnMeanings: [String: String] = [:]
    /// Things the user should know about how the file was read.
    public var notes: [String] = []

    public init(file: String, kind: String, encoding: String, layout: String) {
        self.file = file; self.kind = kind; self.encoding = encoding; self.layout = layout
    }
}

/// Where sample coordinates are and how far outside the parcels they may lie.
public struct LocationContext {
    /// CRS of x/y columns unless a file names its own.
    public var defaultCRS: SpatialReference?
    /// The parcels' extent in lon/lat; points far outside it are rejected.
    public var parcelExtent: BoundingBox?
    public var maxOutsideMetres: Double
    /// Dates after this are rejected as future dates.
    public var today: CalendarDate

    public init(defaultCRS: SpatialReference?, parcelExtent: BoundingBox?, maxOutsideMetres: Double, today: CalendarDate) {
        self.defaultCRS = defaultCRS; self.parcelExtent = parcelExtent; self.maxOutsideMetres = maxOutsideMetres; self.today = today
    }
}

/// A row of a monitoring table after interpretation.
struct InterpretedRow {
    /// The row's place among the table's rows (0 is the first after the header).
    var index = 0
    /// The row's number in its file (what `origin.location` names: a line, a feature id).
    var number = 0
    var origin: RecordOrigin
    var text: RoleTexts
    var measurements: Measurements
    var location: Position?
    var date: CalendarDate?
}

/// A row's text per column role. A row has a handful of roles, so a short list searched in order
/// is cheaper than a dictionary per row (millions of rows in an irrigation table).
struct RoleTexts {
    private var pairs: [(role: ColumnRole, text: String)]

    init(_ values: [ColumnRole: String] = [:]) {
        pairs = values.sorted { $0.key.rawValue < $1.key.rawValue }.map { (role: $0.key, text: $0.value) }
    }

    /// Makes the list `base`'s again, keeping its room when no one else holds it.
    mutating func reset(to base: RoleTexts) {
        pairs.removeAll(keepingCapacity: true)
        pairs.append(contentsOf: base.pairs)
    }

    subscript(role: ColumnRole) -> String? {
        get {
            for pair in pairs where pair.role == role { return pair.text }
            return nil
        }
        set {
            if let index = pairs.firstIndex(where: { $0.role == role }) {
                if let newValue { pairs[index].text = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append((role: role, text: newValue))
            }
        }
    }
}
