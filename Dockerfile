# syntax=docker/dockerfile:1
# careergraph as a static, non-root image. Not built on the project machines (no Docker
# there); see README "Deployment files".

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (modernc SQLite, lib/pq): no cgo, so the binary runs on an image without libc.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/careergraph . \
 && mkdir -p /out/data

# distroless/static: CA certificates and time zones, no shell, user "nonroot" (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/careergraph /usr/local/bin/careergraph
# Where the embedded SQLite default lives when no DATABASE_URL is given.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
USER 65532:65532
ENV PORT=8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/careergraph"]
