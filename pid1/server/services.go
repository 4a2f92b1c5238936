package server

import (
	"github.com/pid1/pid1/middleware"
	"github.com/pid1/pid1/services"
	"github.com/pid1/pid1/services/chat"
	"github.com/pid1/pid1/services/presence"
)

// defaultServices is the one place that lists the services pid1 serves,
// each wrapped in the cross-cutting middleware.
func defaultServices() *services.Registry {
	ds := []services.Descriptor{
		chat.Descriptor,
		presence.Descriptor,
	}
	for i := range ds {
		ds[i].New = services.Chain(ds[i].New, middleware.Log)
	}
	return services.NewRegistry(ds...)
}
