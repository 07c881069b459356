# Shared by scripts/demo.sh and scripts/test.sh: Debian packages and the venv.
# Sourced, not run.

KAKASHI_VENV="${KAKASHI_VENV:-$PWD/.venv}"

# apt_install PKG...: install Debian packages, as root directly or through sudo.
apt_install() {
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "error: need the Debian packages: $*; run as root: apt-get install $*" >&2
            exit 1
        fi
    fi
    echo "installing Debian packages: $*" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

# make_venv EXTRA: create the venv if needed and install Kakashi (with extras) into it.
make_venv() {
    local extra="$1"
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "error: Kakashi needs Python >= 3.11; python3 is $(python3 --version 2>&1)" >&2
        exit 1
    fi
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        apt_install python3-venv
    fi
    if [ ! -x "$KAKASHI_VENV/bin/python" ]; then
        python3 -m venv "$KAKASHI_VENV"
    fi
    "$KAKASHI_VENV/bin/python" -m pip install -q --upgrade pip
    "$KAKASHI_VENV/bin/python" -m pip install -q -e ".${extra}"
}
