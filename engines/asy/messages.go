package asy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// The bodies of the client's messages. Pointers tell a field left out
// from one given as its zero value; null is left out.
type (
	inputBody struct {
		Filename *string `json:"filename"`
		Hash     *string `json:"hash"`
		Restore  *bool   `json:"restore"`
		Stream   *string `json:"stream"`
	}
	optionsBody struct {
		Duration    *float64 `json:"duration"`
		Format      *string  `json:"format"`
		StderrRedir *bool    `json:"stderrRedir"`
		Verbosity   *int     `json:"verbosity"`
	}
	startBody struct {
		Main *string `json:"main"`
	}
)

// decodeBody decodes a message's JSON object, refusing fields the
// message does not have.
func decodeBody(f frame, v any) error {
	d := json.NewDecoder(bytes.NewReader(f.body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field == "":
			return fmt.Errorf("%s: its body must be a JSON object", f.verb)
		case errors.As(err, &te):
			return fmt.Errorf("%s: %q must be %s, not %s", f.verb, te.Field, jsonType(te.Type.String()), te.Value)
		}
		return fmt.Errorf("%s: %s", f.verb, strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("%s: data after its JSON", f.verb)
	}
	return nil
}

func jsonType(goType string) string {
	switch goType {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "float64":
		return "a number"
	case "int":
		return "an integer"
	}
	return goType
}

// maxName is the longest file name.
const maxName = 255

// CheckFileName says what is wrong with an input's file name: it must
// be a plain name ending in .asy (not hidden, not an option).
func CheckFileName(name string) error {
	switch {
	case len(name) <= len(".asy") || !strings.HasSuffix(name, ".asy"):
		return fmt.Errorf("file name %q must end with .asy", name)
	case len(name) > maxName:
		return fmt.Errorf("file name %.20q… is over %d bytes", name, maxName)
	case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "-"):
		return fmt.Errorf("file name %q may not start with . or -", name)
	}
	for _, r := range name {
		if r == '/' || r == '\\' || r < ' ' || r == 0x7f || r == '\uFFFD' {
			return fmt.Errorf("file name %q must be a plain name (no slashes or control characters)", name)
		}
	}
	return nil
}

// The durations a client may ask for, in seconds.
var durations = []float64{3, 10, 30}

// apply sets the options a message gives on o. Interactive sessions may
// not set a duration.
func (b optionsBody) apply(o *Options, interactive bool) error {
	if b.Duration != nil {
		if interactive {
			return errors.New("options: an interactive session has no duration")
		}
		d := *b.Duration
		if !slices.Contains(durations, d) {
			return fmt.Errorf("options: duration must be 3, 10 or 30 (seconds), not %v", d)
		}
		o.Duration = time.Duration(d * float64(time.Second))
	}
	if b.Format != nil {
		o.Format = *b.Format
	}
	if b.StderrRedir != nil {
		o.StderrRedir = *b.StderrRedir
	}
	if b.Verbosity != nil {
		o.Verbosity = *b.Verbosity
	}
	if err := o.Check(interactive); err != nil {
		return fmt.Errorf("options: %w", err)
	}
	return nil
}

// Check says what is wrong with o: a format asy cannot write, a duration
// that is not a class's (or any, for an interactive task), a verbosity
// out of range.
func (o Options) Check(interactive bool) error {
	if !slices.Contains(formats, o.Format) {
		return fmt.Errorf("format must be svg, pdf or png, not %q", o.Format)
	}
	if _, ok := classOf(o.Duration); o.Duration != 0 && !ok {
		return fmt.Errorf("duration must be 3, 10 or 30 (seconds), not %v", o.Duration.Seconds())
	}
	if interactive && o.Duration != 0 {
		return errors.New("an interactive session has no duration")
	}
	if o.Verbosity < 0 || o.Verbosity > 3 {
		return fmt.Errorf("verbosity must be 0 to 3, not %d", o.Verbosity)
	}
	return nil
}

// lowering reads a stage-2 options message: only a duration, a
// positive number of seconds.
func (b optionsBody) lowering() (time.Duration, error) {
	if b.Format != nil || b.StderrRedir != nil || b.Verbosity != nil || b.Duration == nil {
		return 0, errors.New("options: after start, only the duration may change")
	}
	d := *b.Duration
	if math.IsNaN(d) || d <= 0 || d > 3600 {
		return 0, fmt.Errorf("options: duration must be a positive number of seconds, not %v", d)
	}
	return time.Duration(d * float64(time.Second)), nil
}
