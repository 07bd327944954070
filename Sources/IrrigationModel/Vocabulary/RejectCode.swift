/// Why a feature, a row, a value or a whole column was not assessed (`rejects.csv`, `code`).
public enum RejectCode: String, OutputCode, Codable {
    // Parcel geometry
    case geometryNull = "GEOMETRY_NULL"
    case geometryEmpty = "GEOMETRY_EMPTY"
    case geometryNotPolygon = "GEOMETRY_NOT_POLYGON"
    case geometryUnrepairable = "GEOMETRY_UNREPAIRABLE"
    case geometryOutsideCRS = "GEOMETRY_OUTSIDE_CRS"
    case geometryError = "GEOMETRY_ERROR"
    // Ids and references
    case missingID = "MISSING_ID"
    case duplicateID = "DUPLICATE_ID"
    case duplicateConflict = "DUPLICATE_CONFLICT"
    case unknownSource = "UNKNOWN_SOURCE"
    case unknownParcel = "UNKNOWN_PARCEL"
    // Dates and places
    case missingDate = "MISSING_DATE"
    case badDate = "BAD_DATE"
    case futureDate = "FUTURE_DATE"
    case missingLocation = "MISSING_LOCATION"
    case badCoordinate = "BAD_COORDINATE"
    case locationOutsideExtent = "LOCATION_OUTSIDE_EXTENT"
    // Values
    case missingValue = "MISSING_VALUE"
    case badNumber = "BAD_NUMBER"
    case badValue = "BAD_VALUE"
    case negativeValue = "NEGATIVE_VALUE"
    case pHOutOfRange = "PH_OUT_OF_RANGE"
    case noMeasurements = "NO_MEASUREMENTS"
    // Units and species
    case unitMissing = "UNIT_MISSING"
    case unitUnknown = "UNIT_UNKNOWN"
    case unitIncompatible = "UNIT_INCOMPATIBLE"
    case unitImplausible = "UNIT_IMPLAUSIBLE"
    case speciesAmbiguous = "SPECIES_AMBIGUOUS"

    public var meaning: Bilingual {
        switch self {
        case .geometryNull: Bilingual("要素无几何", "the feature has no geometry")
        case .geometryEmpty: Bilingual("几何为空", "the geometry is empty")
        case .geometryNotPolygon: Bilingual("几何不是面", "the geometry is not a polygon")
        case .geometryUnrepairable: Bilingual("几何无效且无法修复", "the geometry is invalid and could not be repaired")
        case .geometryOutsideCRS: Bilingual("坐标超出坐标系范围，无法转换", "coordinates cannot be transformed out of the layer's CRS")
        case .geometryError: Bilingual("GDAL/PROJ/GEOS 无法处理该几何", "GDAL, PROJ or GEOS could not process the geometry")
        case .missingID: Bilingual("缺少编码", "no id")
        case .duplicateID: Bilingual("编码重复", "the id is listed more than once")
        case .duplicateConflict: Bilingual("同一记录重复且数值冲突", "the same record twice with different values")
        case .unknownSource: Bilingual("水源不在水源表中", "the source is not in the sources file")
        case .unknownParcel: Bilingual("地块不在地块图层中", "the parcel is not in the parcel layer")
        case .missingDate: Bilingual("缺少日期", "no date")
        case .badDate: Bilingual("日期无法识别", "the date cannot be read")
        case .futureDate: Bilingual("日期晚于今天", "the date is in the future")
        case .missingLocation: Bilingual("缺少坐标", "no coordinates")
        case .badCoordinate: Bilingual("坐标无效", "the coordinates are not valid")
        case .locationOutsideExtent: Bilingual("位置远离地块范围", "the location is far outside the parcels' extent")
        case .missingValue: Bilingual("缺少数值", "no value")
        case .badNumber: Bilingual("不是数值或未检出", "not a number or a non-detect")
        case .badValue: Bilingual("取值无法识别", "a value that cannot be read")
        case .negativeValue: Bilingual("数值为负", "a negative value")
        case .pHOutOfRange: Bilingual("pH 超出 0–14", "pH outside 0–14")
        case .noMeasurements: Bilingual("无可识别的监测值", "no recognised measurement")
        case .unitMissing: Bilingual("缺少单位", "no unit")
        case .unitUnknown: Bilingual("单位无法识别", "a unit irrizone does not convert")
        case .unitIncompatible: Bilingual("单位与项目不符", "a unit that cannot express the parameter")
        case .unitImplausible: Bilingual("数值与默认单位不符（可能为其他单位）", "values implausible in the assumed unit")
        case .speciesAmbiguous: Bilingual("未说明以N计还是以离子计", "not said whether as N or as the ion")
        }
    }
}
