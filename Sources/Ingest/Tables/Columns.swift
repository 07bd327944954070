import IrrigationModel

/// What a non-measurement column of a monitoring table holds.
public enum ColumnRole: String, Sendable, CaseIterable {
    case sampleID = "sample_id", sourceID = "source_id", wellID = "well_id", parcelID = "parcel_id"
    case date, year, lon, lat, x, y, depth, depthToWater = "depth_to_water_m"
    case parameter, value, unit, remark, detectionLimit = "detection_limit"
    case texture, name, inflow = "industrial_inflow", uses, treatment, capacity = "capacity_m3_d"
    case volume = "volume_m3", volumePerMu = "volume_m3_per_mu", volumeUnit = "volume_unit"
    case crop, foodCategory = "food_category"

    /// Header names by which the role is found (compared after `ParameterCatalog.normalise`).
    var aliases: [String] {
        switch self {
        case .sampleID: ["sample_id", "sampleid", "sample", "样品编号", "样品编码", "样品号", "lab_id", "编号"]
        case .sourceID: ["source_id", "source", "水源编码", "水源", "水源编号", "plant_id", "outlet_id", "sydm", "厂站编号"]
        case .wellID: ["well_id", "well", "井号", "监测井编号", "井编号", "station_id", "site_no", "well_tag_number", "well_number"]
        case .parcelID: ["parcel_id", "parcel", "地块编码", "dkbm", "地块编号"]
        case .date: ["date", "sample_date", "sampling_date", "cdate", "activitystartdate", "datetime", "采样日期", "日期", "采样时间", "监测日期", "collection_date"]
        case .year: ["year", "年份", "年度"]
        case .lon: ["lon", "lng", "long", "longitude", "经度", "coord_long", "x_wgs84"]
        case .lat: ["lat", "latitude", "纬度", "coord_lat", "y_wgs84"]
        case .x: ["x", "utm_x", "easting", "x坐标", "东坐标", "coord_x"]
        case .y: ["y", "utm_y", "northing", "y坐标", "北坐标", "coord_y"]
        case .depth: ["depth", "depth_cm", "采样深度", "深度", "sample_depth"]
        case .depthToWater: ["depth_to_water_m", "depth_to_water", "水位埋深", "埋深", "dtw", "water_level_depth", "depthtowater"]
        case .parameter: ["parameter", "指标", "检测项目", "项目", "analyte", "characteristic", "characteristicname"]
        case .value: ["value", "result", "检测值", "结果", "测定值", "浓度", "resultvalue"]
        case .unit: ["unit", "units", "单位", "unit_code"]
        case .remark: ["remark", "remarkcode", "remark_code", "qualifier", "flag", "result_qualifier"]
        case .detectionLimit: ["detection_limit", "dl", "mdl", "lod", "检出限", "方法检出限"]
        case .texture: ["texture", "质地", "土壤质地"]
        case .name: ["name", "名称", "厂名", "plant_name", "source_name"]
        case .inflow: ["industrial_inflow", "inflow", "工业废水", "工业来水", "进水类型"]
        case .uses: ["uses", "use", "用途", "利用途径"]
        case .treatment: ["treatment", "处理工艺", "处理级别", "工艺"]
        case .capacity: ["capacity_m3_d", "capacity", "处理规模", "设计规模"]
        case .volume: ["volume_m3", "volume", "灌溉水量", "水量", "用水量"]
        case .volumePerMu: ["volume_m3_per_mu", "volume_m3_mu", "亩均水量", "亩均灌溉水量"]
        case .volumeUnit: ["volume_unit", "水量单位"]
        case .crop: ["crop", "作物", "作物名称", "品种", "农产品", "产品名称"]
        case .foodCategory: ["food_category", "食品类别", "食品分类"]
        }
    }

    static let byAlias: [String: ColumnRole] = {
        var map: [String: ColumnRole] = [:]
        for role in ColumnRole.allCases { for alias in role.aliases { map[ParameterCatalog.normalise(alias)] = role } }
        return map
    }()
}

/// How one column of a monitoring table is read.
public enum ColumnMeaning: Sendable, Hashable {
    case role(ColumnRole)
    /// A parameter; the unit from the header, a units row or the project file (nil: none given).
    case measurement(Parameter, unit: String?)
    case ignored
    case unrecognised
}

/// Splits a header into a name and a unit: `Cd (µg/L)`, `镉（mg/L）`, `EC_uS_cm`, `Cd_mg_kg`,
/// `Cr(VI)` (no unit: "VI" is not one).
public enum ColumnHeader {
    public static func split(_ header: String) -> (name: String, unit: String?) {
        let text = header.trimmingWhitespace()
        // A trailing bracketed group that parses as a unit.
        for (open, close) in [("(", ")"), ("（", "）"), ("[", "]")] {
            if text.hasSuffix(close), let start = text.range(of: open, options: .backwards) {
                let unit = String(text[start.upperBound..<text.index(before: text.endIndex)])
                if MeasurementUnit.parse(unit) != nil {
                    return (String(text[..<start.lowerBound]).trimmingWhitespace(), unit)
                }
            }
        }
        // Underscore-joined suffixes: EC_uS_cm → ("EC", "uS/cm"); salt_g_kg → ("salt", "g/kg").
        let tokens = text.split(separator: "_").map(String.init)
        if tokens.count >= 2 {
            for count in stride(from: min(3, tokens.count - 1), through: 1, by: -1) {
                let unit = tokens.suffix(count).joined(separator: "/")
                if MeasurementUnit.parse(unit) != nil, !["ph", "-"].contains(unit.lowercased()) {
                    return (tokens.prefix(tokens.count - count).joined(separator: "_"), unit)
                }
            }
        }
        return (text, nil)
    }
}

extension ColumnHeader {
    /// `name (unit)` split at the last bracket whatever the unit says, e.g. `Zn (furlongs)`.
    public static func bracketed(_ header: String) -> (name: String, unit: String)? {
        let text = header.trimmingWhitespace()
        for (open, close) in [("(", ")"), ("（", "）"), ("[", "]")] where text.hasSuffix(close) {
            guard let start = text.range(of: open, options: .backwards) else { continue }
            return (String(text[..<start.lowerBound]).trimmingWhitespace(), String(text[start.upperBound..<text.index(before: text.endIndex)]))
        }
        return nil
    }
}

extension ColumnMeaning {
    /// Reads a project-file column spec: a role ("sample_id"), "ignore", or a parameter with an
    /// optional unit ("cd", "cd:ug/L", "总镉:mg/L").
    static func fromSpec(_ spec: String) -> ColumnMeaning? {
        let trimmed = spec.trimmingWhitespace()
        if trimmed.lowercased() == "ignore" { return .ignored }
        if let role = ColumnRole(rawValue: trimmed) { return .role(role) }
        let parts = trimmed.split(separator: ":", maxSplits: 1).map(String.init)
        guard let parameter = ParameterCatalog.parameter(id: parts[0]) ?? ParameterCatalog.parameter(named: parts[0]) else { return nil }
        return .measurement(parameter, unit: parts.count > 1 ? parts[1] : nil)
    }
}
