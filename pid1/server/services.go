package server

import (
	"github.com/pid1/pid1/services"
	"github.com/pid1/pid1/services/chat"
	"github.com/pid1/pid1/services/presence"
)

// defaultServices is the one place that lists the services pid1 serves.
func defaultServices() *services.Registry {
	return services.NewRegistry(
		chat.Descriptor,
		presence.Descriptor,
	)
}
