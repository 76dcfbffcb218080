# The triage CLI as a container image: built on Debian 12 from this checkout, packaged as the .deb
# that tests/package/deb.sh tests, and installed into debian:12-slim, run as a non-root user.
# The machines here have no docker daemon: .ci/image-check builds this file with buildah instead.
#   docker build -t triage .
#   docker run --rm -v "$PWD:/work" triage check --werror flows/care.flow
FROM debian:12 AS build
# The build dependencies of .ci/deps (not its test tools), and dpkg-dev and file for the package's
# Depends (CPack's dpkg-shlibdeps step runs `file` on every installed file; debian:12 has neither);
# Z3 (the semantic checks of `check`) is required unless -DTRIAGE_WITH_Z3=OFF.
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config dpkg-dev file \
      libboost-dev libfmt-dev libre2-dev libutf8proc-dev libcli11-dev libsimdjson-dev libz3-dev libnats-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRIAGE_BUILD_TESTS=OFF -DTRIAGE_BUILD_EXAMPLES=OFF \
 && cmake --build build \
 && cd build && cpack -G DEB

FROM debian:12-slim
COPY --from=build /src/build/triage_*.deb /tmp/
# apt installs the runtime libraries the package depends on; graphviz (for graph --format svg and
# report) is left out to keep the image small: add it here if you need charts.
RUN apt-get update && apt-get install -y --no-install-recommends /tmp/triage_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/triage_*.deb \
 && useradd --create-home --uid 10001 triage
USER triage
WORKDIR /work
ENTRYPOINT ["triage"]
CMD ["--help"]
