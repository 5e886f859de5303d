# Shared by the scripts: install what is missing, run a private PostgreSQL.
# Source it; it defines functions only.

# Packages the build and the tests need (Debian names).
PHYSIO_APT_PACKAGES=(libmicrohttpd-dev libjansson-dev libpq-dev postgresql zlib1g-dev libgnutls28-dev pkg-config curl openssl)

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else echo "need root to run: $*" >&2; return 1
    fi
}

# Installs the Debian packages that are not installed yet (and any extra ones given).
install_packages() {
    local missing=()
    for package in "${PHYSIO_APT_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq || true
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pg_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] || { echo "PostgreSQL server binaries not found (apt install postgresql)" >&2; return 1; }
    echo "$dir"
}

# PostgreSQL refuses to run as root: when we are root, run it as the
# 'postgres' user that the Debian package creates.
pg_user_run() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# physio_bin [swift build options…]: the physio binary to run, $PHYSIO_BIN
# if set, else built here with those options (e.g. -c release).
physio_bin() {
    if [ -n "${PHYSIO_BIN:-}" ]; then echo "$PHYSIO_BIN"; return; fi
    swift build "$@" --product physio >&2
    echo "$(swift build "$@" --show-bin-path)/physio"
}

# A port nobody listens on.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# pg_start DIR PORT [extra postgres -c settings...]: initdb DIR if new, start
# on 127.0.0.1:PORT with its socket in DIR, superuser 'physio', trust auth.
pg_start() {
    local dir=$1 port=$2; shift 2
    local bin; bin=$(pg_bindir)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$dir"; chmod 700 "$dir"
        # 'postgres' must be able to pass through the parent (a mktemp -d is 700).
        chmod o+x "$(dirname "$dir")"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        pg_user_run "$bin/initdb" -D "$dir/data" -U physio --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    local options="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400"
    for setting in "$@"; do options="$options -c $setting"; done
    pg_user_run "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "$options" -w -t 60 start >/dev/null \
        || { tail -n 30 "$dir/postgres.log" >&2; return 1; }
}

# wait_ready URL [PID]: until URL/readyz answers 200 (at most 20 s); fails
# early if the process PID has exited.
wait_ready() {
    local url=$1 pid=${2:-}
    for _ in $(seq 200); do
        curl -fs "$url/readyz" >/dev/null 2>&1 && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        sleep 0.1
    done
    return 1
}

pg_stop() {
    local dir=$1
    [ -f "$dir/data/postmaster.pid" ] || return 0
    pg_user_run "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# A Python virtual environment with the test tools, under .build-venv
# (ignored by git); prints its python. Reused while requirements are unchanged.
python_tools() {
    local venv=.build-venv requirements=scripts/requirements-test.txt
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" >/dev/null 2>&1 || {
            install_packages python3-venv
            python3 -m venv "$venv" >&2
        }
    fi
    if ! cmp -s "$requirements" "$venv/requirements.installed"; then
        "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2
        cp "$requirements" "$venv/requirements.installed"
    fi
    echo "$PWD/$venv/bin/python"
}
