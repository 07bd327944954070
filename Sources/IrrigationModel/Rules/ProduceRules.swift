/// The produce of a parcel against GB 2762 (食品中污染物限量): the Xinzhou opinion asks for strict
/// monitoring of "农产品质量" beside the water, the soil and the groundwater.
public enum ProduceRules {
    /// The findings of a parcel's produce samples. A sample is judged by the food category it
    /// names, else its crop's, else the parcel's crop's (`FoodLimits.defaultCategory` for a crop
    /// the catalog gives none). A detected value above its limit is `PRODUCE_ABOVE_LIMIT`; a
    /// value that cannot be told from the limit (a detection limit above it, a "> v" with v within
    /// it, or rice's total arsenic above the inorganic-arsenic limit with no inorganic arsenic
    /// measured) is `PRODUCE_INDETERMINATE`; a sample whose category is not in GB 2762's table
    /// (by id or Chinese name) is `PRODUCE_CATEGORY_UNKNOWN`: each puts the parcel under review.
    public static func findings(_ samples: [ProduceSample], parcelFood: String?, crops: CropCatalog, limits: FoodLimits) -> [Finding] {
        samples.flatMap { sample -> [Finding] in
            let named = sample.foodCategory ?? sample.crop.flatMap { crop in
                let classification = crops.classify(crop: crop, landUseCode: nil)
                return classification.entry?.food ?? FoodLimits.defaultCategory(for: classification.cropClass)
            } ?? parcelFood
            // A category by its id or, as labs write it under 食品类别, by its Chinese name.
            guard let id = named, let category = limits.categories[id] ?? limits.categories.values.first(where: { $0.zh == id }) else {
                // A sample that cannot be judged is not a clean sample: the parcel goes under review.
                return [Finding(code: .produceCategoryUnknown, parameter: nil, value: nil, threshold: nil, unit: nil, standard: limits.id,
                                evidence: [sample.id],
                                messageZh: "农产品样品 \(sample.id) 的食品类别\(named.map { "“\($0)”" } ?? "")未知，无法按 GB 2762 判定",
                                messageEn: "produce sample \(sample.id): food category \(named ?? "unknown") is not in GB 2762's table; not judged",
                                review: true)]
            }
            return category.limits.compactMap { limit in judge(sample, limit, category: category, standard: limits.id) }
        }
    }

    /// One limit of one sample; nil when the sample complies or does not measure it.
    static func judge(_ sample: ProduceSample, _ limit: FoodLimits.Limit, category: FoodLimits.Category, standard: String) -> Finding? {
        guard let parameter = ParameterCatalog.parameter(id: limit.parameter) else { return nil }
        let label = "\(standard) \(category.zh)" + (limit.confidence == "M" ? " (M)" : "")
        func finding(_ code: FindingCode, value: Double?, zh: String, en: String) -> Finding {
            Finding(code: code, parameter: limit.parameter, value: value, threshold: limit.max, unit: limit.unit, standard: label,
                    evidence: [sample.id], messageZh: zh, messageEn: en, review: true)
        }
        var measured = sample.measurements[parameter]
        // Rice's inorganic-arsenic limit: total arsenic at or below it complies (GB 2762 表4 note a);
        // above it, only inorganic arsenic can tell.
        if limit.parameter == "inorganic_as", measured == nil, let total = ParameterCatalog.parameter(id: "as").flatMap({ sample.measurements[$0] }) {
            switch total {
            case .value(let v) where v <= limit.max, .belowDetection(limit: .some(let v)) where v <= limit.max: return nil
            case .value(let v), .aboveRange(let v):
                return finding(.produceIndeterminate, value: v,
                               zh: "样品 \(sample.id) 总砷 \(v) mg/kg 高于无机砷限量 \(limit.max)，须测无机砷",
                               en: "sample \(sample.id): total arsenic \(v) mg/kg is above the inorganic-arsenic limit \(limit.max); measure inorganic arsenic")
            case .belowDetection:
                measured = total
            }
        }
        switch measured {
        case nil:
            return nil
        case .aboveRange(let v)? where v <= limit.max:
            // "> v" with v within the limit: the true value may lie either side of it.
            return finding(.produceIndeterminate, value: v,
                           zh: "农产品样品 \(sample.id) \(parameter.chineseName) 报告为大于 \(v) mg/kg，无法与限量 \(limit.max) mg/kg 比较",
                           en: "produce sample \(sample.id): \(parameter.englishName) reported as above \(v) mg/kg, which cannot be held to the limit \(limit.max) mg/kg")
        case .value(let v)?, .aboveRange(let v)?:
            guard v > limit.max else { return nil }
            return finding(.produceAboveLimit, value: v,
                           zh: "农产品样品 \(sample.id) \(parameter.chineseName) \(v) mg/kg 超过 GB 2762 \(category.zh)限量 \(limit.max) mg/kg",
                           en: "produce sample \(sample.id): \(parameter.englishName) \(v) mg/kg is above the GB 2762 limit for \(category.en), \(limit.max) mg/kg")
        case .belowDetection(let detection)?:
            guard let detection else {
                return finding(.produceIndeterminate, value: nil,
                               zh: "样品 \(sample.id) \(parameter.chineseName)未检出但未给检出限，无法与限量比较",
                               en: "sample \(sample.id): \(parameter.englishName) not detected, with no detection limit: cannot be held to the limit")
            }
            guard detection > limit.max else { return nil }
            return finding(.produceIndeterminate, value: detection,
                           zh: "样品 \(sample.id) \(parameter.chineseName)检出限 \(detection) 高于限量 \(limit.max)，无法判定",
                           en: "sample \(sample.id): \(parameter.englishName) detection limit \(detection) is above the limit \(limit.max): cannot be judged")
        }
    }
}

extension Finding {
    /// The parcel has no produce sample of its own: the nearest within reach stands in, as a
    /// neighbouring soil sample does (informational; the samples' own findings judge).
    static func produceFromNeighbour(_ samples: [ProduceSample]) -> Finding {
        let ids = samples.map(\.id)
        return Finding(code: .produceFromNeighbour, parameter: nil, value: nil, threshold: nil, unit: nil, standard: nil, evidence: ids,
                       messageZh: "本地块无农产品样品，借用邻近样品 \(ids.joined(separator: "、")) 判定",
                       messageEn: "no produce sample of this parcel: the nearby sample \(ids.joined(separator: ", ")) stands in",
                       review: false)
    }
}
