// OpenSSL's message digests (libcrypto), for the SHA-256 of a run's input files: it uses the
// CPU's SHA instructions where there are some (≈ 6× GDAL's portable CPL_SHA256 here).
// Only GeoKit imports this module.
#ifndef IRRIZONE_CCRYPTO_SHIM_H
#define IRRIZONE_CCRYPTO_SHIM_H

#include <openssl/evp.h>

#endif
