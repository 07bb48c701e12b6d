#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 for the store's Postgres tests and prints
# the line that points the tests at it:
#
#   eval "$(bash .ci/pg.sh)"        # or: source .ci/pg.sh
#   go test ./internal/store/...
#
# Meant for a fresh Debian CI machine, run as root: installs postgresql-15
# when missing, then runs a private server (trust auth, 127.0.0.1 only, a free
# port, data in a temp dir) as the postgres user. Nothing is registered with
# the system: no cluster in /etc/postgresql, no service; the server process is
# all that outlives the script. Stop it with the printed pg_ctl command, or
# let the CI machine go away. Logs go to stderr; stdout carries only exports.

pg_sh_main() (
	set -euo pipefail

	log() { printf 'pg.sh: %s\n' "$*" >&2; }

	local bindir=/usr/lib/postgresql/15/bin

	if [[ ! -x $bindir/initdb ]]; then
		if [[ $EUID -ne 0 ]]; then
			log "$bindir/initdb is missing and installing it needs root"
			return 1
		fi
		log "installing postgresql-15"
		# Only the binaries are wanted: stop the package from creating and
		# starting its default cluster as a system service.
		mkdir -p /etc/postgresql-common/createcluster.d
		printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.d/99-pg-sh-no-main.conf
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq --no-install-recommends postgresql-15 >&2
	fi

	# Run the server as the postgres user when root (initdb refuses root),
	# as ourselves otherwise.
	local as_pg=()
	if [[ $EUID -eq 0 ]]; then
		if ! id postgres >/dev/null 2>&1; then
			log "creating system user postgres"
			useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
		fi
		as_pg=(su postgres -s /bin/bash -c)
	else
		as_pg=(bash -c)
	fi

	local dir
	dir=$(mktemp -d /tmp/switchboard-pg.XXXXXX)
	chmod 0700 "$dir"
	if [[ $EUID -eq 0 ]]; then
		chown postgres:postgres "$dir"
	fi

	log "initdb in $dir"
	"${as_pg[@]}" "$bindir/initdb -D '$dir/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >'$dir/initdb.log' 2>&1" || {
		cat "$dir/initdb.log" >&2
		return 1
	}

	# A port nobody listens on; another process could still take it before the
	# server binds, so a failed start is retried on another port.
	port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

	local port="" attempt
	for attempt in 1 2 3 4 5; do
		local candidate=$((20000 + RANDOM % 20000))
		port_free "$candidate" || continue
		log "starting postgres on 127.0.0.1:$candidate (attempt $attempt)"
		# fsync off: the data is thrown away, and CI disks are slow.
		if "${as_pg[@]}" "$bindir/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 60 start -o \"-c listen_addresses=127.0.0.1 -p $candidate -k '$dir' -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\"" >&2; then
			port=$candidate
			break
		fi
		tail -n 20 "$dir/server.log" >&2 || true
	done
	if [[ -z $port ]]; then
		log "could not start postgres"
		return 1
	fi

	local i
	for i in $(seq 1 60); do
		if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
			break
		fi
		if [[ $i -eq 60 ]]; then
			log "postgres on port $port is not ready after 30s"
			tail -n 20 "$dir/server.log" >&2 || true
			return 1
		fi
		sleep 0.5
	done

	log "ready; stop with: ${as_pg[*]} \"$bindir/pg_ctl -D '$dir/data' stop -m fast\""
	printf "export SWITCHBOARD_TEST_DATABASE_URL='%s'\n" "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	printf "export SWITCHBOARD_TEST_PGDATA='%s'\n" "$dir/data"
)

if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
	# Sourced: export into the caller's shell without touching its options.
	if pg_sh_out=$(pg_sh_main); then
		eval "$pg_sh_out"
		printf '%s\n' "$pg_sh_out"
	else
		unset -f pg_sh_main
		unset pg_sh_out
		return 1
	fi
	unset -f pg_sh_main
	unset pg_sh_out
else
	pg_sh_main
fi
