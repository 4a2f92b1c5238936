# Builds pid1 and conman-repl and runs pid1 as the container's init.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# The sandbox helper is a C program linked statically against musl: its
# start-up, paid at every run, is cheaper than glibc's.
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools && rm -rf /var/lib/apt/lists/*
COPY . .
# docker build --build-arg TAGS=gcs . adds gs:// storage (about 15 MiB more memory).
ARG TAGS=
RUN CGO_ENABLED=0 go build -tags "$TAGS" -trimpath -ldflags="-s -w" -o /out/pid1 ./pid1 \
 && musl-gcc -static -O2 -s -DP1_STANDALONE -o /out/pid1-sandbox-helper sandbox/cmd/pid1-sandbox-helper/*.c \
 && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/conman-repl ./conman-repl
# The lsp service's language server for Go.
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath golang.org/x/tools/gopls@v0.23.0

FROM debian:bookworm-slim
# A development container: a shell, the basics services run, the languages
# run2 and interp2 support (python3, nodejs, C with make; Go comes from the
# build stage), their package managers for packager2 and packager3 (npm;
# pip into a virtual environment made with python3-venv), the lsp
# service's language servers (pylsp with pyflakes, clangd; gopls comes from
# the build stage, typescript-language-server from npm), and the
# toolchains of the sandbox's runners (runners/).
RUN apt-get update && apt-get install -y --no-install-recommends \
      bash ca-certificates git procps \
      python3 nodejs gcc libc6-dev make \
      npm python3-venv python3-pip \
      g++ zsh perl ruby lua5.4 php-cli rustc default-jdk-headless \
      asymptote dvisvgm ghostscript \
      python3-pylsp python3-pyflakes clangd \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g --no-audit --no-fund typescript-language-server@5.3.0 typescript@5.9.3 \
 && useradd --create-home --shell /bin/bash runner
COPY --from=build /usr/local/go /usr/local/go
# The go runner builds against this warm cache (through an overlay).
RUN CGO_ENABLED=0 GOCACHE=/var/cache/pid1/go-build GOFLAGS= GOTOOLCHAIN=local /usr/local/go/bin/go build std
# pid1-sandbox-helper beside pid1: the sandbox's helper, in C, which
# starts far faster than pid1's own binary.
COPY --from=build /out/pid1 /out/pid1-sandbox-helper /out/conman-repl /out/gopls /usr/local/bin/
# pid1 runs as root and runs its users' programs as runner (-run-as's
# default), which cannot read pid1's state (root's, 0700: the token
# signing key), environment or memory, nor signal it.
WORKDIR /home/runner
RUN install -d -o runner -g runner /home/runner/workspace
ENV SHELL=/bin/bash \
    PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PID1_LISTEN=0.0.0.0:8283 \
    PID1_WORKSPACE=/home/runner/workspace \
    PID1_STATE_DIR=/var/lib/pid1 \
    PID1_RESTORE=true
EXPOSE 8283
STOPSIGNAL SIGTERM
# pid1 health asks the pid1 on PID1_LISTEN, whatever port it is set to.
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/local/bin/pid1", "health"]
# pid1 is PID 1: it reaps zombies and forwards signals itself. At start it
# prints a URL with a 24-hour token (docker logs shows it again); for
# another, `docker exec CONTAINER pid1 token -url`.
ENTRYPOINT ["/usr/local/bin/pid1"]
