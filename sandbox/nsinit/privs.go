//go:build linux

package nsinit

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dropPrivileges makes the calling thread (and so the program it starts)
// powerless: no capabilities and no way back to them, no_new_privs, and
// the seccomp filter. Credentials are per thread in Linux; the caller
// must be locked to its thread and never give it back.
func dropPrivileges(filter []byte) error {
	// Root inside must not get capabilities back at exec.
	// NOROOT, NO_SETUID_FIXUP and their locks; lock KEEP_CAPS off.
	const bits = 1<<0 | 1<<1 | 1<<2 | 1<<3 | 1<<5
	if err := unix.Prctl(unix.PR_SET_SECUREBITS, bits, 0, 0, 0); err != nil {
		return fmt.Errorf("set securebits: %w", err)
	}
	for c := 0; ; c++ {
		err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
		if errors.Is(err, unix.EINVAL) {
			break // past the last capability
		}
		if err != nil {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	if len(filter) > 0 {
		if err := loadSeccomp(filter); err != nil {
			return err
		}
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("drop capabilities: %w", err)
	}
	return nil
}

// loadSeccomp installs a raw filter on the calling thread only.
func loadSeccomp(filter []byte) error {
	const insnSize = 8 // struct sock_filter
	if len(filter)%insnSize != 0 || len(filter)/insnSize > 0xffff {
		return errors.New("seccomp filter has a bad size")
	}
	prog := unix.SockFprog{Len: uint16(len(filter) / insnSize), Filter: (*unix.SockFilter)(unsafe.Pointer(&filter[0]))}
	_, _, errno := syscall.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return fmt.Errorf("load seccomp filter: %w", errno)
	}
	return nil
}
