#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use, when they are missing and we may
# (root, or passwordless sudo), and adds the armhf architecture to apt so that the Linux guest's
# packages can be downloaded (guests/linux). Safe to run repeatedly.
set -euo pipefail
want=(gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi gcc-arm-linux-gnueabihf qemu-system-arm gdb-multiarch device-tree-compiler nginx e2fsprogs xz-utils)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
armhf=1
dpkg --print-foreign-architectures 2>/dev/null | grep -qx armhf || armhf=0
[ ${#missing[@]} -eq 0 ] && [ "$armhf" = 1 ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    [ "$armhf" = 0 ] && missing+=("(the armhf architecture)")
    echo "install-deps: not root; skipping ${missing[*]}" >&2
    exit 0
  fi
fi
[ "$armhf" = 0 ] && $sudo dpkg --add-architecture armhf
# A mirror being synced can fail one index (seen: the security suite's armhf list); the packages we
# need come from the main suite, so carry on and let a missing package fail below or in the guest build.
$sudo apt-get update -qq || echo "install-deps: apt-get update reported errors; carrying on" >&2
[ ${#missing[@]} -eq 0 ] && exit 0
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
