/// Why a feature, a row, a value or a whole column was not assessed (`rejects.csv`, `code`).
public enum RejectCode: String, OutputCode, Codable {
    // The parcel's geometry.
    case geometryNull = "GEOMETRY_NULL", geometryEmpty = "GEOMETRY_EMPTY", geometryNotPolygon = "GEOMETRY_NOT_POLYGON"
    case geometryUnrepairable = "GEOMETRY_UNREPAIRABLE", geometryOutsideCRS = "GEOMETRY_OUTSIDE_CRS", geometryError = "GEOMETRY_ERROR"
    // Ids and what they refer to.
    case missingID = "MISSING_ID", duplicateID = "DUPLICATE_ID", duplicateConflict = "DUPLICATE_CONFLICT"
    case unknownSource = "UNKNOWN_SOURCE", unknownParcel = "UNKNOWN_PARCEL"
    // Dates and places.
    case missingDate = "MISSING_DATE", badDate = "BAD_DATE", futureDate = "FUTURE_DATE"
    case missingLocation = "MISSING_LOCATION", badCoordinate = "BAD_COORDINATE", locationOutsideExtent = "LOCATION_OUTSIDE_EXTENT"
    // Values.
    case missingValue = "MISSING_VALUE", badNumber = "BAD_NUMBER", badValue = "BAD_VALUE", negativeValue = "NEGATIVE_VALUE"
    case pHOutOfRange = "PH_OUT_OF_RANGE", noMeasurements = "NO_MEASUREMENTS"
    // Units and species (issue #22).
    case unitMissing = "UNIT_MISSING", unitUnknown = "UNIT_UNKNOWN", unitIncompatible = "UNIT_INCOMPATIBLE", unitImplausible = "UNIT_IMPLAUSIBLE"
    case speciesAmbiguous = "SPECIES_AMBIGUOUS"
}
