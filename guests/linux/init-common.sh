# Sourced by both /init scripts: busybox's applets, the kernel's file systems, and PATH.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp /mnt
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

# Loads the kernel modules the image carries (virtio-mmio, virtio-blk, ext4), in dependency order.
load_modules() {
  for m in $(cat /lib/modules/load-order); do
    insmod "/lib/modules/$m" || echo "insmod $m failed"
  done
}
