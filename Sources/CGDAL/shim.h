// The C surface of GDAL/OGR/OSR (and PROJ's geodesic API and operation lookup, and SQLite's
// statements on a GeoPackage's connection) that GeoKit wraps.
// Only GeoKit imports this module; everything else sees Swift values.
#ifndef IRRIZONE_CGDAL_SHIM_H
#define IRRIZONE_CGDAL_SHIM_H

#include <stddef.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_core.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <geodesic.h>
#include <proj.h>
// SQLite, for statements on a GeoPackage dataset's own connection (GeoKit `SQLiteStatement`).
#include <sqlite3.h>

// wkbFlatten is a function-like macro, which Swift does not import.
static inline OGRwkbGeometryType irrizone_flatten(OGRwkbGeometryType type) {
    return wkbFlatten(type);
}

#endif
