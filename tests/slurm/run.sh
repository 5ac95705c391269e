#!/usr/bin/env bash
# docs/CLUSTER.md's Slurm recipe "a job array of shards, then merge", run for real against
# Debian's Slurm (slurm-wlm 22.05, munge) on this one machine, as root (issue 18):
#
#     tests/slurm/run.sh [path/to/xsector]        (default: build/sim/xsector; CI: .ci/test.sh)
#
# In a fresh temporary folder it writes a minimal slurm.conf (one node, localhost, with this
# machine's CPUs and memory; proctrack/linuxproc, task/none: no cgroups, no accounting;
# free TCP ports; state, spool and logs in the folder) and a cgroup.conf naming cgroup/v1
# (slurmd 22.05's cgroup autodetection fails without a writable cgroup file system, as in a
# chroot or container; cgroup/v1 does nothing here), makes a munge key for this test and
# starts its own munged (own socket: a munged already running is left alone), slurmctld
# and slurmd in the background, and waits until the node is idle (sinfo). It then submits
# scenarios/slurm/shards.sbatch as `sbatch --array=0-(N-1)` (each task:
# `xsector sweep SCENARIO --shard K/N -o parts/part-K.h5`) and
# scenarios/slurm/merge.sbatch with `--dependency=afterok:<array job>` (`xsector merge`),
# waits for both (a time limit; on failure it prints the jobs' states, their logs and the
# daemons' logs), and checks with tests/slurm/compare.py that the merged file equals a
# single-process `xsector sweep` of the same scenario: every dataset value for value but
# wall_time, every attribute but command_line, start_time, end_time and threads (the reasons
# are in compare.py). The daemons it started are stopped and the folder removed on exit,
# failure included (KEEP=1 keeps the folder). Not root: prints "skipped: ..." and exits 0.
#
# The sweep: scenarios/sweep_lhs_five.toml (200 runs) with one year and half the population,
# in N=4 shards: a few seconds of computing; the whole takes about 10-20 s.
# Environment: SHARDS (default 4), TIMEOUT (seconds for the jobs, default 120).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin_src="${1:-$repo/build/sim/xsector}"
shards="${SHARDS:-4}"
job_timeout="${TIMEOUT:-120}"
python=/usr/bin/python3
scenario_src="$repo/scenarios/sweep_lhs_five.toml"
sweep_options=(--set simulation.years=1 --set population.scale=0.5)

if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: tests/slurm/run.sh needs root (it starts munged, slurmctld and slurmd itself)"
  exit 0
fi
for cmd in munged slurmctld slurmd sbatch sinfo squeue scontrol scancel; do
  command -v "$cmd" > /dev/null || { echo "tests/slurm/run.sh: $cmd not found: apt-get install slurm-wlm munge" >&2; exit 2; }
done
[ -x "$bin_src" ] || { echo "tests/slurm/run.sh: no xsector binary at $bin_src (build it: bash .ci/build.sh)" >&2; exit 2; }

t_begin=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/xsector-slurm.XXXXXX")"
# munged requires its socket's folders to be searchable by everyone (and writable by none).
chmod 755 "$work"
pids=()       # daemons started here, stopped on exit
jobs_seen=()  # job ids submitted here, cancelled on exit if still queued or running
cleanup() {
  local rc=$?
  set +e
  if ((${#jobs_seen[@]})) && [ -n "${SLURM_CONF:-}" ]; then
    timeout 10 scancel "${jobs_seen[@]}" 2> /dev/null
    for _ in $(seq 50); do  # at most 5 s for the jobs' processes to end
      [ -z "$(timeout 2 squeue -h -o %i 2> /dev/null)" ] && break
      sleep 0.1
    done
  fi
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do  # slurmd, slurmctld, then munged
    kill -TERM "${pids[i]}" 2> /dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work"/{bin,munge,state,spool,log,run,jobs,work/parts}
# A private copy: a rebuild of build/ during the test cannot change the binary under it.
cp "$bin_src" "$work/bin/xsector"
cp "$scenario_src" "$work/work/scenario.toml"
cp "$repo/scenarios/slurm/shards.sbatch" "$repo/scenarios/slurm/merge.sbatch" "$work/jobs/"

show_logs() {  # on failure: what Slurm and the jobs said
  local f
  echo "---- jobs (scontrol show job) ----" >&2
  for j in "${jobs_seen[@]}"; do timeout 10 scontrol show job "$j" 2> /dev/null | grep -E 'JobId=|JobState=|ExitCode=' >&2; done
  for f in "$work"/work/*.log "$work"/log/*.log; do
    [ -f "$f" ] || continue
    echo "---- $f (last 40 lines) ----" >&2
    tail -n 40 "$f" >&2
  done
}
die() { echo "FAIL: $*" >&2; show_logs; exit 1; }

# ---- munge: its own key, socket and daemon --------------------------------------------------
if command -v mungekey > /dev/null; then
  mungekey --create --keyfile="$work/munge/munge.key"
else
  dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
munged --foreground --socket="$socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/run/munged.pid" --log-file="$work/log/munged.log" \
  --seed-file="$work/munge/munged.seed" > "$work/log/munged.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$socket" ] && break; kill -0 "${pids[0]}" 2> /dev/null || break; sleep 0.1; done
[ -S "$socket" ] || die "munged did not start (no socket $socket)"

# ---- slurm.conf -----------------------------------------------------------------------------
free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
# This machine's CPUs, sockets, cores, threads and memory, as slurmd sees them.
node_hw=$(slurmd -C | sed -n 1p | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ')
cpus=$(slurmd -C | sed -n 1p | tr ' ' '\n' | sed -n 's/^CPUs=//p')
: > "$work/plugstack.conf"
cat > "$work/slurm.conf" << EOF
# Written by tests/slurm/run.sh: one node, this machine, everything under $work.
ClusterName=xsector-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$work/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
KillWait=5
MailProg=/bin/true
DependencyParameters=kill_invalid_depend
NodeName=localhost NodeAddr=127.0.0.1 $node_hw State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
# slurmd 22.05 loads a cgroup plugin whatever the other plugins are, and its default
# (autodetect) fails where no cgroup file system is mounted ("No filesystem mounted on
# /sys/fs/cgroup": a chroot) or tries to create cgroups where it is read-only (a container).
# cgroup/v1 does nothing until a cgroup-based plugin asks it to, and none is configured.
cat > "$work/cgroup.conf" << EOF
CgroupPlugin=cgroup/v1
CgroupAutomount=no
EOF
export SLURM_CONF="$work/slurm.conf"

# ---- daemons --------------------------------------------------------------------------------
slurmctld -D -i -f "$SLURM_CONF" > "$work/log/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" > "$work/log/slurmd.out.log" 2>&1 &
pids+=($!)
now_ms() { echo $(($(date +%s%N) / 1000000)); }
since() { local d=$(($(now_ms) - $1)); printf '%d.%d s' $((d / 1000)) $((d % 1000 / 100)); }
t_start=$(now_ms)
state=""
up_deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$up_deadline" ]; do
  state=$(timeout 10 sinfo -h -N -n localhost -o %t 2> /dev/null || true)
  [ "$state" = "idle" ] && break
  for pid in "${pids[@]}"; do kill -0 "$pid" 2> /dev/null || die "a daemon (pid $pid) ended during start-up"; done
  sleep 0.1
done
[ "$state" = "idle" ] || die "the node is not idle after 30 s (sinfo says '${state:-nothing}')"
echo "slurm up: node localhost idle ($cpus CPUs) after $(since "$t_start")"

# ---- the recipe: job array of shards, then merge --------------------------------------------
cd "$work/work"
export XSECTOR="$work/bin/xsector"
array_id=$(sbatch --parsable --array=0-$((shards - 1)) --cpus-per-task=1 --time=00:10:00 \
  --output="$work/work/shard-%A_%a.log" \
  "$work/jobs/shards.sbatch" "$shards" scenario.toml parts "${sweep_options[@]}")
array_id=${array_id%%;*}
jobs_seen+=("$array_id")
merge_id=$(sbatch --parsable --dependency=afterok:"$array_id" --time=00:10:00 \
  --output="$work/work/merge-%j.log" \
  "$work/jobs/merge.sbatch" "$shards" parts merged.h5)
merge_id=${merge_id%%;*}
jobs_seen+=("$merge_id")
echo "submitted: array job $array_id (tasks 0-$((shards - 1))), merge job $merge_id (afterok:$array_id)"

job_state() { timeout 10 scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
deadline=$(($(date +%s) + job_timeout))
while :; do
  merge_state=$(job_state "$merge_id")
  case "$merge_state" in
    COMPLETED) break ;;
    FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED)
      die "merge job $merge_id ended $merge_state (array job $array_id: $(job_state "$array_id"))" ;;
  esac
  [ "$(date +%s)" -lt "$deadline" ] || die "jobs not done after $job_timeout s (array: $(job_state "$array_id"), merge: ${merge_state:-unknown})"
  sleep 0.2
done
array_state=$(job_state "$array_id")
[ "$array_state" = "COMPLETED" ] || die "merge completed but the array job's tasks are $array_state"
echo "jobs done: every array task and the merge COMPLETED, $(since "$t_start") after the daemons' start"
cat "$work"/work/merge-*.log

# ---- the same sweep in one process, and the comparison ---------------------------------------
"$work/bin/xsector" sweep scenario.toml -o single.h5 --quiet "${sweep_options[@]}"
"$python" "$here/compare.py" merged.h5 single.h5 || die "the merged file differs from the single-process sweep"
echo "ok: Slurm job array ($shards shards) + merge equals the single-process sweep; Slurm test took $((SECONDS - t_begin)) s"
