#!/usr/bin/env bash
# A developer check, not part of CI (it needs the Debian mirror and root): builds a bare
# Debian 12 root with debootstrap (minbase: no packages beyond the minimal base), clones this
# repository into it (its committed state only: nothing of the host's build or packages
# leaks in), and runs the README's commands there, as a new user would:
#
#     sudo bash tests/fresh/run.sh [ROOT] [quickstart|test|both]     (default: /tmp/xsector-fresh, both)
#
# quickstart: `bash .ci/quickstart.sh` (install what building and running need, build, run
# the baseline); test: `bash .ci/test.sh` (what CI runs). Each step's output goes to
# ROOT/xsector-fresh-<step>.log and its time is printed. An existing ROOT is reused (the
# bootstrap is skipped), so a second call only reruns the steps; remove ROOT to start over.
set -euo pipefail
root=${1:-/tmp/xsector-fresh}
steps=${2:-both}
mirror=${MIRROR:-http://deb.debian.org/debian}
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (debootstrap and chroot)" >&2; exit 2; }
command -v debootstrap > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap

if [ ! -x "$root/usr/bin/apt-get" ]; then
  echo "bootstrapping Debian 12 (minbase) into $root"
  debootstrap --variant=minbase bookworm "$root" "$mirror"
fi
# The system's pseudo file systems, unmounted on exit.
cleanup() { for m in dev/pts dev proc sys; do umount -l "$root/$m" 2> /dev/null || true; done; }
trap cleanup EXIT
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The committed repository only: a clone, made inside the root with the root's own git.
rm -rf "$root/xsector.git" "$root/root/xsector"
git clone -q --bare "$repo" "$root/xsector.git"
chroot "$root" /bin/bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git ca-certificates > /dev/null'
chroot "$root" git clone -q /xsector.git /root/xsector

run_step() {  # run_step NAME COMMAND
  local start=$SECONDS
  echo "== $1: $2 (log: $root/xsector-fresh-$1.log)"
  if chroot "$root" /bin/bash -c "cd /root/xsector && $2" > "$root/xsector-fresh-$1.log" 2>&1; then
    echo "== $1: ok in $((SECONDS - start)) s"
  else
    echo "== $1: FAILED after $((SECONDS - start)) s; the end of its log:"
    tail -n 30 "$root/xsector-fresh-$1.log"
    exit 1
  fi
}
case "$steps" in
  quickstart) run_step quickstart "bash .ci/quickstart.sh" ;;
  test) run_step test "bash .ci/test.sh" ;;
  both) run_step quickstart "bash .ci/quickstart.sh"; run_step test "bash .ci/test.sh" ;;
  *) echo "run.sh: steps are quickstart, test or both, not $steps" >&2; exit 2 ;;
esac
