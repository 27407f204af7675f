# sio in a container: a static binary on an empty image, with the CA
# certificates for wss:// and https:// servers.
#
#   docker build -t sio --build-arg VERSION=v1.2.3 .
#   docker run --rm -it --network host sio localhost:3000
FROM golang:1.26 AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/siocli/sio/cmd.version=${VERSION}" -o /sio .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /sio /sio
ENTRYPOINT ["/sio"]
