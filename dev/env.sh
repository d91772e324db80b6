# shellcheck shell=bash
# Shared environment for dev/run and dev/test: finds Odoo (18.0 or 19.0), builds the
# project venv, makes PostgreSQL answer and links this checkout as an addon.
# Sourced, never executed. Everything it creates lives in $MV_STATE (inside
# the checkout, git-ignored) or in the per-user cache $MV_CACHE.
set -euo pipefail

MV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MV_STATE="$MV_ROOT/.state"
MV_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/module_validator"
# The Odoo series this project runs on; the first is the default. MV_SERIES
# (or --series for dev/run and dev/test) asks for one; otherwise the series
# follows the Odoo that is found.
MV_SUPPORTED_SERIES="18.0 19.0"
MV_SERIES=${MV_SERIES:-}
mkdir -p "$MV_STATE" "$MV_CACHE"

mv_log() {
    # Bold on a terminal only: hooks' output is read in logs and pre-commit's report.
    if [ -t 2 ]; then printf '\033[1m[module_validator]\033[0m %s\n' "$*" >&2
    else printf '[module_validator] %s\n' "$*" >&2; fi
}
mv_die() { mv_log "ERROR: $*"; exit 2; }

# Official source archives of a series, tried in order.
mv_odoo_archives() {
    echo "https://nightly.odoo.com/$1/nightly/src/odoo_$1.latest.tar.gz"
    echo "https://github.com/odoo/odoo/archive/refs/heads/$1.tar.gz"
}

# The series ("18.0") of the Odoo source tree in folder $1, from odoo/release.py.
mv_series_of() {
    sed -n 's/^version_info = (\([0-9]*\), *\([0-9]*\),.*/\1.\2/p' "$1/odoo/release.py" 2>/dev/null | head -n 1
}

# True when $1 is an Odoo source tree of a supported series (of series $2, if given).
mv_is_odoo_src() {
    local series
    series=$(mv_series_of "$1")
    [ -n "$series" ] && [[ " $MV_SUPPORTED_SERIES " == *" $series "* ]] \
        && { [ -z "${2:-}" ] || [ "$series" = "$2" ]; }
}

# Odoo is found in this order: an importable odoo, $ODOO_SRC, the cache, a download.
# Each must be of the series asked for, when one is.
mv_find_odoo() {
    local py=${PYTHON:-python3} src
    # Found, not imported: importing odoo takes seconds, which every git hook
    # run would pay (hooks/). Odoo 19's odoo is a namespace package (no origin).
    if src=$("$py" - 2>/dev/null <<'PY'
import importlib.util, os
spec = importlib.util.find_spec("odoo")
package = next(iter(spec.submodule_search_locations))
print(os.path.dirname(os.path.abspath(package)))
PY
    ) && mv_is_odoo_src "$src" "$MV_SERIES"; then
        MV_ODOO_SRC=$src; MV_PYTHON=$(command -v "$py"); MV_ODOO_FROM="importable odoo"
        MV_SERIES=$(mv_series_of "$src")
        return
    fi
    if [ -n "${ODOO_SRC:-}" ]; then
        mv_is_odoo_src "$ODOO_SRC" "$MV_SERIES" \
            || mv_die "ODOO_SRC=$ODOO_SRC is not an Odoo ${MV_SERIES:-$MV_SUPPORTED_SERIES} source tree"
        MV_ODOO_SRC=$(cd "$ODOO_SRC" && pwd); MV_ODOO_FROM="ODOO_SRC"
        MV_SERIES=$(mv_series_of "$MV_ODOO_SRC")
        return
    fi
    MV_SERIES=${MV_SERIES:-${MV_SUPPORTED_SERIES%% *}}
    [[ " $MV_SUPPORTED_SERIES " == *" $MV_SERIES "* ]] \
        || mv_die "series $MV_SERIES is not supported (supported: $MV_SUPPORTED_SERIES)"
    MV_ODOO_SRC="$MV_CACHE/odoo-$MV_SERIES"
    if mv_is_odoo_src "$MV_ODOO_SRC" "$MV_SERIES"; then MV_ODOO_FROM="cache"; return; fi
    mv_download_odoo
    MV_ODOO_FROM="downloaded archive"
}

mv_download_odoo() {
    local tmp url
    tmp=$(mktemp -d "$MV_CACHE/download.XXXXXX")
    for url in $(mv_odoo_archives "$MV_SERIES"); do
        mv_log "downloading Odoo $MV_SERIES from $url"
        if curl -fsSL --retry 2 --connect-timeout 20 "$url" -o "$tmp/odoo.tar.gz"; then
            mkdir -p "$tmp/src"
            tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/src" --strip-components=1
            if mv_is_odoo_src "$tmp/src" "$MV_SERIES"; then
                rm -rf "$MV_ODOO_SRC"; mv "$tmp/src" "$MV_ODOO_SRC"; rm -rf "$tmp"
                return
            fi
        fi
    done
    rm -rf "$tmp"
    mv_die "Odoo $MV_SERIES not found: no importable odoo, no ODOO_SRC, no cache at $MV_ODOO_SRC, and the download failed. Set ODOO_SRC to an Odoo $MV_SERIES source tree."
}

# Each series has its own state (configuration, data_dir, test logs): a
# database or filestore of one series is never opened by the other. The
# default series keeps .state itself, as before series existed.
mv_series_state() {
    if [ "$MV_SERIES" != "${MV_SUPPORTED_SERIES%% *}" ]; then
        MV_STATE="$MV_ROOT/.state/series-$MV_SERIES"
        mkdir -p "$MV_STATE"
    fi
}

# The official archives come in two layouts: the git tree (addons/ beside odoo/)
# and the nightly sdist (every addon under odoo/addons). Only the sdist layout
# may carry a stale top-level addons/ folder, which must stay off the path.
mv_odoo_addons_path() {
    if [ -d "$MV_ODOO_SRC/odoo/addons/web" ]; then
        echo "$MV_ODOO_SRC/odoo/addons"
    else
        echo "$MV_ODOO_SRC/addons,$MV_ODOO_SRC/odoo/addons"
    fi
}

mv_system_packages() {
    local missing=()
    dpkg -s libldap2-dev >/dev/null 2>&1 || missing+=(libldap2-dev)
    dpkg -s libsasl2-dev >/dev/null 2>&1 || missing+=(libsasl2-dev)
    dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
    if [ "${1:-}" = "--browser" ]; then
        command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    fi
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        mv_log "installing Debian packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
    else
        mv_log "WARNING: missing Debian packages (install them as root): ${missing[*]}"
    fi
}

# The venv is keyed by the Python version and the requirement files, so a
# fresh clone reuses it and a change of either builds a new one.
mv_venv_dir() {
    local key
    key=$( (python3 --version; cat "$MV_ODOO_SRC/requirements.txt" "$MV_ROOT/dev/requirements.txt") | sha256sum | cut -c1-12)
    echo "$MV_CACHE/venv-$key"
}

mv_venv() {
    if [ "${MV_ODOO_FROM}" = "importable odoo" ]; then
        "$MV_PYTHON" -m pip install -q -r "$MV_ROOT/dev/requirements.txt"
        return
    fi
    local venv
    venv=$(mv_venv_dir)
    if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
        mv_log "building the Python environment in $venv (once)"
        rm -rf "$venv"
        python3 -m venv "$venv"
        # cbor2 5.4.2 only builds with setuptools<81. The constraint reaches
        # pip's isolated build environments through PIP_CONSTRAINT, which the
        # pip bundled with Python 3.11 honours there (pip >= 26.2 does not),
        # so pip itself is deliberately not upgraded.
        printf 'setuptools<81\n' > "$venv/constraints.txt"
        export PIP_CONSTRAINT="$venv/constraints.txt"
        "$venv/bin/pip" install -q wheel "setuptools<81"
        "$venv/bin/pip" install -q \
            -r "$MV_ODOO_SRC/requirements.txt" -r "$MV_ROOT/dev/requirements.txt"
        local purelib
        purelib=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        if [ "$MV_SERIES" = 18.0 ]; then
            "$venv/bin/pip" install -q --no-deps --no-build-isolation -e "$MV_ODOO_SRC" >/dev/null 2>&1 \
                || echo "$MV_ODOO_SRC" > "$purelib/odoo-src.pth"
        else
            # 19.0's odoo is a namespace package: an editable install adds a path
            # hook to odoo.addons.__path__, which Odoo then warns is no directory.
            echo "$MV_ODOO_SRC" > "$purelib/odoo-src.pth"
        fi
        touch "$venv/.complete"
    fi
    MV_PYTHON="$venv/bin/python"
}

# Use whatever PostgreSQL answers through the usual libpq variables;
# otherwise start the local Debian cluster and give this user a role.
mv_postgres() {
    if pg_isready -q 2>/dev/null && psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then mv_sandbox_hba; fi
        return
    fi
    if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then
        local cluster
        cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
        [ -n "$cluster" ] || mv_die "no PostgreSQL answers and no local cluster exists"
        mv_log "starting PostgreSQL cluster $cluster"
        # shellcheck disable=SC2086
        pg_ctlcluster $cluster start || true
        for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
        su postgres -c "psql -Atqc \"select 1 from pg_roles where rolname='$(id -un)'\"" | grep -q 1 \
            || su postgres -c "createuser -s $(id -un)"
        mv_sandbox_hba
    fi
    psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 \
        || mv_die "PostgreSQL does not answer (check PGHOST/PGPORT/PGUSER/PGPASSWORD)"
}

# The rehearsal sandbox's role logs in with its password over the Unix
# socket (the rehearsal has no network); Debian's default is peer for local
# connections, so the local cluster gets one line for that role, first.
mv_sandbox_hba() {
    local hba
    hba=$(su postgres -c "psql -Atqc 'show hba_file'" 2>/dev/null) || return 0
    if [ -n "$hba" ] && ! grep -q '^local *all *mv_sandbox ' "$hba"; then
        sed -i '0,/^local/s//local   all             mv_sandbox                              scram-sha-256\nlocal/' "$hba"
        su postgres -c "psql -Atqc 'select pg_reload_conf()'" >/dev/null
    fi
}

# Odoo needs the addon folder to carry the technical name; a checkout in a
# folder of any other name is linked under the right name.
mv_link_addon() {
    MV_ADDONS_DIR="$MV_STATE/addons"
    mkdir -p "$MV_ADDONS_DIR"
    # Replaced only when wrong: a running server or test run imports through
    # this link, and ln -sfn removes it for an instant.
    [ "$(readlink "$MV_ADDONS_DIR/module_validator" 2>/dev/null)" = "$MV_ROOT" ] \
        || ln -sfn "$MV_ROOT" "$MV_ADDONS_DIR/module_validator"
    MV_ADDONS_PATH="$MV_ADDONS_DIR,$MV_ROOT/examples,$(mv_odoo_addons_path)"
}

mv_config() {
    MV_CONF="$MV_STATE/odoo.conf"
    ( umask 077
    {
        printf '[options]\naddons_path = %s\ndata_dir = %s\nlist_db = True\nhttp_interface = 127.0.0.1\n' "$MV_ADDONS_PATH" "$MV_STATE/data"
        # Only the variables that are set: 19.0 warns about db_host = False.
        [ -z "${PGHOST:-}" ] || printf 'db_host = %s\n' "$PGHOST"
        [ -z "${PGPORT:-}" ] || printf 'db_port = %s\n' "$PGPORT"
        [ -z "${PGUSER:-}" ] || printf 'db_user = %s\n' "$PGUSER"
        [ -z "${PGPASSWORD:-}" ] || printf 'db_password = %s\n' "$PGPASSWORD"
    } > "$MV_CONF" )
    chmod 600 "$MV_CONF"
}

# A database with module_validator (and the clean example) installed, kept
# up to date with the checkout.
mv_ensure_database() {
    local db=$1
    if psql -d postgres -Atqc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
        mv_log "updating module_validator in database $db"
        mv_odoo -c "$MV_CONF" -d "$db" -u module_validator --stop-after-init --log-level=warn
    else
        mv_log "creating database $db with module_validator and the clean example installed"
        mv_odoo -c "$MV_CONF" -d "$db" -i module_validator,mv_example_clean "$MV_WITHOUT_DEMO" \
            --stop-after-init --log-level=warn
    fi
}

# The tools this project is measured against, from PyPI, in a venv of their own.
mv_anchors_venv() {
    MV_ANCHORS_BIN="$MV_CACHE/anchors-venv/bin"
    if [ ! -x "$MV_ANCHORS_BIN/oca-checks-odoo-module" ]; then
        mv_log "installing pylint-odoo and oca-odoo-pre-commit-hooks in $MV_CACHE/anchors-venv"
        python3 -m venv "$MV_CACHE/anchors-venv"
        "$MV_ANCHORS_BIN/pip" install -q "pylint-odoo==10.0.12" "oca-odoo-pre-commit-hooks==0.2.27"
    fi
}

# OCA addons the project's optional glue needs (addons/), from their PyPI
# wheels, pinned; unpacked once into the per-user cache. Not on the main
# addons path: only the tests and benchmarks of the glue addons use them.
mv_oca_addons() {
    case "$MV_SERIES" in
        18.0) MV_OCA_PINS="odoo-addon-queue_job==18.0.4.1.2.2" ;;
        *) MV_OCA_PINS="" ;;
    esac
    if [ -z "$MV_OCA_PINS" ]; then
        # No pinned OCA wheels for this series yet: the glue addons' tests skip.
        MV_OCA_ADDONS=""; export MV_OCA_ADDONS; return 0
    fi
    MV_OCA_ADDONS="$MV_CACHE/oca-addons/$(echo "$MV_OCA_PINS" | sha256sum | cut -c1-12)"
    if [ ! -f "$MV_OCA_ADDONS/.complete" ]; then
        mv_log "fetching OCA addons for the glue addons: $MV_OCA_PINS"
        rm -rf "$MV_OCA_ADDONS" && mkdir -p "$MV_OCA_ADDONS/wheels"
        # shellcheck disable=SC2086
        "$MV_PYTHON" -m pip download -q --no-deps --only-binary=:all: -d "$MV_OCA_ADDONS/wheels" $MV_OCA_PINS \
            || { mv_log "WARNING: could not fetch $MV_OCA_PINS (no network?)"; return 0; }
        "$MV_PYTHON" - "$MV_OCA_ADDONS" <<'PY'
import pathlib, sys, zipfile
target = pathlib.Path(sys.argv[1])
for wheel in (target / "wheels").glob("*.whl"):
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            parts = member.split("/")
            # Only the addon folders: odoo/addons/<name>/..., never a path that climbs out.
            if parts[:2] == ["odoo", "addons"] and len(parts) > 3 and ".." not in parts:
                destination = target.joinpath(*parts[2:])
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(member))
PY
        touch "$MV_OCA_ADDONS/.complete"
    fi
    export MV_OCA_ADDONS
}

mv_odoo() {
    "$MV_PYTHON" "$MV_ODOO_SRC/odoo-bin" --addons-path="$MV_ADDONS_PATH" "$@"
}

# Flags that differ between the series' command lines.
mv_series_flags() {
    if [ "$MV_SERIES" = 18.0 ]; then
        MV_WITHOUT_DEMO="--without-demo=all"
    else
        # 19.0 installs no demo data by default; --without-demo=all only warns.
        MV_WITHOUT_DEMO="--without-demo"
    fi
}

mv_setup() {
    mv_find_odoo
    mv_series_state
    mv_series_flags
    mv_log "Odoo $MV_SERIES from $MV_ODOO_FROM: $MV_ODOO_SRC"
    mv_system_packages "$@"
    mv_venv
    mv_postgres
    mv_link_addon
    mv_config
    mv_oca_addons
}
