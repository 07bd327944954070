import PlanarGeometry
/// Where a record came from, so every finding can point back into the user's file.
public struct RecordOrigin: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    /// "row 12" (CSV line number, header = row 1), "sheet Sheet1 row 5", "feature 3".
    public var location: String
    public init(file: String, location: String) { self.file = file; self.location = location }
    public var description: String { "\(file), \(location)" }
}

/// Measurements of one sample, in canonical units, keyed by parameter.
public typealias Measurements = [Parameter: MeasuredValue]

/// Industrial wastewater entering a plant. Policy (DESIGN.md §1): electroplating, chemical,
/// dyeing, medical and radioactive wastewater may never be a reclaimed-water source.
public enum IndustrialInflow: String, Sendable, Hashable, Codable, CaseIterable {
    case none, chemical, electroplating, dyeing, pharmaceutical, medical, radioactive, otherIndustrial = "other_industrial"

    public var isProhibited: Bool { [.chemical, .electroplating, .dyeing, .medical, .radioactive].contains(self) }

    static let names: [String: IndustrialInflow] = [
        "none": .none, "无": .none, "no": .none, "否": .none, "": .none, "domestic": .none, "生活污水": .none,
        "chemical": .chemical, "化工": .chemical, "化学": .chemical,
        "electroplating": .electroplating, "电镀": .electroplating,
        "dyeing": .dyeing, "印染": .dyeing, "textile dyeing": .dyeing,
        "pharmaceutical": .pharmaceutical, "制药": .pharmaceutical,
        "medical": .medical, "医疗": .medical, "医院": .medical,
        "radioactive": .radioactive, "放射性": .radioactive,
        "other-industrial": .otherIndustrial, "other_industrial": .otherIndustrial, "other industrial": .otherIndustrial,
        "industrial": .otherIndustrial, "工业": .otherIndustrial, "其他工业": .otherIndustrial,
    ]

    /// Parses one name (English or Chinese).
    public init?(name: String) {
        guard let value = IndustrialInflow.names[name.trimmingWhitespace().lowercased()] else { return nil }
        self = value
    }
}

/// What an outlet's water is used for (the uses of Shuangliao's 《再生水利用管理办法》, each with its
/// standard); a multi-use outlet is held to the strictest standard among them.
public enum WaterUse: String, Sendable, Hashable, Codable, CaseIterable {
    /// 农田灌溉: GB 5084 / GB 20922 by crop class.
    case farmland
    /// 城市公园景观、绿地等灌溉 (green-space irrigation): GB/T 25499.
    case greenSpace = "green_space"
    /// 观赏性湖泊、湿地、景观环境用水 (landscape water bodies): GB/T 18921.
    case landscape
    /// 工业冷却、洗涤、锅炉用水: SL 368.
    case industry
    /// 城市杂用 (street cleaning, toilets, fire fighting …): GB/T 18920.
    case municipal
    /// 生态补水 (wetland replenishment): GB/T 18921's wetland column.
    case ecological
    case other

    static let names: [String: WaterUse] = [
        "farmland": .farmland, "农田灌溉": .farmland, "农业": .farmland, "irrigation": .farmland, "农田": .farmland,
        "green_space": .greenSpace, "green space": .greenSpace, "greenspace": .greenSpace, "绿地灌溉": .greenSpace, "绿地": .greenSpace,
        "城市绿化": .greenSpace, "绿化": .greenSpace, "园林": .greenSpace, "园林绿化": .greenSpace,
        "landscape": .landscape, "景观": .landscape, "景观环境": .landscape, "景观用水": .landscape, "景观水": .landscape,
        "景观环境用水": .landscape, "观赏": .landscape,
        "industry": .industry, "工业": .industry, "industrial": .industry,
        "municipal": .municipal, "市政": .municipal, "城市杂用": .municipal, "市政杂用": .municipal,
        "ecological": .ecological, "生态补水": .ecological, "生态": .ecological, "湿地": .ecological,
        "other": .other, "其他": .other,
    ]

    public init?(name: String) {
        guard let value = WaterUse.names[name.trimmingWhitespace().lowercased()] else { return nil }
        self = value
    }
}

/// A reclaimed-water plant or outlet.
public struct WaterSource: Sendable, Hashable, Codable {
    public var id: String
    public var name: String?
    /// WGS84 lon/lat, when the table gives a location.
    public var location: Position?
    /// What the table says enters the plant: `[.none]` for "无", the industries named, or `[]`
    /// when it says nothing (not the same as none).
    public var inflows: [IndustrialInflow]
    public var uses: [WaterUse]
    public var treatment: String?
    public var origin: RecordOrigin

    public init(id: String, name: String?, location: Position?, inflows: [IndustrialInflow], uses: [WaterUse],
                treatment: String?, origin: RecordOrigin) {
        self.id = id; self.name = name; self.location = location; self.inflows = inflows; self.uses = uses
        self.treatment = treatment; self.origin = origin
    }

    public var hasProhibitedInflow: Bool { inflows.contains { $0.isProhibited } }
}

/// A produce sample (农产品样品): contaminants in the harvest of a parcel, mg/kg fresh weight.
public struct ProduceSample: Sendable, Hashable {
    public var id: String
    /// The parcel it was taken from, when the table names it.
    public var parcelID: String?
    /// WGS84 lon/lat, when the table gives one.
    public var location: Position?
    public var crop: String?
    /// Its GB 2762 food category, when the table names it (else the crop's).
    public var foodCategory: String?
    public var date: CalendarDate?
    public var measurements: Measurements
    public var origin: RecordOrigin

    public init(id: String, parcelID: String?, location: Position?, crop: String?, foodCategory: String?, date: CalendarDate?,
                measurements: Measurements, origin: RecordOrigin) {
        self.id = id; self.parcelID = parcelID; self.location = location; self.crop = crop; self.foodCategory = foodCategory
        self.date = date; self.measurements = measurements; self.origin = origin
    }
}

/// One water-quality sample of a source.
public struct WaterSample: Sendable, Hashable {
    public var id: String
    public var sourceID: String
    public var date: CalendarDate
    public var measurements: Measurements
    public var origin: RecordOrigin
    public init(id: String, sourceID: String, date: CalendarDate, measurements: Measurements, origin: RecordOrigin) {
        self.id = id; self.sourceID = sourceID; self.date = date; self.measurements = measurements; self.origin = origin
    }
}

/// One plough-layer soil sample.
public struct SoilSample: Sendable, Hashable {
    public var id: String
    /// WGS84 lon/lat.
    public var location: Position
    public var date: CalendarDate?
    public var depth: String?
    public var texture: String?
    public var measurements: Measurements { didSet { numbers = DetectedValues(measurements) } }
    public var origin: RecordOrigin
    /// The detected values, for the rules: read for every parcel linked to the sample, so found
    /// without hashing the parameter as `measurements` would (docs/scaling.md).
    private var numbers: DetectedValues

    /// The parameter's detected value, if the sample has one.
    @inline(__always) public func number(_ parameter: Parameter) -> Double? { numbers[parameter] }

    public init(id: String, location: Position, date: CalendarDate?, depth: String?, texture: String?, measurements: Measurements, origin: RecordOrigin) {
        self.id = id; self.location = location; self.date = date; self.depth = depth; self.texture = texture
        self.measurements = measurements; self.origin = origin
        numbers = DetectedValues(measurements)
    }

    /// Equal by what was measured (`numbers` follows from it, and NaN is never equal to itself).
    public static func == (a: SoilSample, b: SoilSample) -> Bool {
        a.id == b.id && a.location == b.location && a.date == b.date && a.depth == b.depth && a.texture == b.texture
            && a.measurements == b.measurements && a.origin == b.origin
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id); hasher.combine(location); hasher.combine(date); hasher.combine(depth); hasher.combine(texture)
        hasher.combine(measurements); hasher.combine(origin)
    }
}

/// A sample's detected values by parameter, found without hashing: a bit per parameter of the
/// catalog says which have one, and the values of those follow in catalog order (the value of a
/// parameter is at the count of the bits before its own). A sample has a few of the catalog's
/// parameters, so an array of all of them, NaN where none, was mostly empty (docs/scaling.md).
struct DetectedValues: Sendable {
    /// One bit per parameter: the catalog has at most 128 (`ParameterCatalog.fitsABitPerParameter`).
    private var present: UInt128 = 0
    private var values: [Double] = []

    init(_ measurements: Measurements) {
        precondition(ParameterCatalog.fitsABitPerParameter)
        let detected = measurements.compactMap { parameter, value in value.number.flatMap { $0.isNaN ? nil : (parameter.ordinal, $0) } }
        for (ordinal, _) in detected { present |= 1 << ordinal }
        values = detected.sorted { $0.0 < $1.0 }.map(\.1)
    }

    @inline(__always) subscript(parameter: Parameter) -> Double? {
        let bit: UInt128 = 1 << parameter.ordinal
        guard present & bit != 0 else { return nil }
        return values[(present & (bit - 1)).nonzeroBitCount]
    }
}

/// One reading of a groundwater well.
public struct WellReading: Sendable, Hashable {
    public var wellID: String
    /// WGS84 lon/lat.
    public var location: Position
    public var date: CalendarDate
    public var depthToWaterMetres: Double?
    public var measurements: Measurements
    public var origin: RecordOrigin
    public init(wellID: String, location: Position, date: CalendarDate, depthToWaterMetres: Double?, measurements: Measurements, origin: RecordOrigin) {
        self.wellID = wellID; self.location = location; self.date = date; self.depthToWaterMetres = depthToWaterMetres
        self.measurements = measurements; self.origin = origin
    }
}

/// Irrigation applied to one parcel in one year.
public struct IrrigationRecord: Sendable, Hashable {
    public enum Volume: Sendable, Hashable {
        case cubicMetres(Double)
        case cubicMetresPerMu(Double)

        /// m³ per hectare on a parcel of `areaHectares`; nil for a volume of a parcel with no area.
        public func cubicMetresPerHectare(areaHectares: Double) -> Double? {
            switch self {
            case .cubicMetres(let v): areaHectares > 0 ? v / areaHectares : nil
            case .cubicMetresPerMu(let v): AreaUnit.perHectare(perMu: v)
            }
        }
    }
    public var parcelID: String
    public var volume: Volume
    /// The year in 32 bits: a county has millions of these records, and with the fields in this
    /// order one is 32 bytes.
    private var storedYear: Int32
    public var year: Int {
        get { Int(storedYear) }
        set { storedYear = Int32(clamping: newValue) }
    }
    /// (No origin: a county has millions of these rows and a rejected row is reported when read.)
    public init(parcelID: String, year: Int, volume: Volume) {
        self.parcelID = parcelID; self.storedYear = Int32(clamping: year); self.volume = volume
    }

    /// m³ per hectare for a parcel of `areaHectares`.
    public func cubicMetresPerHectare(areaHectares: Double) -> Double? { volume.cubicMetresPerHectare(areaHectares: areaHectares) }
}

/// A run's irrigation records, 16 bytes each: a county has tens of millions of rows, held until
/// they are added to the links (docs/scaling.md). A record names its parcel by
/// a place in `parcelIDs`, which a table's reading fills with each id once; records appended
/// one by one each bring their own. Reads as a collection of `IrrigationRecord`.
public struct IrrigationRecords: Sendable, Equatable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// (Amount, place and year in this order: 16 bytes.)
    private struct Row: Sendable, Hashable {
        var amount: Double
        var parcel: Int32
        /// 16 bits: the readers accept years from 1900 to today only (a workspace's, those that
        /// fit), so a year never has to be changed to fit.
        var year: Int16
        var perMu: Bool

        init(parcel: Int, year: Int, volume: IrrigationRecord.Volume) {
            guard let year = Int16(exactly: year) else { preconditionFailure("irrigation year \(year) outside 16 bits") }
            self.parcel = Int32(parcel); self.year = year
            switch volume {
            case .cubicMetres(let amount): self.amount = amount; perMu = false
            case .cubicMetresPerMu(let amount): self.amount = amount; perMu = true
            }
        }

        var volume: IrrigationRecord.Volume { perMu ? .cubicMetresPerMu(amount) : .cubicMetres(amount) }
    }
    /// The parcel ids the records name, by place.
    public private(set) var parcelIDs: [String] = []
    private var rows: [Row] = []

    public init() {}
    public init(arrayLiteral elements: IrrigationRecord...) { for record in elements { append(record) } }

    /// Records that name their parcels by places in `parcelIDs`, appended with `append(parcel:year:volume:)`.
    public init(parcelIDs: [String], reservingCapacity capacity: Int) {
        self.parcelIDs = parcelIDs
        rows.reserveCapacity(capacity)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rows.count }
    public subscript(position: Int) -> IrrigationRecord {
        let row = rows[position]
        return IrrigationRecord(parcelID: parcelIDs[Int(row.parcel)], year: Int(row.year), volume: row.volume)
    }

    /// The place in `parcelIDs` of the id of the record at `position`.
    public func parcelPlace(at position: Int) -> Int { Int(rows[position].parcel) }
    public func year(at position: Int) -> Int { Int(rows[position].year) }
    /// `IrrigationRecord.cubicMetresPerHectare` of the record at `position`, without making the record.
    public func cubicMetresPerHectare(at position: Int, areaHectares: Double) -> Double? {
        rows[position].volume.cubicMetresPerHectare(areaHectares: areaHectares)
    }

    /// Appends a record of the parcel at `parcel` in `parcelIDs`.
    public mutating func append(parcel: Int, year: Int, volume: IrrigationRecord.Volume) {
        precondition(parcelIDs.indices.contains(parcel), "no parcel id at \(parcel)")
        rows.append(Row(parcel: parcel, year: year, volume: volume))
    }

    public mutating func append(_ record: IrrigationRecord) {
        parcelIDs.append(record.parcelID)
        append(parcel: parcelIDs.count - 1, year: record.year, volume: record.volume)
    }

    public mutating func append(contentsOf other: IrrigationRecords) {
        let offset = Int32(parcelIDs.count)
        parcelIDs += other.parcelIDs
        rows += other.rows.lazy.map { row in var row = row; row.parcel += offset; return row }
    }

    public static func += (records: inout IrrigationRecords, other: IrrigationRecords) { records.append(contentsOf: other) }

    public mutating func removeAll(where shouldBeRemoved: (IrrigationRecord) throws -> Bool) rethrows {
        var kept = IrrigationRecords(parcelIDs: parcelIDs, reservingCapacity: rows.count)
        for position in indices where try !shouldBeRemoved(self[position]) { kept.rows.append(rows[position]) }
        self = kept
    }

    /// Equal when they hold the same records in the same order, whichever places name the ids.
    public static func == (a: IrrigationRecords, b: IrrigationRecords) -> Bool { a.elementsEqual(b) }
}
