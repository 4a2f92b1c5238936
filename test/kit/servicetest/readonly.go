package servicetest

import (
	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// ReadOnlyRefusal is the error text the hub sends a read-only session for
// cmd on a channel of service.
func ReadOnlyRefusal(cmd *api.Command, service string) string {
	return services.ReadOnly(services.BodyName(cmd) + " on " + service).Error()
}
