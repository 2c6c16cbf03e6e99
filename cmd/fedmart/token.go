package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Commands that talk to a running node send a bearer token. The
// documented way to give it is --token @FILE (the file init wrote, or the
// one a merchant keeps its token in), or the FEDMART_TOKEN environment
// variable; both keep it out of the process list. A token typed inline
// still works, with a warning, since any user of the machine can read it
// with ps.

// tokenEnv is the environment variable that holds the token when
// --token is not given (the token itself, or @FILE).
const tokenEnv = "FEDMART_TOKEN"

// nodeClient is how a command reaches a running node's API: --api and
// the token.
type nodeClient struct {
	api   string
	token string // the --token flag as given
	// bearer is the resolved token, once resolve has run.
	bearer string
}

// flags adds --api and --token (whose token, such as "operator") to cmd,
// as persistent flags when its subcommands share them.
func (c *nodeClient) flags(cmd *cobra.Command, whose string, persistent bool) {
	f := cmd.Flags()
	if persistent {
		f = cmd.PersistentFlags()
	}
	f.StringVar(&c.api, "api", "", "the node's API URL")
	f.StringVar(&c.token, "token", "", "the "+whose+" token as @FILE, read from FILE (default $"+tokenEnv+")")
	if persistent {
		must(cmd.MarkPersistentFlagRequired("api"))
	} else {
		must(cmd.MarkFlagRequired("api"))
	}
}

// resolve finds the token: --token @FILE, an inline --token (with a
// warning on stderr), or $FEDMART_TOKEN.
func (c *nodeClient) resolve(stderr io.Writer) error {
	if c.bearer != "" {
		return nil
	}
	given, from := c.token, "--token"
	if given == "" {
		given, from = os.Getenv(tokenEnv), "$"+tokenEnv
	}
	switch path, isFile := strings.CutPrefix(given, "@"); {
	case given == "":
		return fmt.Errorf("--token: required: give --token @FILE or set %s", tokenEnv)
	case isFile:
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s: %w", from, err)
		}
		c.bearer = strings.TrimSpace(string(b))
	default:
		if from == "--token" {
			fmt.Fprintf(stderr, "fedmart: warning: a token typed on the command line is visible to every user of this machine (ps); use --token @FILE or %s\n", tokenEnv)
		}
		c.bearer = strings.TrimSpace(given)
	}
	if c.bearer == "" {
		return fmt.Errorf("%s: the token is empty", from)
	}
	return nil
}

// call sends one request to path (such as /v1/merchants) on the node.
func (c *nodeClient) call(cmd *cobra.Command, method, path string, body io.Reader) ([]byte, error) {
	if err := c.resolve(cmd.ErrOrStderr()); err != nil {
		return nil, err
	}
	return apiCall(cmd.Context(), method, strings.TrimRight(c.api, "/")+path, c.bearer, body)
}
