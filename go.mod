module github.com/pid1/pid1

go 1.26

tool google.golang.org/protobuf/cmd/protoc-gen-go

require (
	github.com/coder/websocket v1.8.15 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
