"""The geopandas peer for irrizone's benchmark (issue #7).

What an analyst would script with geopandas, shapely 2 and pyogrio to do the core of
`irrizone assess` on a synthetic project (`irrizone synth`):

  1. read the parcel shapefile (GBK text, EPSG:4547);
  2. nearest-join soil samples within 500 m;
  3. per-source annual means of the water samples (non-detects at half the detection limit);
  4. loads (volume × concentration) and years until the soil reaches its GB 15618 screening value;
  5. zone by crop class (a source that fails its column's limits prohibits its parcels, soil above
     screening restricts them);
  6. dissolve by zone and crop class;
  7. write parcels and zones as RFC 7946 GeoJSON.

It reads the same catalogs as irrizone (crops.json, standards.json) so the work is comparable; it
is not a second implementation of every rule (no findings, wells, salinity or report). Prints one
JSON object with phase timings in seconds.

    python3 peer.py PROJECT_DIR OUT_DIR
"""
import json
import os
import re
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "..", "Sources", "IrrigationModel", "Resources")
ELEMENTS = ["cd", "hg", "as", "pb", "cr", "cu", "ni", "zn"]
WATER_COLUMNS = {"cd": "总镉(mg/L)", "hg": "总汞(mg/L)", "as": "总砷(mg/L)", "pb": "总铅(mg/L)",
                 "cu": "总铜(mg/L)", "zn": "总锌(mg/L)", "ni": "总镍(mg/L)", "cr": "六价铬(mg/L)"}
SOIL_MASS_KG_HA = 0.20 * 10_000 * 1300  # 20 cm plough layer × 1.30 t/m³: irrizone's defaults (AccumulationOptions)
QUOTA_M3_HA = 300 * 15                  # 300 m³/mu: irrizone's dryland quota (GB 5084-92, standards.md §1)


def censored(value):
    """'0.001L', '<0.01', 'ND', '未检出' → half the limit (or 0 when no limit is given)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    text = str(value).strip()
    m = re.fullmatch(r"[<＜]\s*([0-9.]+)|([0-9.]+)\s*L", text)
    if m:
        return float(m.group(1) or m.group(2)) / 2
    if text in ("ND", "未检出", "-"):
        return 0.0
    try:
        return float(text)
    except ValueError:
        return np.nan


def main(project, out):
    os.makedirs(out, exist_ok=True)
    t = {}
    clock = time.perf_counter()

    def phase(name):
        nonlocal clock
        now = time.perf_counter()
        t[name] = round(now - clock, 3)
        clock = now

    crops = json.load(open(os.path.join(RESOURCES, "crops.json"), encoding="utf-8"))
    standards = json.load(open(os.path.join(RESOURCES, "standards.json"), encoding="utf-8"))

    # 1. Parcels.
    parcels = pyogrio.read_dataframe(os.path.join(project, "parcels.shp"), encoding="GBK")
    parcels = parcels[parcels.geometry.notna()].copy()
    parcels["geometry"] = shapely.make_valid(parcels.geometry.values)
    parcels["area_ha"] = parcels.geometry.area / 10_000
    phase("read_parcels")

    # 2. Soil samples, nearest within 500 m.
    soil = pd.read_csv(os.path.join(project, "soil_samples.csv"), encoding="utf-8-sig")
    for e in ELEMENTS:
        soil[e] = soil[f"{e.capitalize()}_mg_kg"].map(censored)
    soil = gpd.GeoDataFrame(soil, geometry=gpd.points_from_xy(soil.lon, soil.lat), crs=4326).to_crs(parcels.crs)
    joined = gpd.sjoin_nearest(parcels[["DKBM", "geometry"]], soil[["sample_id", "pH"] + ELEMENTS + ["geometry"]],
                               max_distance=500, distance_col="soil_distance_m")
    joined = joined[~joined.index.duplicated(keep="first")]
    parcels = parcels.join(joined[["sample_id", "soil_distance_m", "pH"] + ELEMENTS])
    phase("join_soil")

    # 3. Per-source annual means.
    water = pd.read_csv(os.path.join(project, "water_samples.csv"), encoding="GBK")
    water["year"] = pd.to_datetime(water["采样日期"], format="%Y/%m/%d").dt.year
    for e, column in WATER_COLUMNS.items():
        water[e] = water[column].map(censored)
    year = int(water["year"].max())
    means = water[water.year == year].groupby("水源编码")[ELEMENTS].mean()
    maxima = water[water.year == year].groupby("水源编码")[ELEMENTS].max()
    phase("source_means")

    # 4. Loads and years to screening.
    irrigation = pd.read_csv(os.path.join(project, "irrigation.csv"), dtype={"parcel_id": str})
    latest = irrigation.sort_values("year").groupby("parcel_id").tail(1).set_index("parcel_id")["volume_m3"]
    parcels["volume_m3_ha"] = (parcels["DKBM"].map(latest) / parcels["area_ha"]).fillna(QUOTA_M3_HA)
    screening = {s["parameter"]: s["values"][3] for s in standards["soil"]["screening"] if s["land_use"] in ("other", "all")}  # pH > 7.5
    years = []
    for e in ELEMENTS:
        concentration = parcels["SYDM"].map(means[e])                     # mg/L
        load = parcels["volume_m3_ha"] * concentration                     # g/ha·yr
        parcels[f"load_{e}_g_ha_yr"] = load
        room = (screening[e] - parcels[e]) * SOIL_MASS_KG_HA / 1000        # g/ha
        parcels[f"years_to_screening_{e}"] = np.where(load > 0, room / load, np.nan)
        years.append(parcels[f"years_to_screening_{e}"])
    parcels["irrigation_years_limit"] = pd.concat(years, axis=1).min(axis=1)
    phase("loads")

    # 5. Zones by crop class.
    by_name = {name: c["class"] for c in crops["crops"] for name in c["names"]}
    def crop_class(row):
        if isinstance(row.ZZZW, str) and row.ZZZW:
            return by_name.get(row.ZZZW, "unknown")
        for entry in crops["land_use_codes"]:
            if str(row.DLBM).startswith(entry["prefix"]):
                return entry["class"]
        return "unknown"
    parcels["crop_class"] = [crop_class(r) for r in parcels[["ZZZW", "DLBM"]].itertuples()]
    gb5084 = next(s for s in standards["water_standards"] if s["id"].startswith("GB5084"))
    dryland = gb5084["columns"].index("dryland")
    limits = {}
    for row in gb5084["limits"]:
        if row["parameter"] in ELEMENTS and row.get("max") is not None:
            limits[row["parameter"]] = row["max"][dryland] if isinstance(row["max"], list) else row["max"]
    source_fails = {source: any(row[e] > limit for e, limit in limits.items() if not np.isnan(row[e]))
                    for source, row in maxima.iterrows()}
    soil_above = np.zeros(len(parcels), dtype=bool)
    for e in ELEMENTS:
        soil_above |= (parcels[e] > screening[e]).fillna(False).to_numpy()
    parcels["zone"] = np.where(parcels["SYDM"].map(source_fails).fillna(False).astype(bool), "prohibited",
                               np.where(soil_above | (parcels["crop_class"] == "unknown"), "restricted", "suitable"))
    phase("zone")

    # 6. Dissolve by zone and crop class.
    zones = parcels[["zone", "crop_class", "area_ha", "geometry"]].dissolve(by=["zone", "crop_class"], aggfunc={"area_ha": "sum"}).reset_index()
    phase("dissolve")

    # 7. RFC 7946 GeoJSON.
    parcels.to_crs(4326).to_file(os.path.join(out, "parcels.geojson"), driver="GeoJSON", engine="pyogrio",
                                 layer_options={"RFC7946": "YES"})
    phase("write_parcels_geojson")
    zones.to_crs(4326).to_file(os.path.join(out, "zones.geojson"), driver="GeoJSON", engine="pyogrio",
                               layer_options={"RFC7946": "YES"})
    phase("write_zones_geojson")
    t["total"] = round(sum(v for k, v in t.items()), 3)
    print(json.dumps({"parcels": int(len(parcels)), "zones": int(len(zones)), "timings_seconds": t}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
