# irrizone as a container image, for the Kubernetes manifests in deploy/kubernetes/.
#   docker build -t irrizone:latest .
# Build stage: Swift on Debian 12 with GDAL's headers; the binary links the Swift runtime and
# Foundation statically, so the run stage needs only GDAL (which pulls PROJ and GEOS), OpenSSL's
# libcrypto and jemalloc.
ARG SWIFT_IMAGE=swift:6.2-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends libgdal-dev libproj-dev libgeos-dev libssl-dev libjemalloc-dev libsqlite3-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY Tests Tests
RUN swift build -c release --product irrizone --static-swift-stdlib \
 && mkdir /out && cp .build/release/irrizone /out/ && cp -R .build/release/irrizone_*.resources /out/

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgdal32 libsqlite3-0 libssl3 libjemalloc2 ca-certificates && rm -rf /var/lib/apt/lists/*
# The standards and crop catalog (resource bundle) sit next to the binary, where it looks for them.
COPY --from=build /out/ /usr/local/bin/
ENTRYPOINT []
CMD ["irrizone", "--help"]
