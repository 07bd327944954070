import IrrigationModel

/// Report text in Chinese (default) and English.
public struct ReportLabels: Sendable {
    public let language: ReportLanguage
    public init(_ language: ReportLanguage) { self.language = language }

    static let table: [String: (zh: String, en: String)] = [
        "title": ("再生水农田灌溉分区与灌溉年限评估报告", "Reclaimed-water irrigation zoning and irrigation-years assessment"),
        "map": ("分区图", "Zone map"),
        "since_last_run": ("与上次评估相比", "Since the last run"),
        "since_none": ("与上次评估（{run}）相比，没有地块的分区、灌溉年限档次或复核状态发生变化。", "Since the last run ({run}), no parcel changed zone, irrigation years band or review status."),
        "since_summary": ("上次评估：{run}（%d 个地块）。分区变化 %d 个，灌溉年限档次变化 %d 个，复核状态变化 %d 个，新增 %d 个，不再出现 %d 个。",
                          "Last run: {run} (%d parcels). Zone changed for %d parcels, irrigation years band for %d, review status for %d; %d new, %d gone."),
        "since_transitions": ("分区变化（行：上次；列：本次）", "Zone changes (rows: last run; columns: this run)"),
        "since_list": ("变化的地块（前 %d 个）", "Parcels that changed (first %d)"),
        "since_hint": ("完整清单（含原因）：irrizone diff 上次输出目录 本次输出目录 --out 目录 → changes.csv", "The full list with reasons: irrizone diff OLD NEW --out DIR → changes.csv"),
        "not_in_run": ("（无）", "(none)"), "change": ("变化", "change"), "old_zone": ("上次分区", "last zone"), "new_zone": ("本次分区", "zone now"),
        "old_band": ("上次灌溉年限档", "last years band"), "new_band": ("本次灌溉年限档", "years band now"),
        "suitable": ("适宜区", "suitable"), "restricted": ("限制区", "restricted"), "prohibited": ("禁止区", "prohibited"),
        "review_outline": ("需土壤或地下水复核的地块", "parcels under soil or groundwater review"),
        "review_dot": ("需复核的地块（点）", "parcels under review (dots)"),
        "source": ("再生水厂", "reclaimed-water plant"), "source_failing": ("水质不达标的再生水厂", "plant failing its standard"),
        "well": ("地下水监测井", "groundwater well"), "exclusion": ("禁止区域（如饮用水水源保护区）", "exclusion area (e.g. drinking-water protection zone)"),
        "crs_note": ("坐标：WGS 84 经纬度，按中心纬度等距圆柱投影绘制；输入坐标系：", "Coordinates: WGS 84 lon/lat drawn in an equirectangular projection at the centre latitude; input CRS: "),
        "drawn_parcels": ("地块逐个绘制", "Every parcel drawn"),
        "drawn_picture": ("地块数超过 %d、分区边界顶点超过 %d，分区绘制为图片：每个像素取落在其中的地块中最严格的分区；复核地块以点表示（最多 %d 个）",
                          "More than %d parcels and %d vertices of zone outlines: zones drawn as a picture, each pixel the strictest zone of its parcels; parcels under review as dots (up to %d)"),
        "drawn_zones": ("地块数超过 %d，绘制合并后的分区，复核地块以点表示（最多 %d 个）", "More than %d parcels: dissolved zones drawn, parcels under review as dots (up to %d)"),
        "headline": ("主要结果", "Headline figures"),
        "parcels": ("地块数", "parcels"), "area_ha": ("面积（公顷）", "area (ha)"), "area_mu": ("面积（亩）", "area (mu)"),
        "by_zone": ("按分区", "By zone"), "by_class": ("按作物类别", "By crop class"), "zone": ("分区", "zone"), "crop_class": ("作物类别", "crop class"),
        "review_by_reason": ("需复核地块（按原因）", "Parcels under review, by reason"), "reason": ("原因", "reason"),
        "shortest_years": ("最短灌溉年限", "Shortest allowed irrigation years"), "years": ("年", "years"),
        "where": ("地块", "parcels"), "element": ("限制元素", "limiting element"),
        "sources_failing": ("不达标水源及须停止供水的地块", "Sources failing and the parcels whose supply must be suspended"),
        "none": ("无", "none"), "status": ("状态", "status"), "suspend": ("停止供水", "suspend supply"),
        "volume": ("再生水农田灌溉用量与目标对比", "Reclaimed water used for farmland irrigation against targets"),
        "admin_unit": ("行政单元", "administrative unit"), "volume_10k": ("用量（万立方米/年）", "volume (10⁴ m³/yr)"),
        "total": ("合计", "total"), "target": ("目标", "target"), "met": ("已达到", "met"), "not_met": ("未达到", "not met"),
        "review_list": ("复核清单", "Review list"), "parcel": ("地块", "parcel"), "crop": ("作物", "crop"), "reasons": ("原因", "reasons"),
        "key_values": ("关键数值", "key values"), "evidence": ("证据", "evidence"),
        "review_cap": ("（仅列出前 %d 条，完整清单见 review.csv）", "(first %d shown; the full list is in review.csv)"),
        "compliance": ("水源水质达标情况（按作物类别）", "Source compliance per crop class"), "failing_parameters": ("超标项目", "failing parameters"),
        "standards": ("采用的标准限值", "Standards in effect"), "unverified": ("未核实", "unverified"), "confidence": ("可信度", "confidence"),
        "parameter": ("项目", "parameter"), "column": ("列", "column"), "limit": ("限值", "limit"), "unit": ("单位", "unit"), "standard": ("标准", "standard"),
        "sources_cited": ("来源", "source"),
        "data_quality": ("数据质量", "Data quality"), "rejected": ("未纳入评估的记录", "Rows and features not assessed"), "file": ("文件", "file"),
        "code": ("代码", "code"), "count": ("数量", "count"), "coverage": ("数据覆盖", "Data coverage"),
        "soil_measured": ("有实测土壤样品的地块", "parcels with a soil sample inside"), "soil_estimated": ("土壤数据取自邻近样品", "soil estimated from a neighbour"),
        "soil_none": ("无土壤数据", "no soil data"), "with_well": ("半径内有监测井", "with a well within the radius"),
        "provenance": ("数据来源与模型", "Provenance"), "tool": ("工具", "tool"), "generated": ("生成时间", "generated"), "inputs": ("输入文件", "inputs"),
        "size": ("大小（字节）", "size (bytes)"), "model": ("模型与参数", "model and parameters"), "warnings": ("提示", "warnings"),
        "year": ("评估年份", "assessment year"), "sort_hint": ("点击表头排序", "click a column header to sort"),
        "fiber_industrial": ("纤维及工业原料作物", "fibre and industrial crops"), "feed_forage": ("饲草饲料作物", "feed and forage"),
        "dryland_grain_oil": ("旱地粮油作物", "dryland grain and oil crops"), "paddy": ("水田作物", "paddy"),
        "vegetable_cooked": ("蔬菜（熟食）", "vegetables (cooked)"), "vegetable_raw": ("生食蔬菜、瓜果", "raw-eaten vegetables, melons"),
        "fruit": ("果树", "fruit trees"), "landscape_forest": ("林地、绿化、苗圃", "forest, landscaping, nurseries"), "unknown": ("未知作物", "unknown crop"),
        "pass": ("达标", "pass"), "fail": ("不达标", "fail"), "indeterminate": ("无法判定", "indeterminate"), "no_data": ("无数据", "no data"),
        "incomplete": ("必测项目不全", "incomplete"),
        "evidence_title": ("评估依据（必测项目）", "Evidence behind the verdicts"), "samples_in_year": ("评估年样品数", "samples in the year"),
        "required_measured": ("已测必测项目", "required items measured"), "required_missing": ("缺测必测项目", "required items missing"),
        "uses": ("各用途达标情况", "status by use"),
        "use_farmland": ("农田灌溉", "farmland"), "use_green_space": ("绿地灌溉", "green space"), "use_landscape": ("景观环境", "landscape water"), "use_industry": ("工业", "industry"),
        "use_municipal": ("市政杂用", "municipal"), "use_ecological": ("生态补水", "ecological"), "use_other": ("其他", "other"),
        "not_judged": ("未判定（无标准）", "not judged (no standard)"),
        "methods": ("灌溉方式（按分区和作物类别）", "Irrigation methods by zone and crop class"),
        "method_recommended": ("推荐灌溉方式（地块数）", "recommended method (parcels)"),
        "method_not_allowed": ("现用方式不允许的地块", "parcels whose method today is not allowed"),
        "assumed_units": ("未注明单位、按标准单位读取的列", "columns without a unit, read in the canonical unit"),
    ]

    /// What a code means, in the report's language.
    public subscript<Code: OutputCode>(_ code: Code) -> String { language == .zh ? code.meaning.zh : code.meaning.en }

    public subscript(_ key: String) -> String {
        guard let entry = Self.table[key] else { return key }
        return language == .zh ? entry.zh : entry.en
    }
}
