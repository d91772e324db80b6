# shellcheck shell=bash
# What the git hooks share (hooks/mv-pre-commit, hooks/pre-push): which
# modules changed files belong to, Odoo and a Python to run it, and one
# `odoo-bin validate` on those modules. Sourced, never executed.
#
# Odoo is found as dev/run finds it (dev/env.sh): an odoo importable by
# $PYTHON, else $ODOO_SRC with the per-user venv, else the per-user cache
# ~/.cache/module_validator (odoo-<series> and venv-*), which is set up once when
# missing. The hooks never touch a database unless ODOO_VALIDATION_DATABASE
# names one.
set -euo pipefail

MV_HOOKS_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=../dev/env.sh
source "$MV_HOOKS_DIR/../dev/env.sh"

# mv_modules_of TEST FILE...: the module folders holding the FILEs, once each:
# the nearest parent folder for which `TEST FOLDER` says it holds a
# __manifest__.py ("." when the repository root is itself a module).
mv_modules_of() {
    local has_manifest=$1 file dir
    shift
    local -A known=() printed=()
    for file in "$@"; do
        dir=$file
        while :; do
            if [[ $dir == */* ]]; then dir=${dir%/*}; else dir=.; fi
            [ -n "$dir" ] || break  # past the top of an absolute path
            if [ -z "${known[$dir]+set}" ]; then
                if "$has_manifest" "$dir"; then known[$dir]=1; else known[$dir]=0; fi
            fi
            if [ "${known[$dir]}" = 1 ]; then
                [ -n "${printed[$dir]+set}" ] || { printed[$dir]=1; printf '%s\n' "$dir"; }
                break
            fi
            [ "$dir" != . ] || break
        done
    done
}

mv_manifest_on_disk() { [ -f "$1/__manifest__.py" ]; }

# Odoo, a Python that runs it and the addons path holding this addon.
mv_hook_setup() {
    mv_find_odoo
    if [ "$MV_ODOO_FROM" != "importable odoo" ]; then
        if [ ! -f "$(mv_venv_dir)/.complete" ]; then
            mv_log "no Python environment for Odoo $MV_SERIES in $MV_CACHE yet: setting it up once, as dev/run does"
            mv_system_packages
        fi
        mv_venv
    fi
    mv_log "Odoo $MV_SERIES from $MV_ODOO_FROM: $MV_ODOO_SRC (Python: $MV_PYTHON)"
    # odoo-bin finds the `validate` command in an addon named module_validator
    # on the addons path, whatever the checkout's folder is called.
    mv_link_addon
    MV_HOOK_ADDONS_PATH="$MV_ADDONS_DIR,$(mv_odoo_addons_path)"
    if [ -n "${ODOO_VALIDATION_ADDONS_PATH:-}" ]; then
        MV_HOOK_ADDONS_PATH="$MV_HOOK_ADDONS_PATH,$ODOO_VALIDATION_ADDONS_PATH"
    fi
}

# mv_hook_prepare: the levels the process's variables ask for (the CLI reads
# the same ones, service/environment.py), and Odoo set up; exits 2 when the
# variables are wrong. Not to be called in a condition (`||`, `if`): set -e,
# which stops a failed setup, does not apply there.
mv_hook_prepare() {
    # Checked before Odoo is set up, so that a typo fails in a second.
    MV_HOOK_LEVELS=$("${PYTHON:-python3}" "$MV_ROOT/service/environment.py")
    if [ "$MV_HOOK_LEVELS" != static ] && [ -z "${ODOO_VALIDATION_DATABASE:-}" ]; then
        mv_log "ERROR: the ${MV_HOOK_LEVELS##* } level needs a database: set ODOO_VALIDATION_DATABASE" \
            "(connection from ODOO_RC or PGHOST, PGUSER...), or ODOO_VALIDATION_LEVEL=static"
        exit 2
    fi
    mv_hook_setup
}

# mv_hook_validate MODULE_FOLDER...: odoo-bin validate on them, after
# mv_hook_prepare; returns its status (0 pass, 1 findings, 2 usage).
mv_hook_validate() {
    local args=(--addons-path="$MV_HOOK_ADDONS_PATH" validate --log-level=warn --format text) folder
    for folder in "$@"; do args+=(--path "$folder"); done
    if [ -n "${ODOO_VALIDATION_DATABASE:-}" ]; then args+=(-d "$ODOO_VALIDATION_DATABASE"); fi
    mv_log "validating $# module(s) at the ${MV_HOOK_LEVELS// /, } level: $*"
    "$MV_PYTHON" "$MV_ODOO_SRC/odoo-bin" "${args[@]}"
}

# mv_blocked WHAT STATUS BYPASS: say why WHAT (commit, push) is refused and
# how to get past, and exit with STATUS.
mv_blocked() {
    mv_log "$1 blocked by module_validator (exit status $2): fix the findings above. $3"
    exit "$2"
}
