#!/usr/bin/env bash
# System tools the tests need beyond node_modules: socat makes the pseudo-terminal pairs that
# stand in for serial cables; mosquitto is the standard broker the uplink is tested against;
# openssl makes the test certificates; fiu-utils (fiu-run) injects I/O errors into the gateway
# process for the chaos suite's storage faults; faketime (libfaketime) steps its wall clock. Installs what is missing when we are root; otherwise says
# what to do.
set -euo pipefail

missing=()
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v mosquitto >/dev/null 2>&1 || command -v /usr/sbin/mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v fiu-run >/dev/null 2>&1 || missing+=(fiu-utils)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing: ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null; }
  exit 0
fi

echo "The tests need: ${missing[*]}" >&2
echo "Install with:   sudo apt-get install -y ${missing[*]}   (Debian/Ubuntu)" >&2
echo "           or:  sudo dnf install -y ${missing[*]}       (Fedora)  |  brew install ${missing[*]}  (macOS)" >&2
exit 1
