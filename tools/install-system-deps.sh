#!/bin/sh
# Install the Debian/Ubuntu packages BackView needs beyond python3 and pip:
#   - Xvfb + xauth, so the GUI tests (pytest-xvfb) run on a machine without a display;
#   - the shared libraries of Qt 6's xcb platform plugin (PySide6 wheels do not bundle them);
#   - Mesa's software OpenGL, so VTK renders without a GPU (on-screen and off-screen);
#   - Chromium and its WebDriver, so the tests open the exported web page and `backview serve`
#     in a real browser (Selenium);
#   - python3-venv, when this python3 cannot create a virtual environment by itself.
#
# POSIX sh, idempotent: a second run finds everything present and touches nothing.
# Needs root or sudo for apt-get; without apt-get (macOS, Fedora, Windows) it only prints a note.
#
#     sh tools/install-system-deps.sh

set -eu

note() { printf 'install-system-deps: %s\n' "$*"; }

if ! command -v apt-get >/dev/null 2>&1; then
    note "no apt-get here; skipping (install Xvfb, Mesa OpenGL and Qt's xcb libraries yourself)"
    exit 0
fi

# Required: without these the viewer window or the test suite cannot start.
REQUIRED="
xvfb xauth
libxcb1 libx11-6 libx11-xcb1 libxext6 libxrender1 libxt6 libsm6 libice6
libxcb-cursor0 libxkbcommon0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
libxcb-util1 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1
libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
libegl1 libgl1 libopengl0 libglx0 libgl1-mesa-dri libglx-mesa0 libegl-mesa0
chromium chromium-driver
"
# Optional: used when present in the distribution.
OPTIONAL="libosmesa6"

# A python3 that cannot make a venv (Debian's, without python3-venv) needs python3-venv.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    REQUIRED="$REQUIRED python3-venv"
fi

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=""
for pkg in $REQUIRED $OPTIONAL; do
    installed "$pkg" || missing="$missing $pkg"
done

if [ -z "$missing" ]; then
    note "all system packages are already installed"
    exit 0
fi

note "missing:$missing"

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    note "not root and no sudo; skipping (ask an administrator to install them)"
    exit 0
fi
note "running: ${SUDO:+$SUDO }apt-get update"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq

# Keep only the names this distribution knows (apt-cache policy shows a candidate version).
to_install=""
for pkg in $missing; do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
        to_install="$to_install $pkg"
    else
        case " $OPTIONAL " in
            *" $pkg "*) note "optional package $pkg is not available here; skipping it" ;;
            *) note "warning: package $pkg is not available here; skipping it" ;;
        esac
    fi
done

if [ -z "$to_install" ]; then
    note "nothing installable"
    exit 0
fi

note "running: ${SUDO:+$SUDO }apt-get install -y --no-install-recommends$to_install"
# shellcheck disable=SC2086  # word splitting of the package list is intended
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $to_install
note "done"
