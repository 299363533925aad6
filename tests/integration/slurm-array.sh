#!/usr/bin/env bash
# Integration test: `musicml batch` sharded over a Slurm job array gives the same results as one process.
#
#   tests/integration/slurm-array.sh MUSICML_CMD CATALOGUE_DIR WORK_DIR
#
#   MUSICML_CMD    how to run musicml, word-split: /tmp/mm-dev/musicml, or "dotnet /path/to/musicml.dll"
#   CATALOGUE_DIR  a small folder of audio files (a handful of short tracks is plenty)
#   WORK_DIR       scratch space (created if missing; everything the test writes goes here). Keep the path
#                  short-ish: Unix socket paths are limited to 107 bytes (a longer one falls back to /tmp).
#
# What it does, and why:
#   1. Starts a private one-node Slurm cluster (munged + slurmctld + slurmd, all as root, all state, logs,
#      keys and sockets under WORK_DIR, non-default ports), so the test exercises the real array-job
#      environment (SLURM_ARRAY_TASK_ID/_MIN/_COUNT) rather than a simulation of it, without touching any
#      system-wide Slurm or munge configuration.
#   2. Runs a trivial 3-task array job first, so that a broken cluster is reported as a cluster problem and
#      not as a musicml failure.
#   3. Runs `musicml batch CATALOGUE --out WORK/sharded` as a 3-task array (each task picks its shard from
#      the Slurm environment and writes WORK/sharded/shard-K-of-3/), a single-process run into WORK/single,
#      then `musicml batch merge` of the shards into WORK/merged, and requires merged/results.csv to equal
#      single/results.csv byte for byte: sharding + merging must not change the results.
#   4. Stops every daemon and job it started, whatever happens (trap on EXIT).
#
# Exit status: 0 PASS; 1 failure (with the relevant daemon/job logs); 77 SKIP (prints one `SKIP: reason`
# line) when a Slurm cluster cannot be brought up here: not root, Slurm/munge not installed (Debian:
# apt-get install slurm-wlm munge), or a daemon does not come up in time. 2 for a usage error.
#
# Knobs (environment): SLURM_TEST_PORT (slurmctld port, default 16817; slurmd uses +1),
# SLURM_TEST_DAEMON_TIMEOUT (seconds to wait for each daemon, default 60),
# SLURM_TEST_JOB_MINUTES (Slurm time limit of the array job, default 30),
# SLURM_TEST_CLUSTER_ONLY=1 (stop after the trivial array job: checks the cluster part only; MUSICML_CMD
# and CATALOGUE_DIR are then not used).
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 MUSICML_CMD CATALOGUE_DIR WORK_DIR" >&2
  exit 2
fi
musicml_cmd_string=$1
catalogue=$2
work=$3
read -r -a musicml <<< "$musicml_cmd_string"   # word-split on purpose: "dotnet /x/musicml.dll" is two words
if [ ${#musicml[@]} -eq 0 ]; then echo "usage: MUSICML_CMD is empty" >&2; exit 2; fi

port=${SLURM_TEST_PORT:-16817}
daemon_timeout=${SLURM_TEST_DAEMON_TIMEOUT:-60}
job_minutes=${SLURM_TEST_JOB_MINUTES:-30}
cluster_only=${SLURM_TEST_CLUSTER_ONLY:-0}

t_start=$SECONDS
log() { echo "[slurm-array +$((SECONDS - t_start))s] $*"; }
skip() { echo "SKIP: $*"; exit 77; }

# ---- prerequisites: anything missing here means "this machine cannot run the test", not "musicml is broken"
[ "$(id -u)" -eq 0 ] || skip "must run as root (starts slurmctld/slurmd/munged with SlurmUser=root)"
for bin in munged munge unmunge slurmctld slurmd sbatch sinfo squeue scancel; do
  command -v "$bin" >/dev/null 2>&1 || skip "'$bin' not found (Debian: apt-get install slurm-wlm munge)"
done
if [ "$cluster_only" != "1" ]; then
  [ -d "$catalogue" ] || { echo "FAIL: catalogue '$catalogue' is not a directory" >&2; exit 1; }
  catalogue=$(cd "$catalogue" && pwd)
fi

mkdir -p "$work"
work=$(cd "$work" && pwd)
# Start from a clean slate so that an earlier run's outputs (or journals, which would make musicml resume)
# cannot make this run pass.
rm -rf "$work/munge" "$work/slurm" "$work/smoke" "$work/sharded" "$work/single" "$work/merged" "$work/logs"
mkdir -p "$work/munge" "$work/slurm/state" "$work/slurm/spool" "$work/smoke" "$work/logs"
# munged refuses group/world-writable directories on the paths it uses, and wants its socket directory
# searchable by everyone (clients run as any user).
chmod 0711 "$work/munge"

# The munge socket lives in a short private dir under /tmp: it must fit in sun_path (108 bytes incl. NUL), and
# munged wants every directory above it searchable by everyone, which WORK_DIR's ancestors need not be (a test's
# temporary folder is 0700).
sock_dir=$(mktemp -d /tmp/munge-test.XXXXXX)
chmod 0711 "$sock_dir"
munge_socket="$sock_dir/munge.socket"

# Every job process this test causes inherits this token, so cleanup can find exactly those and nothing else
# (slurmstepd daemonises away from slurmd and jobs run under it, so the daemons' PIDs alone are not enough).
export MUSICML_SLURM_TEST_TOKEN="slurm-array-$$-$RANDOM$RANDOM"
export SLURM_CONF="$work/slurm/slurm.conf"
unset SLURM_JOB_ID SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT JOB_COMPLETION_INDEX MUSICML_SHARDS

munged_pid="" slurmctld_pid="" slurmd_pid="" fg_pid=""

# Runs a long command in the background and waits for it: bash runs a trap only after a foreground command
# ends, so a SIGTERM sent to this script during `sbatch --wait` would otherwise wait for the whole job.
# `wait` is interrupted by the signal, and cleanup stops the command (fg_pid).
run_waiting() {
  "$@" &
  fg_pid=$!
  local rc=0
  wait "$fg_pid" || rc=$?
  fg_pid=""
  return "$rc"
}

show_logs() {
  local f
  for f in "$work/munge/munged.log" "$work/slurm/slurmctld.log" "$work/slurm/slurmd.log" \
           "$work/munge/munged.out" "$work/slurm/slurmctld.out" "$work/slurm/slurmd.out"; do
    [ -s "$f" ] || continue
    echo "----- tail $f" >&2
    tail -n 25 "$f" >&2
  done
}

fail() {
  echo "FAIL: $*" >&2
  show_logs
  exit 1
}

# PIDs of the processes this test left behind, once the daemons are stopped: job processes (they carry our token
# in their environment) and slurmstepd (it starts with an empty environment, but keeps our slurmd.log open),
# leaving out this shell's own children (its subshells, the commands of this very function).
token_pids() {
  local p q fd ours
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    ours=0
    if grep -qxzF "MUSICML_SLURM_TEST_TOKEN=$MUSICML_SLURM_TEST_TOKEN" "/proc/$p/environ" 2>/dev/null; then
      ours=1
    elif [ "$(cat "/proc/$p/comm" 2>/dev/null)" = slurmstepd ]; then
      for fd in "/proc/$p/fd/"*; do
        [ "$(readlink "$fd" 2>/dev/null)" = "$work/slurm/slurmd.log" ] && { ours=1; break; }
      done
    fi
    [ "$ours" = 1 ] || continue
    q=$p
    while [ -n "$q" ] && [ "$q" != 0 ] && [ "$q" != 1 ] && [ "$q" != "$$" ]; do
      q=$(awk '{print $4}' "/proc/$q/stat" 2>/dev/null || true)
    done
    [ "$q" = "$$" ] || echo "$p"
  done
}

stop_pid() {  # stop_pid PID NAME: TERM, wait up to 10 s, then KILL
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  echo "cleanup: $2 ($pid) ignored SIGTERM, killing" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i
  set +e
  trap - EXIT INT TERM
  stop_pid "$fg_pid" "$(cat "/proc/$fg_pid/comm" 2>/dev/null || echo command)"
  # Cancel our jobs while the daemons still run, so slurmd tears the job steps down properly.
  if [ -n "$slurmctld_pid" ] && kill -0 "$slurmctld_pid" 2>/dev/null; then
    scancel --quiet --user=root >/dev/null 2>&1
    for _ in $(seq 1 30); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  stop_pid "$slurmd_pid" slurmd
  stop_pid "$slurmctld_pid" slurmctld
  stop_pid "$munged_pid" munged
  # Anything left with our token (a slurmstepd or job process that outlived slurmd) is ours: stop it.
  local -a left
  mapfile -t left < <(token_pids)
  if [ ${#left[@]} -gt 0 ]; then
    echo "cleanup: stopping leftover processes: ${left[*]}" >&2
    kill -TERM "${left[@]}" 2>/dev/null
    for i in $(seq 1 20); do  # slurmstepd may ignore SIGTERM without its slurmd: KILL after 5 s
      mapfile -t left < <(token_pids)
      [ ${#left[@]} -eq 0 ] && break
      [ "$i" -eq 10 ] && kill -KILL "${left[@]}" 2>/dev/null
      sleep 0.5
    done
    [ ${#left[@]} -eq 0 ] || echo "cleanup: could not stop: ${left[*]}" >&2
  fi
  rm -rf "$sock_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() {  # wait_for SECONDS PID DESCRIPTION COMMAND...: poll COMMAND until it succeeds
  local secs=$1 pid=$2 what=$3; shift 3
  for _ in $(seq 1 $((secs * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      show_logs; skip "$what exited during startup (see logs above)"
    fi
    sleep 0.5
  done
  show_logs
  skip "$what did not come up within ${secs}s (see logs above)"
}

# ---- munge: a private key, socket, pid, log and seed file, so the system's munge (if any) is untouched
log "starting munged (munge $(munged --version 2>&1 | awk '{print $1; exit}'))"
mungekey --create --keyfile="$work/munge/munge.key" --force >/dev/null 2>&1 \
  || dd if=/dev/urandom of="$work/munge/munge.key" bs=1 count=1024 status=none
chmod 0400 "$work/munge/munge.key"
munged --foreground --key-file="$work/munge/munge.key" --socket="$munge_socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
  --seed-file="$work/munge/munged.seed" >"$work/munge/munged.out" 2>&1 &
munged_pid=$!
wait_for "$daemon_timeout" "$munged_pid" munged sh -c "munge --socket='$munge_socket' -n | unmunge --socket='$munge_socket'"

# ---- slurm.conf: one node (this machine, as `slurmd -C` describes it), one partition, no cgroups
host=$(hostname -s)
node_line=$(slurmd -C 2>/dev/null | grep '^NodeName=' | head -n 1) || true
[ -n "$node_line" ] || skip "'slurmd -C' did not describe this node"
node_line="NodeName=$host ${node_line#NodeName=* }"   # slurmd -C uses the short hostname too; be explicit
slurm_version=$(slurmctld -V 2>/dev/null | awk '{print $2}')
# select/cons_tres exists from Slurm 19.05 on; older versions only have select/cons_res.
select_type=select/cons_tres
plugin_dir=""
for d in /usr/lib/x86_64-linux-gnu/slurm-wlm /usr/lib/aarch64-linux-gnu/slurm-wlm /usr/lib64/slurm /usr/lib/slurm /usr/local/lib/slurm; do
  [ -e "$d/select_linear.so" ] && { plugin_dir=$d; break; }
done
if [ -n "$plugin_dir" ] && [ ! -e "$plugin_dir/select_cons_tres.so" ]; then select_type=select/cons_res; fi

cat > "$SLURM_CONF" <<EOF
# Generated by tests/integration/slurm-array.sh: a private one-node cluster; everything under $work.
ClusterName=musicmltest
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$work/slurm/state
SlurmdSpoolDir=$work/slurm/spool
SlurmctldPidFile=$work/slurm/slurmctld.pid
SlurmdPidFile=$work/slurm/slurmd.pid
SlurmctldLogFile=$work/slurm/slurmctld.log
SlurmdLogFile=$work/slurm/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: works in containers without a writable cgroup hierarchy.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=$select_type
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
SlurmdTimeout=60
InactiveLimit=0
KillWait=10
MinJobAge=300
$node_line State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
[ -n "$plugin_dir" ] && echo "PluginDir=$plugin_dir" >> "$SLURM_CONF"

log "starting slurmctld and slurmd (Slurm $slurm_version, $select_type, node: $node_line)"
slurmctld -D -c -f "$SLURM_CONF" >"$work/slurm/slurmctld.out" 2>&1 &
slurmctld_pid=$!
wait_for "$daemon_timeout" "$slurmctld_pid" slurmctld sinfo -h
slurmd -D -f "$SLURM_CONF" >"$work/slurm/slurmd.out" 2>&1 &
slurmd_pid=$!
node_idle() { sinfo -h -n "$host" -o %T | grep -qx 'idle'; }
wait_for "$daemon_timeout" "$slurmd_pid" "slurmd (node $host idle in sinfo)" node_idle
log "cluster up: $(sinfo -h -o '%P %D %T %c CPUs')"

# ---- smoke test: a trivial array job, each task writes its host and task id
cat > "$work/smoke/job.sh" <<EOF
#!/bin/bash
echo "\$(hostname -s) \$SLURM_ARRAY_TASK_ID \$SLURM_ARRAY_TASK_MIN \$SLURM_ARRAY_TASK_COUNT" > "$work/smoke/task-\$SLURM_ARRAY_TASK_ID"
EOF
t0=$SECONDS
run_waiting timeout 120 sbatch --quiet --wait --array=0-2 --time=2 --ntasks=1 --cpus-per-task=1 --job-name=smoke \
  --chdir="$work/smoke" --output="$work/logs/smoke-%A_%a.out" "$work/smoke/job.sh" \
  || fail "trivial array job failed (sbatch --wait rc=$?)"
for k in 0 1 2; do
  [ "$(cat "$work/smoke/task-$k" 2>/dev/null)" = "$host $k 0 3" ] \
    || fail "smoke task $k wrote '$(cat "$work/smoke/task-$k" 2>/dev/null)', expected '$host $k 0 3'"
done
log "trivial 3-task array job ok ($((SECONDS - t0))s)"
if [ "$cluster_only" = "1" ]; then log "SLURM_TEST_CLUSTER_ONLY=1: stopping here"; echo PASS; exit 0; fi

# ---- the sharded run: a 3-task array; each task takes its shard from SLURM_ARRAY_TASK_ID/_MIN/_COUNT
mkdir -p "$work/sharded"
{
  echo '#!/bin/bash'
  echo "# musicml batch, one shard per array task; records its exit status for the test to check."
  printf '%q ' "${musicml[@]}" batch "$catalogue" --out "$work/sharded" --tasks tempo,key --workers 1
  echo
  echo "rc=\$?"
  echo "echo \$rc > \"$work/sharded/status-\$SLURM_ARRAY_TASK_ID\""
  echo "exit \$rc"
} > "$work/sharded-job.sh"
chmod +x "$work/sharded-job.sh"
log "submitting the musicml array job (3 tasks, time limit ${job_minutes} min)"
t0=$SECONDS
sbatch_rc=0
run_waiting timeout $(( job_minutes * 60 + 120 )) sbatch --quiet --wait --array=0-2 --time="$job_minutes" --ntasks=1 \
  --cpus-per-task=1 --job-name=musicml-batch --chdir="$work" --output="$work/logs/batch-%A_%a.out" \
  "$work/sharded-job.sh" || sbatch_rc=$?
sharded_s=$((SECONDS - t0))
log "array job finished in ${sharded_s}s (sbatch --wait rc=$sbatch_rc: highest task exit status)"
for k in 0 1 2; do
  st=$(cat "$work/sharded/status-$k" 2>/dev/null || echo missing)
  if [ "$st" != 0 ] && [ "$st" != 1 ]; then
    for f in "$work"/logs/batch-*_"$k".out; do [ -f "$f" ] && { echo "----- $f" >&2; tail -n 40 "$f" >&2; }; done
    fail "array task $k: musicml batch exit status '$st' (expected 0, or 1 when some tracks are broken)"
  fi
  [ -d "$work/sharded/shard-$k-of-3" ] || fail "array task $k wrote no $work/sharded/shard-$k-of-3/ (got: $(cd "$work/sharded" && echo *))"
  [ -s "$work/sharded/shard-$k-of-3/results.csv" ] || fail "array task $k: no shard-$k-of-3/results.csv"
done

# ---- the reference: one process over the whole catalogue
t0=$SECONDS
single_rc=0
run_waiting "${musicml[@]}" batch "$catalogue" --out "$work/single" --tasks tempo,key > "$work/logs/single.out" 2>&1 \
  || single_rc=$?
single_s=$((SECONDS - t0))
log "single-process run: exit $single_rc in ${single_s}s"
if [ "$single_rc" != 0 ] && [ "$single_rc" != 1 ]; then
  tail -n 40 "$work/logs/single.out" >&2; fail "single-process musicml batch exited $single_rc"
fi

# ---- merge the shards and compare
merge_rc=0
run_waiting "${musicml[@]}" batch merge "$work"/sharded/shard-*-of-3 --out "$work/merged" > "$work/logs/merge.out" 2>&1 \
  || merge_rc=$?
log "merge: exit $merge_rc"
if [ "$merge_rc" != 0 ] && [ "$merge_rc" != 1 ]; then
  tail -n 40 "$work/logs/merge.out" >&2; fail "musicml batch merge exited $merge_rc"
fi
[ -s "$work/single/results.csv" ] || fail "no $work/single/results.csv"
[ -s "$work/merged/results.csv" ] || fail "no $work/merged/results.csv"
rows=$(( $(wc -l < "$work/single/results.csv") - 1 ))
[ "$rows" -ge 1 ] || fail "single/results.csv has no data rows"
if ! cmp "$work/single/results.csv" "$work/merged/results.csv"; then
  diff "$work/single/results.csv" "$work/merged/results.csv" | head -n 20 >&2 || true
  fail "merged results.csv differs from the single-process results.csv"
fi
log "merged results.csv equals the single-process one ($rows tracks; array ${sharded_s}s, single ${single_s}s; total $((SECONDS - t_start))s)"
echo PASS
