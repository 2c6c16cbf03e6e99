package node

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// ErrExists is returned when init would overwrite a node's identity.
var ErrExists = errors.New("already exists")

// CreateIdentity writes a new Ed25519 key to path with mode 0600. It never
// overwrites: an existing file is ErrExists.
func CreateIdentity(path string) (crypto.PrivKey, error) {
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("identity: generating key: %w", err)
	}
	b, err := crypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("identity: encoding key: %w", err)
	}
	if err := writeNew(path, b); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	return key, nil
}

// LoadIdentity reads the node key from path.
func LoadIdentity(path string) (crypto.PrivKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	key, err := crypto.UnmarshalPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("identity: %s is not a libp2p private key: %w", path, err)
	}
	if key.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("identity: %s holds a %s key; fedmart needs Ed25519", path, key.Type())
	}
	return key, nil
}

// newToken returns a random bearer token.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("node: reading randomness: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// loadToken reads a token file, trimming surrounding white space.
func loadToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("operator token: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if len(t) < 16 {
		return "", fmt.Errorf("operator token: %s holds fewer than 16 characters", path)
	}
	return t, nil
}

// writeNew creates path with mode 0600 and writes b, failing if it exists.
// The data is synced before the file is closed, so a crash never leaves a
// truncated key behind a successful init.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s %w; refusing to overwrite it", path, ErrExists)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
