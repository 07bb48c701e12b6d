package layering

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestExamplesUseOnlyTheHTTPContract: the programs under examples/ show what
// an outside vendor writes, so they may not import Switchboard's internal
// packages (Go would allow it: they are in the same module). Test files
// count too.
func TestExamplesUseOnlyTheHTTPContract(t *testing.T) {
	t.Parallel()
	_, file, _, _ := runtime.Caller(0)
	examples := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(file))), "examples")
	checked := 0
	err := filepath.WalkDir(examples, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			if strings.HasPrefix(p, module) {
				rel, _ := filepath.Rel(examples, path)
				t.Errorf("examples/%s imports %s; an example may use only the HTTP contract", filepath.ToSlash(rel), p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files under examples/: the check checks nothing")
	}
}
