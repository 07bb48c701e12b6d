package report

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteSample writes sample reports for a human to look at, e.g.
//
//	REPORT_SAMPLE_DIR=/tmp go test ./internal/report -run WriteSample
//	pdftoppm -png -r 80 /tmp/report-sample.pdf /tmp/report-sample
func TestWriteSample(t *testing.T) {
	dir := os.Getenv("REPORT_SAMPLE_DIR")
	if dir == "" {
		t.Skip("set REPORT_SAMPLE_DIR to write sample PDFs")
	}
	for name, d := range map[string]Data{"report-sample.pdf": sampleData(t), "report-long.pdf": longData(t, 40), "report-awkward.pdf": awkwardData(t)} {
		b, err := PDF(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
