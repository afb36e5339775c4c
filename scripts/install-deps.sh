#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use, when they are missing and we may
# (root, or passwordless sudo). Safe to run repeatedly.
set -euo pipefail
want=(gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm device-tree-compiler nginx)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "install-deps: not root; skipping ${missing[*]}" >&2
    exit 0
  fi
fi
$sudo apt-get update -qq
# Packages must not start services here (nginx would take port 80): the tests start their own
# servers on loopback. policy-rc.d is Debian's switch for that; it is removed afterwards.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  own_policy=1
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
[ "$own_policy" = 1 ] && $sudo rm -f "$policy"
exit "${status:-0}"
