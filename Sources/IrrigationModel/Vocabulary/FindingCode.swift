/// What a review finding is about (`review.csv` and the parcels' `findings`).
public enum FindingTarget: String, Sendable, Hashable, Codable {
    case soil, groundwater, water
}

/// A review finding's kind. Each belongs to one target; whether it puts the parcel under review
/// is decided where the finding is made (`Finding.review`), since the same kind can inform
/// without calling for review (salinity below its trigger, for one).
public enum FindingCode: String, OutputCode, Codable {
    case soilAboveIntervention = "SOIL_ABOVE_INTERVENTION"
    case soilAboveScreening = "SOIL_ABOVE_SCREENING"
    case soilProjectedExceedance = "SOIL_PROJECTED_EXCEEDANCE"
    case soilSalinity = "SOIL_SALINITY"
    case soilNoData = "SOIL_NO_DATA"
    case soilEstimatedFromNeighbour = "SOIL_ESTIMATED_FROM_NEIGHBOUR"
    case soilIncomplete = "SOIL_INCOMPLETE"
    case groundwaterAboveClassIII = "GW_ABOVE_CLASS_III"
    case groundwaterRisingTrend = "GW_RISING_TREND"
    case groundwaterShallowAndLoaded = "GW_SHALLOW_AND_LOADED"
    case groundwaterNoData = "GW_NO_DATA"
    case sourceIncomplete = "SOURCE_INCOMPLETE"

    public var target: FindingTarget {
        switch self {
        case .soilAboveIntervention, .soilAboveScreening, .soilProjectedExceedance, .soilSalinity, .soilNoData,
             .soilEstimatedFromNeighbour, .soilIncomplete: .soil
        case .groundwaterAboveClassIII, .groundwaterRisingTrend, .groundwaterShallowAndLoaded, .groundwaterNoData: .groundwater
        case .sourceIncomplete: .water
        }
    }

    public var meaning: Bilingual {
        switch self {
        case .soilAboveIntervention: Bilingual("土壤超过管制值（GB 15618）", "soil above the intervention value (GB 15618)")
        case .soilAboveScreening: Bilingual("土壤超过筛选值（GB 15618）", "soil above the screening value (GB 15618)")
        case .soilProjectedExceedance: Bilingual("按累积预测将在限期内超过筛选值", "projected to reach the screening value within the horizon")
        case .soilSalinity: Bilingual("土壤盐分或氯化物偏高", "soil salinity or chloride high")
        case .soilNoData: Bilingual("无土壤数据", "no soil data")
        case .soilEstimatedFromNeighbour: Bilingual("土壤数据取自邻近样品", "soil estimated from a neighbouring sample")
        case .soilIncomplete: Bilingual("土壤缺测必测项目的地块", "parcels whose soil evidence lacks required items")
        case .groundwaterAboveClassIII: Bilingual("地下水超过 III 类（GB/T 14848）", "groundwater above class III (GB/T 14848)")
        case .groundwaterRisingTrend: Bilingual("地下水浓度上升趋势", "groundwater concentration rising")
        case .groundwaterShallowAndLoaded: Bilingual("地下水埋深浅且负荷高", "shallow groundwater under a high load")
        case .groundwaterNoData: Bilingual("半径内无监测井", "no well within the radius")
        case .sourceIncomplete: Bilingual("水源缺测必测项目的地块", "parcels whose source lacks required items")
        }
    }
}
