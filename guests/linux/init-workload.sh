#!/bin/busybox sh
# /init of the workload image: a fixed workload whose output depends on nothing but the kernel,
# busybox and the disk (no times, no addresses), between two marker lines; then power off.
. /init-common.sh
dmesg -n 1 # keep kernel messages out of the workload's output

echo "=== workload begin"
echo "-- system"
uname -srm
echo "cpus: $(nproc)"
grep -E '^(model name|Features|CPU implementer|CPU architecture|CPU variant|CPU part|CPU revision)' /proc/cpuinfo | sort -u

echo "-- hashes"
sha256sum /bin/busybox | cut -d' ' -f1
md5sum /bin/busybox | cut -d' ' -f1
sha1sum /bin/busybox | cut -d' ' -f1

echo "-- sort and text"
seq 1 20000 | sort -r | md5sum | cut -d' ' -f1
seq 1 3000 | awk '{ s += $1 * $1; f += 1 / $1 } END { printf "%d %.6f\n", s, f }'
seq 1 500 | sed -e 's/1/one/g' -e 's/^\(.*\)$/[\1]/' | tr 'a-z' 'A-Z' | tail -n 3

echo "-- gzip round trip"
gzip -9 -c /bin/busybox > /tmp/bb.gz
wc -c < /tmp/bb.gz
gunzip -c /tmp/bb.gz | cmp - /bin/busybox && echo "gzip: same bytes"

echo "-- fork and exec"
i=0
while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done
echo "ran $i processes"
for j in 1 2 3 4; do (seq $j 4 40000 | sort -n | md5sum | cut -d' ' -f1 > /tmp/par.$j) & done
wait
cat /tmp/par.1 /tmp/par.2 /tmp/par.3 /tmp/par.4

echo "-- ext4 on virtio-blk"
load_modules
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if mount -t ext4 /dev/vda /mnt; then
  seq 1 100000 > /mnt/seq.txt
  cp /bin/busybox /mnt/busybox
  mkdir /mnt/dir
  for k in $(seq 1 50); do echo "file $k" > /mnt/dir/f$k; done
  sync
  umount /mnt && echo "written and unmounted"
  mount -t ext4 -o ro /dev/vda /mnt && echo "mounted again"
  md5sum /mnt/seq.txt /mnt/busybox | cut -d' ' -f1
  cat /mnt/dir/f* | md5sum | cut -d' ' -f1
  ls /mnt/dir | wc -l
  umount /mnt
else
  echo "no ext4 file system on /dev/vda"
fi

echo "-- kernel log"
dmesg | grep -iE 'oops|undefined instruction|lockup|stall|BUG:|WARNING:|segfault|Unable to handle|Internal error' | sed 's/^\[[^]]*\] //'
echo "=== workload end"
poweroff -f
