// GEOS's reentrant C API, for what OGR 3.6 does not expose (coverage union).
#ifndef IRRIZONE_CGEOS_SHIM_H
#define IRRIZONE_CGEOS_SHIM_H
#include <geos_c.h>
#endif
