package presence

import (
	"fmt"
	"sort"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// MaxFileName bounds the file name openFile announces (a path no longer
// than Linux's PATH_MAX), since it is kept and sent to everyone.
const MaxFileName = 4096

// Descriptor registers the service.
var Descriptor = services.Descriptor{Name: "presence", WellKnown: "presencer", New: New}

// Presence is the presence channel's state.
type Presence struct {
	ch       services.Channel
	sessions map[int32]services.Session
	opened   map[int32]*api.FileOpened // the file each session has open
	now      func() time.Time
}

var _ services.Service = (*Presence)(nil)

// New builds a presence service on ch.
func New(ch services.Channel) (services.Service, error) {
	return &Presence{
		ch:       ch,
		sessions: make(map[int32]services.Session),
		opened:   make(map[int32]*api.FileOpened),
		now:      time.Now,
	}, nil
}

func user(s services.Session) *api.User {
	return &api.User{Id: s.User.ID, Name: s.User.Name, Session: s.ID}
}

// Attach sends the roster to s and announces s to the others.
func (p *Presence) Attach(s services.Session) {
	p.sessions[s.ID] = s
	roster := &api.Roster{}
	for _, id := range p.sortedIDs() {
		roster.User = append(roster.User, user(p.sessions[id]))
		if f := p.opened[id]; f != nil {
			roster.Files = append(roster.Files, f)
		}
	}
	services.To(p.ch, s.ID, &api.Command{Body: &api.Command_Roster{Roster: roster}})
	services.Others(p.ch, s.ID, &api.Command{Body: &api.Command_Join{Join: user(s)}})
}

// Detach announces that s left.
func (p *Presence) Detach(s services.Session) {
	delete(p.sessions, s.ID)
	delete(p.opened, s.ID)
	services.Others(p.ch, s.ID, &api.Command{Body: &api.Command_Part{Part: user(s)}})
}

// Close does nothing: presence state lives only as long as the channel.

func (p *Presence) sortedIDs() []int32 {
	ids := make([]int32, 0, len(p.sessions))
	for id := range p.sessions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Command handles openFile, followUser, unfollowUser and
// updateSessionTimestamp.
func (p *Presence) Command(s services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_OpenFile:
		if n := len(b.OpenFile.GetFile()); n > MaxFileName {
			return fmt.Errorf("openFile: a file name of %d bytes is over the limit of %d", n, MaxFileName)
		}
		f := &api.FileOpened{UserId: s.User.ID, File: b.OpenFile.GetFile(), Session: s.ID,
			Timestamp: timestamppb.New(p.now())}
		p.opened[s.ID] = f
		services.Others(p.ch, s.ID, &api.Command{Body: &api.Command_FileOpened{FileOpened: f}})
	case *api.Command_FollowUser:
		target := b.FollowUser.GetSession()
		if err := p.checkTarget(s, target); err != nil {
			return err
		}
		services.To(p.ch, target, &api.Command{Body: &api.Command_FollowUser{
			FollowUser: &api.FollowUser{Session: s.ID}}})
	case *api.Command_UnfollowUser:
		target := b.UnfollowUser.GetSession()
		if err := p.checkTarget(s, target); err != nil {
			return err
		}
		services.To(p.ch, target, &api.Command{Body: &api.Command_UnfollowUser{
			UnfollowUser: &api.UnfollowUser{Session: s.ID}}})
	case *api.Command_UpdateSessionTimestamp:
		services.Broadcast(p.ch, &api.Command{Body: &api.Command_SessionTimestampUpdated{
			SessionTimestampUpdated: &api.SessionTimestampUpdated{Session: s.ID, Timestamp: timestamppb.New(p.now())}}})
	default:
		return fmt.Errorf("presence takes openFile, followUser, unfollowUser and updateSessionTimestamp, not %s",
			services.BodyName(cmd))
	}
	return nil
}

func (p *Presence) checkTarget(s services.Session, target int32) error {
	if target == s.ID {
		return fmt.Errorf("session %d cannot follow itself", target)
	}
	if _, ok := p.sessions[target]; !ok {
		return fmt.Errorf("session %d is not attached to presence", target)
	}
	return nil
}
