/// What a review finding is about (`review.csv` and the parcels' `findings`).
public enum FindingTarget: String, Sendable, Hashable, Codable {
    case soil, groundwater, water, produce, irrigation
}

/// A review finding's kind. Whether it puts the parcel under review is decided where the finding
/// is made (`Finding.review`): the same kind can inform without calling for review.
public enum FindingCode: String, OutputCode, Codable {
    case soilAboveIntervention = "SOIL_ABOVE_INTERVENTION", soilAboveScreening = "SOIL_ABOVE_SCREENING"
    case soilProjectedExceedance = "SOIL_PROJECTED_EXCEEDANCE", soilSalinity = "SOIL_SALINITY"
    case soilNoData = "SOIL_NO_DATA", soilEstimatedFromNeighbour = "SOIL_ESTIMATED_FROM_NEIGHBOUR", soilIncomplete = "SOIL_INCOMPLETE"
    case groundwaterAboveClassIII = "GW_ABOVE_CLASS_III", groundwaterRisingTrend = "GW_RISING_TREND"
    case groundwaterShallowAndLoaded = "GW_SHALLOW_AND_LOADED", groundwaterNoData = "GW_NO_DATA"
    case sourceIncomplete = "SOURCE_INCOMPLETE"
    case produceAboveLimit = "PRODUCE_ABOVE_LIMIT", produceIndeterminate = "PRODUCE_INDETERMINATE", produceCategoryUnknown = "PRODUCE_CATEGORY_UNKNOWN"
    case produceFromNeighbour = "PRODUCE_FROM_NEIGHBOUR"
    case irrigationMethodNotAllowed = "IRRIGATION_METHOD_NOT_ALLOWED", irrigationMethodUnknown = "IRRIGATION_METHOD_UNKNOWN"

    public var target: FindingTarget {
        switch self {
        case .soilAboveIntervention, .soilAboveScreening, .soilProjectedExceedance, .soilSalinity, .soilNoData,
             .soilEstimatedFromNeighbour, .soilIncomplete: .soil
        case .groundwaterAboveClassIII, .groundwaterRisingTrend, .groundwaterShallowAndLoaded, .groundwaterNoData: .groundwater
        case .sourceIncomplete: .water
        case .produceAboveLimit, .produceIndeterminate, .produceCategoryUnknown, .produceFromNeighbour: .produce
        case .irrigationMethodNotAllowed, .irrigationMethodUnknown: .irrigation
        }
    }
}
