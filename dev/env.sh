# shellcheck shell=bash
# Shared environment for dev/run and dev/test: finds Odoo 18.0, builds the
# project venv, makes PostgreSQL answer and links this checkout as an addon.
# Sourced, never executed. Everything it creates lives in $MV_STATE (inside
# the checkout, git-ignored) or in the per-user cache $MV_CACHE.
set -euo pipefail

MV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MV_STATE="$MV_ROOT/.state"
MV_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/module_validator"
MV_ODOO_ARCHIVES=(
    "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
    "https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"
)
mkdir -p "$MV_STATE" "$MV_CACHE"

mv_log() {
    # Bold on a terminal only: hooks' output is read in logs and pre-commit's report.
    if [ -t 2 ]; then printf '\033[1m[module_validator]\033[0m %s\n' "$*" >&2
    else printf '[module_validator] %s\n' "$*" >&2; fi
}
mv_die() { mv_log "ERROR: $*"; exit 2; }

# A folder is an Odoo 18.0 source tree when it holds odoo/release.py of 18.0.
mv_is_odoo_src() {
    [ -f "$1/odoo/release.py" ] && grep -q "^version_info = (18, 0" "$1/odoo/release.py"
}

# Odoo is found in this order: an importable odoo, $ODOO_SRC, the cache, a download.
mv_find_odoo() {
    local py=${PYTHON:-python3} src
    # Found, not imported: importing odoo takes seconds, which every git hook
    # run would pay (hooks/).
    if src=$("$py" - 2>/dev/null <<'PY'
import importlib.util, os, re
package = os.path.dirname(os.path.abspath(importlib.util.find_spec("odoo").origin))
with open(os.path.join(package, "release.py"), encoding="utf-8") as release:
    assert re.search(r"^version_info = \(18, 0", release.read(), re.M)
print(os.path.dirname(package))
PY
    ); then
        MV_ODOO_SRC=$src; MV_PYTHON=$(command -v "$py"); MV_ODOO_FROM="importable odoo"
        return
    fi
    if [ -n "${ODOO_SRC:-}" ]; then
        mv_is_odoo_src "$ODOO_SRC" || mv_die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree"
        MV_ODOO_SRC=$(cd "$ODOO_SRC" && pwd); MV_ODOO_FROM="ODOO_SRC"
        return
    fi
    MV_ODOO_SRC="$MV_CACHE/odoo-18.0"
    if mv_is_odoo_src "$MV_ODOO_SRC"; then MV_ODOO_FROM="cache"; return; fi
    mv_download_odoo
    MV_ODOO_FROM="downloaded archive"
}

mv_download_odoo() {
    local tmp url
    tmp=$(mktemp -d "$MV_CACHE/download.XXXXXX")
    for url in "${MV_ODOO_ARCHIVES[@]}"; do
        mv_log "downloading Odoo 18.0 from $url"
        if curl -fsSL --retry 2 --connect-timeout 20 "$url" -o "$tmp/odoo.tar.gz"; then
            mkdir -p "$tmp/src"
            tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/src" --strip-components=1
            if mv_is_odoo_src "$tmp/src"; then
                rm -rf "$MV_ODOO_SRC"; mv "$tmp/src" "$MV_ODOO_SRC"; rm -rf "$tmp"
                return
            fi
        fi
    done
    rm -rf "$tmp"
    mv_die "Odoo 18.0 not found: no importable odoo, no ODOO_SRC, no cache at $MV_ODOO_SRC, and the download failed. Set ODOO_SRC to an Odoo 18.0 source tree."
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
        "$venv/bin/pip" install -q --no-deps --no-build-isolation -e "$MV_ODOO_SRC" >/dev/null 2>&1 \
            || echo "$MV_ODOO_SRC" > "$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/odoo-src.pth"
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
    cat > "$MV_CONF" <<CONF
[options]
addons_path = $MV_ADDONS_PATH
data_dir = $MV_STATE/data
db_host = ${PGHOST:-False}
db_port = ${PGPORT:-False}
db_user = ${PGUSER:-False}
db_password = ${PGPASSWORD:-False}
list_db = True
CONF
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
        mv_odoo -c "$MV_CONF" -d "$db" -i module_validator,mv_example_clean --without-demo=all \
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
MV_OCA_PINS="odoo-addon-queue_job==18.0.4.1.2.2"
mv_oca_addons() {
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

mv_setup() {
    mv_find_odoo
    mv_log "Odoo 18.0 from $MV_ODOO_FROM: $MV_ODOO_SRC"
    mv_system_packages "$@"
    mv_venv
    mv_postgres
    mv_link_addon
    mv_config
    mv_oca_addons
}
