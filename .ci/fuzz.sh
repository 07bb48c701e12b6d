#!/usr/bin/env bash
# Runs every fuzz target in the module briefly (FUZZTIME each, default 2s).
# Go fuzzes one target per run, so each package's fuzzing test binary is
# built once and run once per target, from the package directory (where its
# testdata/fuzz seeds are). Targets are listed by the binaries themselves
# (-test.list), so a new FuzzXxx is picked up without touching this script.
# Fails when a target finds an input that breaks it; the binary writes that
# input under the package's testdata/fuzz/FuzzXxx/, and it is printed here so
# the log alone reproduces the finding.
#
#   bash .ci/fuzz.sh                 # all targets
#   FUZZTIME=30s bash .ci/fuzz.sh    # longer, locally
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

fuzztime=${FUZZTIME:-2s}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cachedir=$(go env GOCACHE)/fuzz # where `go test -fuzz` keeps what it learned

# Packages whose tests declare a fuzz target.
pkgs=()
while read -r path dir files; do
	for f in $files; do
		if grep -q '^func Fuzz' "$dir/$f"; then
			pkgs+=("$path $dir")
			break
		fi
	done
done < <(go list -f '{{.ImportPath}} {{.Dir}} {{join .TestGoFiles " "}} {{join .XTestGoFiles " "}}' ./...)

# saved_inputs counts the inputs kept for target $2 of the package in $1.
saved_inputs() { { ls -A "$1/testdata/fuzz/$2" 2>/dev/null || true; } | wc -l; }

failed=()
count=0
for p in "${pkgs[@]}"; do
	read -r path dir <<<"$p"
	exe=$bin/$(echo "$path" | tr / _).test
	go test -c -fuzz=. -o "$exe" "$path"
	for name in $(cd "$dir" && "$exe" -test.list '^Fuzz' | grep '^Fuzz'); do
		count=$((count + 1))
		echo "== $path $name ($fuzztime)"
		start=$SECONDS
		saved=$(saved_inputs "$dir" "$name")
		if (cd "$dir" && "$exe" -test.run '^$' -test.fuzz "^${name}\$" -test.fuzztime "$fuzztime" \
			-test.fuzzcachedir "$cachedir/$path") >"$bin/log" 2>&1; then
			echo "   ok, $((SECONDS - start))s"
		elif grep -q 'context deadline exceeded' "$bin/log" &&
			[ "$(saved_inputs "$dir" "$name")" -eq "$saved" ] &&
			[ "$(grep -v '^fuzz: ' "$bin/log" | grep -cv -e '^--- FAIL: ' -e 'context deadline exceeded' -e '^FAIL$')" -eq 0 ] &&
			(cd "$dir" && "$exe" -test.run "^${name}\$") >/dev/null 2>&1; then
			# Go 1.26's fuzzing coordinator can report its own -fuzztime
			# deadline as a failure (go.dev/issue/75804, fixed in 1.27):
			# nothing saved, nothing else said, and the corpus replays clean.
			echo "   ok, $((SECONDS - start))s (the coordinator's deadline race, go.dev/issue/75804)"
		else
			cat "$bin/log"
			failed+=("$path $name")
		fi
	done
done

if [ "$count" -eq 0 ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz.sh: ${#failed[@]} of $count targets failed:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	# The inputs the targets saved, for the log.
	git -C "$root" status --porcelain --untracked-files=all | grep '/testdata/fuzz/' | while read -r _ f; do
		echo "--- $f" >&2
		cat "$root/$f" >&2
	done
	exit 1
fi
echo "fuzz.sh: $count targets passed"
