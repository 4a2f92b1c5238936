//go:build linux

package nsinit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The run's devices, bound from the host's /dev.
var devices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// setup builds the run's root on req.Root and moves into it: everything
// but the binds lives on two tmpfs, a small read-only one for the skeleton
// and a size-capped one for /work, /tmp and /dev/shm.
func setup(req *Request) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	root := req.Root
	if err := mount("tmpfs", root, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=4m,mode=0755"); err != nil {
		return err
	}
	for _, d := range req.System {
		if err := exposeSystem(root, d); err != nil {
			return err
		}
	}
	detach, err := setupData(root, req.Tmpfs)
	if err != nil {
		return err
	}
	if err := setupEtc(root, req.EtcDir, req.Etc, req.EtcFiles); err != nil {
		return err
	}
	if err := mkdir(root + "/proc"); err != nil {
		return err
	}
	if err := mount("proc", root+"/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return err
	}
	if err := setupDev(root); err != nil {
		return err
	}
	for _, f := range req.Files {
		if err := writeFile(root+"/work/"+f.Path, f.Data, f.Mode); err != nil {
			return err
		}
	}
	for i, b := range req.Binds {
		if err := bind(root, b, i); err != nil {
			return err
		}
	}
	if err := detach(); err != nil {
		return err
	}
	if err := pivot(root); err != nil {
		return err
	}
	if err := unix.Sethostname([]byte(req.Hostname)); err != nil {
		return fmt.Errorf("sethostname: %w", err)
	}
	if err := loopbackUp(); err != nil {
		return err
	}
	return nil
}

func mount(src, dst, fstype string, flags uintptr, data string) error {
	if err := unix.Mount(src, dst, fstype, flags, data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, dst, err)
	}
	return nil
}

func mkdir(p string) error {
	if err := os.MkdirAll(p, 0o755); err != nil {
		return fmt.Errorf("mkdir: %w", err)
	}
	return nil
}

// readOnly makes a mount (and, with rec, its submounts) read-only,
// keeping its other flags (a user namespace may not clear locked ones).
func readOnly(p string, rec bool) error {
	flags := uint(unix.AT_NO_AUTOMOUNT)
	if rec {
		flags |= unix.AT_RECURSIVE
	}
	err := unix.MountSetattr(-1, p, flags, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID})
	if err != nil {
		return fmt.Errorf("make %s read-only: %w", p, err)
	}
	return nil
}

// bindTo bind-mounts src on dst, creating dst like src (a directory or an
// empty file).
func bindTo(src, dst string, writable bool) error {
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	if st.IsDir() {
		err = mkdir(dst)
	} else {
		if err = mkdir(filepath.Dir(dst)); err == nil {
			var f *os.File
			if f, err = os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				f.Close()
			}
		}
	}
	if err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	if err := mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	if !writable {
		return readOnly(dst, true)
	}
	return nil
}

// exposeSystem puts a host system directory at the same place, read-only;
// a symlink (/bin -> usr/bin on merged-/usr systems) is copied as is.
func exposeSystem(root, p string) error {
	st, err := os.Lstat(p)
	if err != nil {
		return nil // not on this system (/lib32, ...)
	}
	if st.Mode()&os.ModeSymlink != 0 {
		return copyLink(p, root+p)
	}
	return bindTo(p, root+p, false)
}

func copyLink(src, dst string) error {
	target, err := os.Readlink(src)
	if err == nil {
		err = os.Symlink(target, dst)
	}
	if err != nil {
		return fmt.Errorf("copy symlink %s: %w", src, err)
	}
	return nil
}

// dataDir is where the size-capped tmpfs sits until detach.
const dataDir = "/.data"

// setupData mounts the size-capped tmpfs and binds its /work, /tmp and
// /dev/shm parts; detach then takes the tmpfs itself out of the tree, so
// only those parts (and overlays' upper layers) remain, sharing one cap.
func setupData(root string, size int64) (detach func() error, err error) {
	data := root + dataDir
	if err := mkdir(data); err != nil {
		return nil, err
	}
	opts := "mode=0755,size=" + strconv.FormatInt(size, 10)
	if err := mount("tmpfs", data, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return nil, err
	}
	for _, part := range []struct {
		name, at string
		mode     uint32
	}{{"work", "/work", 0o755}, {"tmp", "/tmp", 0o1777}, {"shm", "/dev/shm", 0o1777}} {
		if err := mkdir(data + "/" + part.name); err != nil {
			return nil, err
		}
		if err := unix.Chmod(data+"/"+part.name, part.mode); err != nil {
			return nil, fmt.Errorf("chmod: %w", err)
		}
		if err := mkdir(root + part.at); err != nil {
			return nil, err
		}
		if err := mount(data+"/"+part.name, root+part.at, "", unix.MS_BIND, ""); err != nil {
			return nil, err
		}
	}
	return func() error {
		if err := unix.Unmount(data, unix.MNT_DETACH); err != nil {
			return fmt.Errorf("detach data tmpfs: %w", err)
		}
		if err := os.Remove(data); err != nil {
			return fmt.Errorf("remove data mount point: %w", err)
		}
		return nil
	}, nil
}

// setupEtc binds the prepared dir read-only at /etc or, without one,
// builds /etc from the allow list and the generated files, on a tmpfs of
// its own so that one call makes it and every bind in it read-only.
func setupEtc(root, dir string, entries []string, files []File) error {
	etc := root + "/etc"
	if dir != "" {
		return bindTo(dir, etc, false)
	}
	if err := mkdir(etc); err != nil {
		return err
	}
	if err := mount("tmpfs", etc, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=1m,mode=0755"); err != nil {
		return err
	}
	for _, e := range entries {
		src, dst := "/etc/"+e, etc+"/"+e
		st, err := os.Lstat(src)
		if err != nil {
			continue
		}
		if err := mkdir(filepath.Dir(dst)); err != nil {
			return err
		}
		if st.Mode()&os.ModeSymlink != 0 {
			err = copyLink(src, dst)
		} else {
			err = bindTo(src, dst, true) // made read-only below, all at once
		}
		if err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := writeFile(etc+"/"+f.Path, f.Data, f.Mode); err != nil {
			return err
		}
	}
	return readOnly(etc, true)
}

// setupDev builds a minimal /dev on its own tmpfs.
func setupDev(root string) error {
	dev := root + "/dev"
	if err := mkdir(dev); err != nil {
		return err
	}
	// /dev is a directory of the skeleton (read-only once pivoted);
	// /dev/shm is already bound from the data tmpfs.
	for _, d := range devices {
		if err := bindTo("/dev/"+d, dev+"/"+d, true); err != nil {
			return err
		}
	}
	if err := mkdir(dev + "/pts"); err != nil {
		return err
	}
	if err := mount("devpts", dev+"/pts", "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"); err != nil {
		return err
	}
	for name, target := range map[string]string{
		"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2",
	} {
		if err := os.Symlink(target, dev+"/"+name); err != nil {
			return fmt.Errorf("symlink /dev/%s: %w", name, err)
		}
	}
	return nil
}

// writeFile creates a new file (never through a symlink), with its
// directories.
func writeFile(p string, data []byte, mode uint32) error {
	if mode == 0 {
		mode = 0o644
	}
	if err := mkdir(filepath.Dir(p)); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY|unix.O_NOFOLLOW, os.FileMode(mode&0o7777))
	if err != nil {
		return fmt.Errorf("write file: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(p, os.FileMode(mode&0o777))
	}
	if err != nil {
		return fmt.Errorf("write file: %w", err)
	}
	return nil
}

// bind mounts a caller's host path into the run; an overlay keeps its
// upper layer on the data tmpfs.
func bind(root string, b Bind, i int) error {
	if !strings.HasPrefix(b.Target, "/") {
		return fmt.Errorf("bind target %q is not absolute", b.Target)
	}
	if !b.Overlay {
		return bindTo(b.Source, root+b.Target, b.Writable)
	}
	base := root + dataDir + "/overlay-" + strconv.Itoa(i)
	upper, work := base+"/upper", base+"/work"
	for _, d := range []string{upper, work, root + b.Target} {
		if err := mkdir(d); err != nil {
			return err
		}
	}
	opts := "lowerdir=" + b.Source + ",upperdir=" + upper + ",workdir=" + work + ",userxattr"
	return mount("overlay", root+b.Target, "overlay", unix.MS_NOSUID|unix.MS_NODEV, opts)
}

// pivot makes root the root, drops the host's tree, and makes the
// skeleton (not /work, /tmp or the binds) read-only.
func pivot(root string) error {
	if err := os.Chdir(root); err != nil {
		return fmt.Errorf("chdir to root: %w", err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return fmt.Errorf("chdir /: %w", err)
	}
	return readOnly("/", false)
}

// loopbackUp brings lo up: a new network namespace starts with it down.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("get lo flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	return nil
}
