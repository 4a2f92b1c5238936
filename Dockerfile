# Builds pid1 and conman-repl and runs pid1 as the container's init.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# docker build --build-arg TAGS=gcs . adds gs:// storage (about 15 MiB more memory).
ARG TAGS=
RUN CGO_ENABLED=0 go build -tags "$TAGS" -trimpath -ldflags="-s -w" -o /out/pid1 ./pid1 \
 && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/conman-repl ./conman-repl

FROM debian:bookworm-slim
# A development container: a shell, the basics services run, and the
# languages run2 and interp2 support (python3, nodejs, C with make; Go
# comes from the build stage).
RUN apt-get update && apt-get install -y --no-install-recommends \
      bash ca-certificates git procps \
      python3 nodejs gcc libc6-dev make \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --shell /bin/bash runner
COPY --from=build /usr/local/go /usr/local/go
COPY --from=build /out/pid1 /out/conman-repl /usr/local/bin/
USER runner
WORKDIR /home/runner
ENV SHELL=/bin/bash \
    PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PID1_LISTEN=0.0.0.0:8283 \
    PID1_WORKSPACE=/home/runner/workspace \
    PID1_STATE_DIR=/home/runner/.local/state/pid1 \
    PID1_PRINT_URL=false \
    PID1_RESTORE=true
EXPOSE 8283
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8283 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
# pid1 is PID 1: it reaps zombies and forwards signals itself.
ENTRYPOINT ["/usr/local/bin/pid1"]
