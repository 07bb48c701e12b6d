package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(0xf0 + i) // high bytes produce '+' '/' vs '-' '_' in base64
	}
	valid := map[string]string{
		"std padded":    base64.StdEncoding.EncodeToString(key),
		"std raw":       base64.RawStdEncoding.EncodeToString(key),
		"url padded":    base64.URLEncoding.EncodeToString(key),
		"url raw":       base64.RawURLEncoding.EncodeToString(key),
		"hex lower":     hex.EncodeToString(key),
		"hex upper":     strings.ToUpper(hex.EncodeToString(key)),
		"with newline":  base64.StdEncoding.EncodeToString(key) + "\n",
		"with spaces":   "  " + hex.EncodeToString(key) + "\t",
		"EncodeKey out": EncodeKey(key),
	}
	if valid["std raw"] == valid["url raw"] {
		t.Fatal("test key does not exercise the two base64 alphabets")
	}
	for name, in := range valid {
		got, err := ParseKey(in)
		if err != nil {
			t.Errorf("%s: ParseKey: %v", name, err)
			continue
		}
		if !bytes.Equal(got, key) {
			t.Errorf("%s: ParseKey = %x, want %x", name, got, key)
		}
	}

	invalid := map[string]string{
		"empty":         "",
		"blank":         "   \n",
		"short base64":  base64.StdEncoding.EncodeToString([]byte("secretpassphrase")),
		"long base64":   base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("k"), 48)),
		"short hex":     "deadbeefcafebabe0123456789abcdef",
		"hex with junk": strings.Repeat("ab", 31) + "zz",
		"garbage":       "correct horse battery staple!!",
		"mixed":         base64.StdEncoding.EncodeToString(key)[:20] + "*&^%$" + base64.URLEncoding.EncodeToString(key)[20:],
	}
	for name, in := range invalid {
		_, err := ParseKey(in)
		if err == nil {
			t.Errorf("%s: ParseKey succeeded", name)
			continue
		}
		if in = strings.TrimSpace(in); in != "" && strings.Contains(err.Error(), in) {
			t.Errorf("%s: error echoes the input: %v", name, err)
		}
		if !strings.HasPrefix(err.Error(), "secret: ") {
			t.Errorf("%s: error %q lacks package prefix", name, err)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	a, b := mustKey(t), mustKey(t)
	if len(a) != KeySize || bytes.Equal(a, b) {
		t.Fatalf("GenerateKey: len %d, distinct %v", len(a), !bytes.Equal(a, b))
	}
	got, err := ParseKey(EncodeKey(a))
	if err != nil || !bytes.Equal(got, a) {
		t.Fatalf("ParseKey(EncodeKey(k)) = %x, %v", got, err)
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "nested", "master.key")

	key, created, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created || len(key) != KeySize {
		t.Fatalf("first call: created=%v len=%d", created, len(key))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if mode := di.Mode().Perm(); mode != 0o700 {
		t.Errorf("key dir mode = %o, want 700", mode)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("key dir holds %d entries, want just the key (temp file left behind?)", len(entries))
	}

	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if created || !bytes.Equal(again, key) {
		t.Fatalf("second call: created=%v, same key %v", created, bytes.Equal(again, key))
	}
}

func TestLoadOrCreateKeyFileReadsExisting(t *testing.T) {
	t.Parallel()
	key := mustKey(t)
	path := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(got, key) {
		t.Fatalf("got %x, created=%v, err=%v", got, created, err)
	}
}

func TestLoadOrCreateKeyFileCorrupt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k")
	const content = "not-a-key-at-all"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadOrCreateKeyFile(path)
	if err == nil {
		t.Fatal("corrupt key file accepted")
	}
	if strings.Contains(err.Error(), content) {
		t.Errorf("error echoes the file content: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != content {
		t.Error("corrupt key file was overwritten")
	}
}

func TestLoadOrCreateKeyFileRefusesSharedModes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		dirMode, keyMode os.FileMode
		want             string
	}{
		{"world-readable key", 0o700, 0o644, "chmod 600"},
		{"group-writable key", 0o700, 0o620, "chmod 600"},
		{"world-writable dir", 0o777, 0o600, "chmod 700"},
		{"group-writable dir", 0o770, 0o600, "chmod 700"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "data")
			path := filepath.Join(dir, "secret.key")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			content := EncodeKey(mustKey(t)) + "\n"
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			// Chmod, not the create modes, which the umask would trim.
			if err := os.Chmod(path, c.keyMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, c.dirMode); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadOrCreateKeyFile(path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want a refusal saying %q", err, c.want)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Error("key file changed")
			}
		})
	}
}

func TestLoadOrCreateKeyFileRefusesSharedDirBeforeCreating(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "secret.key")
	if _, _, err := LoadOrCreateKeyFile(path); err == nil {
		t.Fatal("created a key in a world-writable directory")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("key file exists after refusal: %v", err)
	}
}
