//go:build linux

package cli

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"
)

// nsCred is who a command runs as in the namespace (--user).
type nsCred struct {
	Uid, Gid uint32
	Groups   []uint32 // supplementary groups
	Name     string   // login name, if the user has one
	Home     string   // home directory, if the user has one
}

// parseUser resolves --user USER[:GROUP]: a name or a numeric id for each.
// A named user gets its passwd group and its supplementary groups, as a
// login would (initgroups); GROUP replaces the group, not the supplementary
// ones. A numeric uid with no passwd entry needs no entry: its group is
// GROUP, or the same number.
func parseUser(spec string) (*nsCred, error) {
	name, group, hasGroup := strings.Cut(spec, ":")
	if name == "" || hasGroup && group == "" {
		return nil, badFlag("user", spec, "want USER or USER:GROUP")
	}
	c := &nsCred{}
	u, err := user.Lookup(name)
	if err != nil {
		if id, perr := strconv.ParseUint(name, 10, 32); perr == nil {
			u, err = user.LookupId(name)
			if err != nil {
				c.Uid, c.Gid = uint32(id), uint32(id)
			}
		} else {
			return nil, badFlag("user", spec, "no such user")
		}
	}
	if u != nil {
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		c.Uid, c.Gid, c.Name, c.Home = uint32(uid), uint32(gid), u.Username, u.HomeDir
		if ids, err := u.GroupIds(); err == nil {
			for _, s := range ids {
				if g, err := strconv.ParseUint(s, 10, 32); err == nil {
					c.Groups = append(c.Groups, uint32(g))
				}
			}
		}
	}
	if hasGroup {
		g, err := user.LookupGroup(group)
		switch {
		case err == nil:
			gid, _ := strconv.ParseUint(g.Gid, 10, 32)
			c.Gid = uint32(gid)
		default:
			gid, perr := strconv.ParseUint(group, 10, 32)
			if perr != nil {
				return nil, badFlag("user", spec, fmt.Sprintf("no such group %s", group))
			}
			c.Gid = uint32(gid)
		}
	}
	return c, nil
}

// env is what a command run as c sees of it: USER, LOGNAME and HOME,
// added after env (later entries win).
func (c *nsCred) env(env []string) []string {
	if c == nil || c.Name == "" {
		return env
	}
	env = append(env, "USER="+c.Name, "LOGNAME="+c.Name)
	if c.Home != "" {
		env = append(env, "HOME="+c.Home)
	}
	return env
}
