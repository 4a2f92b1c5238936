package main

import "os/user"

// defaultUser names the local user for tokens minted without -user.
func defaultUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "developer"
}
