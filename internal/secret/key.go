package secret

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ParseKey decodes a 32-byte key given as base64 (standard or URL alphabet,
// padded or not) or as 64 hex characters. Surrounding whitespace is ignored.
// Errors never echo the input, since it may be a real key with a typo.
func ParseKey(s string) ([]byte, error) {
	key, err := parseKey(s)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return key, nil
}

func parseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("key is empty")
	}
	// 64 hex characters cannot be a valid 32-byte base64 key (that is 43-44
	// characters), so trying hex first is unambiguous.
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("key decodes to %d bytes, want %d", len(key), KeySize)
		}
		return key, nil
	}
	return nil, fmt.Errorf("key is neither base64 nor %d hex characters (%d characters given)", 2*KeySize, len(s))
}

// EncodeKey renders a key as standard padded base64, the form ParseKey reads
// and LoadOrCreateKeyFile writes.
func EncodeKey(key []byte) string {
	return base64.StdEncoding.EncodeToString(key)
}

// GenerateKey returns a fresh random 32-byte key.
func GenerateKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("secret: generate key: %w", err)
	}
	return key, nil
}

// LoadOrCreateKeyFile reads a key from path. When the file does not exist it
// creates it with mode 0600 holding a fresh key (and its parent directory with
// mode 0700 if needed); created then reports true so the caller can warn that
// losing this file makes the stored secrets unreadable.
//
// A key file other users could read, or a key file or directory they could
// write, is refused: reading it decrypts every stored credential, and writing
// either lets them choose the key.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	if err := checkKeyDir(filepath.Dir(path)); err != nil {
		return nil, false, err
	}
	key, err = readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	key, err = GenerateKey()
	if err != nil {
		return nil, false, err
	}
	switch err := createKeyFile(path, key); {
	case err == nil:
		return key, true, nil
	case errors.Is(err, fs.ErrExist):
		// Another process won the race; use its key so both agree.
		key, err := readKeyFile(path)
		return key, false, err
	default:
		return nil, false, err
	}
}

func checkKeyDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // created 0700 with the key
	}
	if err != nil {
		return fmt.Errorf("secret: key directory: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("secret: key directory %s is writable by other users (mode %04o), who could replace the key; restrict it with: chmod 700 %s", dir, perm, dir)
	}
	return nil
}

func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secret: read key file: %w", err)
	}
	defer f.Close()
	// Stat the opened file, not the path, so the mode checked is the mode of
	// the bytes read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("secret: read key file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("secret: key file %s is readable or writable by other users (mode %04o); restrict it with: chmod 600 %s", path, perm, path)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("secret: read key file: %w", err)
	}
	key, err := parseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("secret: key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile writes the key to a temporary file and hard-links it into place,
// so the key file appears atomically and fully written, and an existing file is
// never overwritten (which would orphan every secret encrypted under it). The
// returned error matches fs.ErrExist when path appeared meanwhile.
func createKeyFile(path string, key []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("secret: create key directory: %w", err)
	}
	data := []byte(EncodeKey(key) + "\n")
	tmp, err := os.CreateTemp(dir, ".key-*") // CreateTemp uses mode 0600
	if err != nil {
		return fmt.Errorf("secret: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeAndClose(tmp, data); err != nil {
		return err
	}
	err = os.Link(tmp.Name(), path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// Some filesystems (FUSE, vfat) refuse hard links; an exclusive create still
	// never overwrites, it just is not atomic for a concurrent reader.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("secret: create key file: %w", err)
	}
	return writeAndClose(f, data)
}

func writeAndClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("secret: write key file: %w", err)
	}
	return nil
}
