# Sourced by bench/nbd/run.sh and bench/chunks/run.sh: a server's CPU time over one measured fio run.
# CPU time per I/O is the steal-robust figure of those benchmarks: the guest kernel does not charge steal
# time to a task, so it compares the servers' efficiency even when wall-clock latency drifts with the host.

# cpu_ticks PID: utime+stime of the process (all its threads) in clock ticks.
cpu_ticks() {
  local stat fields
  stat=$(< "/proc/$1/stat")
  read -r -a fields <<< "${stat##*) }" # fields[0] is field 3 (state): utime is field 14, stime 15
  echo $((fields[11] + fields[12]))
}

# cpu_during PID PORT RAMP CPU_FILE COMMAND...: runs COMMAND (a fio run against the server listening on
# PORT) in the background and writes to CPU_FILE the server's CPU ticks from the moment fio's connection is
# up plus RAMP seconds (fio's unmeasured ramp) until COMMAND exits.
cpu_during() {
  local pid=$1 port=$2 ramp=$3 cpu_file=$4
  shift 4
  "$@" &
  local command_pid=$! before after
  for _ in $(seq 1 300); do # until fio's connection is up (at most ~3 s)
    ss -Htn state established "( sport = :$port )" | grep -q . && break
    sleep 0.01
  done
  sleep "$ramp"
  before=$(cpu_ticks "$pid")
  wait "$command_pid" || echo "$* failed" >&2
  after=$(cpu_ticks "$pid")
  echo $((after - before)) > "$cpu_file"
}
