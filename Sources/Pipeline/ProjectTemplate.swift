/// The commented project file `irrizone init` writes: every key, with its default.
/// 项目配置模板：列出全部输入、字段映射与参数及其默认值。
public enum ProjectTemplate {
    public static let text = """
    # irrizone project file / 项目配置文件
    # Paths are relative to this file. 路径相对于本文件所在目录。
    # Run / 运行:  irrizone assess --project project.yaml

    parcels:                       # 地块图层 (Shapefile, GeoPackage, GeoJSON, .zip …)
      path: parcels.shp
      # layer: DLTB                # 多图层数据源时指定图层 / layer of a multi-layer source
      # encoding: GBK              # 无 .cpg 的 GBK 数据 / text encoding when the file declares none
      # assume_crs: EPSG:4547      # 无 .prj 时的坐标系 / CRS when the layer has none
      # open_options: {LIST_ALL_TABLES: "YES"}  # GDAL 驱动打开选项 / GDAL's -oo
      # where: "DLMC IN ('水浇地', '旱地')"      # 只读满足条件的要素 / GDAL's -where
      fields:                      # 字段映射（省略则按别名自动识别）/ field mapping (else found by alias)
        parcel_id: DKBM            # 地块编码
        crop: ZZZW                 # 种植作物
        land_use_code: DLBM        # 地类编码（三调）
        land_use_name: DLMC        # 地类名称
        soil_ph: TRPH              # 土壤pH
        source_id: SYDM            # 水源编码
        admin_unit: XZQMC          # 行政单元
    output: out                    # 输出目录 / output folder
    # gdal_config: {PG_USE_COPY: "NO"}   # GDAL 配置项 / GDAL's --config KEY VALUE
    # db: runs.gpkg                  # 每次运行同时写入数据库（GeoPackage 或 PG:"service=…"）/ also write each run into a database (--db)
    # workspace: survey.gpkg         # 调查工作库：load 写入，assess 读取 / the survey workspace (load, --workspace)

    # 监测数据 / monitoring data: a path, a mapping, or a list of them
    # sources: sources.csv           # 再生水厂: source_id, name, lon/lat, industrial_inflow, uses, treatment
    # water:                         # 水质: sample_id, source_id, date, values
    #   - path: water_samples.csv
    #     detection_limits: {hg: 0.00004}   # 未检出的方法检出限 (mg/L)
    #     units: {cd: ug/L}                 # 表头无单位时 / unit when the header has none (else the canonical unit, announced)
    #     species: as_n                     # “硝酸盐”“氨”按氮计 as_n，或按离子计 as_ion
    #     columns: {样品编号: sample_id}      # 表头 → 角色或参数[:单位] / header → role or parameter[:unit]
    #     constants: {source_id: ZS01}      # 单站点文件 / single-site files
    # soil: soil_samples.csv          # 土壤: sample_id, lon/lat or x/y, values (mg/kg, salt g/kg)
    # wells: wells.csv                # 地下水: well_id, location, date, depth_to_water_m, values
    # irrigation: irrigation.csv      # 灌溉水量: parcel_id, year, volume_m3
    # produce: produce_samples.csv    # 农产品: sample_id, parcel_id or lon/lat, crop or food_category, date, Cd/Pb/Hg/As/Cr mg/kg 鲜重
    # service_areas: service_areas.gpkg   # 供水范围（无水源字段的地块）
    # samples_crs: EPSG:4547          # x/y 坐标系（默认与地块相同）

    linking:                       # 关联距离 / linking distances
      soil_max_distance_m: 500     # 最近土壤样品（估算）
      groundwater_radius_m: 1000   # 监测井半径
      max_outside_m: 10000         # 超出地块范围的样品被拒绝

    rules:                         # 达标与分区 / compliance and zoning
      # year: 2025                 # 评估年份（默认：最近有样品的年份）
      statistic: max               # max | p95 | mean | latest
      indeterminate_as: fail       # 检出限高于标准的未检出：fail | pass
      saline_alkali: false         # 盐碱地：全盐量 2000 mg/L
      high_fluoride: false         # 高氟区
      # required:                  # 必测项目 / evidence a verdict needs (defaults: irrizone standards)
      #   water: {add: [bod5], drop: {ascaris_eggs: "理由 / the reason"}}
      #   soil: {add: [salt]}
    units: assume                  # 无单位的列：assume 按标准单位读取并提示 | strict 拒绝
    # standards_override: [province.yaml]   # 省级标准 / province override (name, source, limits)
    # crops:                       # 扩充作物目录 / extra crop names
    #   - {names: [藜麦, quinoa], class: dryland_grain_oil}
    # exclusions:                  # 禁止区域（缓冲距离，米）/ exclusion areas with buffers
    #   - {path: protection_zone.geojson, buffer_m: 0, name: 一级保护区}

    loads:                         # 负荷 / loads
      quota_m3_per_mu: {paddy: 800, dryland_grain_oil: 300, feed_forage: 300, fiber_industrial: 300, fruit: 300, landscape_forest: 300, vegetable_cooked: 350, vegetable_raw: 350}
      non_detects: half            # 年均值中的未检出：half | zero | limit
    accumulation:                  # 土壤累积 / soil accumulation
      depth_m: 0.20                # 耕层厚度
      bulk_density_t_m3: 1.30      # 容重
      model: linear                # linear | residual
      # residual_rate: {cd: 0.9}   # 年残留率 K
      horizon_years: 20            # 预测年限
      # background_mg_kg: {cd: 0.13}        # 无土壤样品时的背景值
      # other_inputs_g_ha_yr: {cd: 1.5}     # 化肥、粪肥、大气沉降
      # cumulative_caps_kg_ha: {cd: 39}     # 累积负荷上限（如 EPA 503 CPLR）
    review:                        # 复核 / review flags
      soil_salt_classes_g_kg: [1, 2, 4, 6]  # 非盐化/轻度/中度/重度/盐土（未核实 M）
      yield_review_below_pct: 90
      shallow_water_table_m: 3
      shallow_load_kg_ha_yr: {chloride: 500, salt: 2000}   # 项目默认值，无公开来源

    targets:                       # 再生水农田灌溉目标（万立方米/年）
      - {year: 2025, volume_10k_m3: 800}
      - {year: 2027, volume_10k_m3: 900}
    report:
      lang: zh                     # zh | en
      format: geojson              # geojson | gpkg

    """
}
