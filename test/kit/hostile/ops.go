package hostile

import "github.com/pid1/pid1/api"

// Op builds a request that applies one operation to a path.
type Op func(p string) *api.Command

func file(p string) *api.File { return &api.File{Path: p} }

// FileOps are the operations of the files service. "move to" moves the
// file "victim", which the test creates, onto the path.
var FileOps = map[string]Op{
	"read": func(p string) *api.Command { return &api.Command{Body: &api.Command_Read{Read: file(p)}} },
	"write": func(p string) *api.Command {
		return &api.Command{Body: &api.Command_Write{Write: &api.File{Path: p, Content: []byte("pwned")}}}
	},
	"remove":    func(p string) *api.Command { return &api.Command{Body: &api.Command_Remove{Remove: file(p)}} },
	"tryRemove": func(p string) *api.Command { return &api.Command{Body: &api.Command_TryRemove{TryRemove: file(p)}} },
	"mkdir":     func(p string) *api.Command { return &api.Command{Body: &api.Command_Mkdir{Mkdir: file(p)}} },
	"readdir":   func(p string) *api.Command { return &api.Command{Body: &api.Command_Readdir{Readdir: file(p)}} },
	"stat":      func(p string) *api.Command { return &api.Command{Body: &api.Command_Stat{Stat: file(p)}} },
	"move from": func(p string) *api.Command {
		return &api.Command{Body: &api.Command_Move{Move: &api.Move{OldPath: p, NewPath: "moved-here"}}}
	},
	"move to": func(p string) *api.Command {
		return &api.Command{Body: &api.Command_Move{Move: &api.Move{OldPath: "victim", NewPath: p}}}
	},
	"transferStart": func(p string) *api.Command {
		return &api.Command{Body: &api.Command_TransferStart{TransferStart: &api.TransferStart{Path: p}}}
	},
}

// PersistOps are the operations gcsfiles adds.
var PersistOps = map[string]Op{
	"persist": func(p string) *api.Command { return &api.Command{Body: &api.Command_Persist{Persist: file(p)}} },
	"persistMirror": func(p string) *api.Command {
		return &api.Command{Body: &api.Command_PersistMirror{PersistMirror: file(p)}}
	},
}

// ActsOnLink reports whether op may succeed on p because it removes or
// renames one of the fixture's links itself, leaving its target alone.
func ActsOnLink(op, p string) bool {
	switch op {
	case "remove", "tryRemove", "move from", "move to":
		return IsLink(p)
	}
	return false
}
