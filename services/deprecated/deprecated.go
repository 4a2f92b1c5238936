// Package deprecated answers the services goval has retired (eval, run,
// interp, packager, format, lint, unittest) with what replaces each, so a
// client still asking for one learns where to go instead of meeting an
// unknown service. The channel opens (refusing it would tear a crosis
// client down); the session is told on attach, and every command gets the
// same answer.
package deprecated

import (
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// Replacements maps each retired service to the one that does its work.
var Replacements = map[string]string{
	"eval":     "interp2",
	"run":      "run2",
	"interp":   "interp2",
	"packager": "packager3",
	"format":   "lsp",
	"lint":     "lsp",
	"unittest": "run2",
}

// Descriptors registers every retired service.
func Descriptors() []services.Descriptor {
	var ds []services.Descriptor
	for name, use := range Replacements {
		msg := fmt.Sprintf("%s is deprecated, use %s", name, use)
		ds = append(ds, services.Descriptor{Name: name, New: func(ch services.Channel) (services.Service, error) {
			return retired{ch: ch, msg: msg}, nil
		}})
	}
	return ds
}

type retired struct {
	ch  services.Channel
	msg string
}

func (r retired) Attach(s services.Session) { services.To(r.ch, s.ID, services.ErrorCommand(r.msg)) }

func (r retired) Command(services.Session, *api.Command) error {
	return &services.Error{Kind: services.KindNotFound, Msg: r.msg}
}
