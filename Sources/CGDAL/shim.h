// The C surface of GDAL/OGR/OSR (and PROJ's geodesic API) that GeoKit wraps.
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

// GDAL exports its SHA-256 (port/cpl_sha256.h) but Debian does not install the header.
// The context is passed by pointer only, so callers hand in an opaque, generously sized
// buffer (IRRIZONE_SHA256_CONTEXT_BYTES >= sizeof(CPL_SHA256Context), which is 112 in 3.6).
#define IRRIZONE_SHA256_CONTEXT_BYTES 256
void CPL_SHA256Init(void *context);
void CPL_SHA256Update(void *context, const void *data, size_t length);
void CPL_SHA256Final(void *context, GByte digest[32]);

// wkbFlatten is a function-like macro, which Swift does not import.
static inline OGRwkbGeometryType irrizone_flatten(OGRwkbGeometryType type) {
    return wkbFlatten(type);
}

#endif
