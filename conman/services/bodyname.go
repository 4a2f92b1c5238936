package services

import "github.com/pid1/pid1/api"

// BodyName names the body a command carries (its oneof member), for error
// messages such as "chat takes chatMessage, not exec".
func BodyName(cmd *api.Command) string {
	m := cmd.ProtoReflect()
	if fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("body")); fd != nil {
		return string(fd.Name())
	}
	return "an empty command"
}
