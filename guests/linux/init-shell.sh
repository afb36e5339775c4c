#!/bin/busybox sh
# /init of the interactive image: a busybox shell on the console with job control.
. /init-common.sh
load_modules
echo
echo "busybox $(busybox | head -n 1 | cut -d' ' -f2) on Linux $(uname -r), $(nproc) CPU(s)."
echo "Type 'poweroff -f' to power off."
setsid cttyhack sh
poweroff -f
