#!/usr/bin/python3
"""Ledgerdisk benchmark harness (issue 9).

Starts Ledgerdisk (3 bookies, immediate then lazy durability) and the reference NBD servers
(nbdkit memory, nbdkit file, qemu-nbd --cache=none, nbd-server) one after another on 127.0.0.1,
on free ports, with their data on the same disk, and runs Vitastor's six fio tests against each
through fio's nbd engine. Then calls the other engineers' benchmarks when they exist
(bench/journal, bench/meta, bench/compaction) and writes one table as JSON and Markdown under
bench/results/. Standard library only; run it through bench/run.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
JFR25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr"

MODES = {
    # runtime and ramp per fio test (s), the region every test works in (prefilled first), the
    # unmeasured 4k QD32 random-write precondition after the prefill (s, 0: none), operations for
    # the journal bench, operations for the meta bench (0: skip)
    "smoke": dict(runtime=2, ramp=0, region="64M", precondition=0, journal_ops=0, meta_ops=0, bookies=1),
    "quick": dict(runtime=5, ramp=1, region="128M", precondition=10, journal_ops=300, meta_ops=0, bookies=3),
    "full": dict(runtime=20, ramp=2, region="512M", precondition=45, journal_ops=2000, meta_ops=1000, bookies=3),
}

VOLUME = "bench"
VOLUME_SIZE = "1G"

# Vitastor's six tests (vitastor README, "I use the following 6 commands"), QD32 for the parallel
# ones and QD8 for the linear ones as issue 9 asks.
TESTS = [
    ("t1q1_randwrite_fsync", "randwrite", "4k", 1, ["--fsync=1"]),
    ("t1q1_randread", "randread", "4k", 1, []),
    ("qd32_randwrite", "randwrite", "4k", 32, []),
    ("qd32_randread", "randread", "4k", 32, []),
    ("seq_write_4m_qd8", "write", "4M", 8, []),
    ("seq_read_4m_qd8", "read", "4M", 8, []),
]
SMOKE_TESTS = [TESTS[0], TESTS[1]]

# metric key, label, which way is better, test, extractor
METRICS = [
    ("t1q1_write_iops", "4k randwrite T1Q1 fsync=1 — IOPS", "higher", "t1q1_randwrite_fsync",
     lambda r: r["iops"]),
    ("t1q1_write_lat", "4k randwrite T1Q1 fsync=1 — µs per write+fsync (1/IOPS)", "lower",
     "t1q1_randwrite_fsync", lambda r: 1e6 / r["iops"] if r["iops"] else None),
    ("t1q1_read_iops", "4k randread T1Q1 — IOPS", "higher", "t1q1_randread", lambda r: r["iops"]),
    ("t1q1_read_lat", "4k randread T1Q1 — mean latency µs", "lower", "t1q1_randread",
     lambda r: r["lat_mean_us"]),
    ("qd32_write_iops", "4k randwrite QD32 — IOPS", "higher", "qd32_randwrite", lambda r: r["iops"]),
    ("precondition_write_iops", "4k randwrite QD32 in the precondition, the first seconds of random writes after "
     "the start (a JVM still compiling) — IOPS", "higher", "precondition", lambda r: r["iops"]),
    ("qd32_read_iops", "4k randread QD32 — IOPS", "higher", "qd32_randread", lambda r: r["iops"]),
    ("seq_write_mbs", "4M write QD8 — MB/s", "higher", "seq_write_4m_qd8", lambda r: r["mbs"]),
    ("seq_read_mbs", "4M read QD8 — MB/s", "higher", "seq_read_4m_qd8", lambda r: r["mbs"]),
]

OURS = ["ledgerdisk-immediate", "ledgerdisk-lazy"]
REFS = ["nbdkit-memory", "nbdkit-file", "qemu-nbd", "nbd-server"]
LABELS = {
    "ledgerdisk-immediate": "Ledgerdisk immediate",
    "ledgerdisk-lazy": "Ledgerdisk lazy",
    "nbdkit-memory": "nbdkit memory",
    "nbdkit-file": "nbdkit file",
    "qemu-nbd": "qemu-nbd (cache=none)",
    "nbd-server": "nbd-server",
}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Interrupted(Exception):
    pass


def on_signal(signum, _frame):
    raise Interrupted(f"signal {signum}")


def size_bytes(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    text = text.strip().upper()
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    """True when something listens on 127.0.0.1:port — read from /proc so that no connection is
    made (nbd-server in the foreground serves exactly one connection)."""
    want = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[1].endswith(want) and cols[3] == "0A":
                        return True
        except OSError:
            pass
    return False


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return None


def run(cmd, timeout=None, cwd=None, env=None):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, cwd=cwd, env=env, errors="replace")


def tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Server:
    """A process we started, in its own session; stopped by its process group id only."""


    def __init__(self, name, work):
        self.name = name
        self.work = work
        self.proc = None
        self.port = free_port()
        self.export = VOLUME
        self.logfile = work / f"{name}.log"

    @property
    def uri(self):
        return f"nbd://127.0.0.1:{self.port}/{self.export}"

    def command(self):
        raise NotImplementedError

    def env(self):
        return None

    def spawn(self):
        out = open(self.logfile, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.env(), cwd=self.work,
                                     start_new_session=True)
        out.close()

    def start(self):
        self.spawn()
        self.wait_ready()

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {tail(self.logfile)}")
            if listening(self.port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not listen on {self.port} within {timeout} s")

    def before_fio(self):
        pass

    def after_prefill(self):
        """Work the server would otherwise do in the background during the first test."""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        else:
            # the leader is gone; make sure nothing it left in its group survives
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc = None


class NbdkitMemory(Server):
    def command(self):
        return ["nbdkit", "--foreground", "--ipaddr=127.0.0.1", f"--port={self.port}",
                f"--exportname={VOLUME}", "memory", VOLUME_SIZE]


class NbdkitFile(Server):
    def __init__(self, name, work, image):
        super().__init__(name, work)
        self.image = image

    def command(self):
        return ["nbdkit", "--foreground", "--ipaddr=127.0.0.1", f"--port={self.port}",
                f"--exportname={VOLUME}", "file", str(self.image)]


class QemuNbd(Server):
    def __init__(self, name, work, image):
        super().__init__(name, work)
        self.image = image

    def command(self):
        return ["qemu-nbd", "--cache=none", "-f", "raw", "-t", "-e", "8", "-b", "127.0.0.1",
                "-p", str(self.port), "-x", VOLUME, str(self.image)]


class NbdServer(Server):
    """nbd-server 3.24 has no foreground mode that serves more than one client (-d handles one
    connection and exits, and fio's nbd engine connects twice), so it runs as the daemon it is
    meant to be, with a PID file; it is stopped by that PID (and its per-client children by
    theirs)."""

    def __init__(self, name, work, image):
        super().__init__(name, work)
        self.image = image
        self.pid = None
        self.pidfile = work / "nbd-server.pid"
        self.config = work / "nbd-server.conf"
        self.config.write_text(
            "[generic]\n"
            "    listenaddr = 127.0.0.1\n"
            f"    port = {self.port}\n"
            "    allowlist = true\n"
            f"[{VOLUME}]\n"
            f"    exportname = {image}\n"
            "    flush = true\n"
            "    fua = true\n")

    def command(self):
        return ["nbd-server", "-C", str(self.config), "-p", str(self.pidfile)]

    def start(self):
        with open(self.logfile, "ab") as out:
            p = subprocess.run(self.command(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               cwd=self.work, timeout=30)
        if p.returncode != 0:
            raise RuntimeError(f"nbd-server exited {p.returncode}: {tail(self.logfile)}")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                self.pid = int(self.pidfile.read_text().strip())
            except (OSError, ValueError):
                self.pid = None
            if self.pid and listening(self.port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"nbd-server did not listen on {self.port}: {tail(self.logfile)}")

    def _alive(self, pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def _children(self, pid):
        kids = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == pid:
                        kids.append(int(d))
                except (OSError, ValueError, IndexError):
                    pass
        return kids

    def stop(self):
        if not self.pid:
            return
        pids = [self.pid] + self._children(self.pid)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.time() + 10
            while time.time() < deadline and any(self._alive(p) for p in pids):
                time.sleep(0.1)
            if not any(self._alive(p) for p in pids):
                break
        self.pid = None


class Ledgerdisk(Server):
    def __init__(self, name, work, app, durability, bookies, java_opts):
        super().__init__(name, work)
        self.app = app
        self.durability = durability
        self.bookies = bookies
        self.java_opts = java_opts
        self.http = free_port()
        self.data = work / f"{name}-data"

    @property
    def api(self):
        return f"http://127.0.0.1:{self.http}"

    def command(self):
        return [str(self.app / "bin" / "ledgerdisk"), "dev", "--data", str(self.data),
                "--nbd", f"127.0.0.1:{self.port}", "--http", f"127.0.0.1:{self.http}",
                "--bookies", str(self.bookies), "--durability", self.durability]

    def env(self):
        env = dict(os.environ)
        env["JAVA_OPTS"] = self.java_opts
        return env

    def after_prefill(self):
        # Fold the prefill into chunks now rather than in the middle of the T1Q1 write test.
        run([str(self.app / "bin" / "ledgerdisk"), "volume", "compact", VOLUME, "--api", self.api], timeout=900)

    def wait_ready(self, timeout=300):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {tail(self.logfile)}")
            try:
                with urllib.request.urlopen(self.api + "/api/v1/health", timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}: /api/v1/health not 200 within {timeout} s: {tail(self.logfile)}")

    def create_volume(self):
        p = run([str(self.app / "bin" / "ledgerdisk"), "volume", "create", VOLUME, "--size", VOLUME_SIZE,
                 "--api", self.api], timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"volume create failed ({p.returncode}): {p.stdout.strip()}")


def parse_fio(path, rw):
    with open(path, errors="replace") as f:
        text = f.read()
    data = json.loads(text[text.index("{"):])
    job = data["jobs"][0]
    if job.get("error"):
        raise RuntimeError(f"fio error {job['error']}")
    side = job["write"] if "write" in rw else job["read"]
    pct = side.get("clat_ns", {}).get("percentile", {})
    result = {
        "iops": side["iops"],
        "mbs": side["bw_bytes"] / 1e6,
        "lat_mean_us": side["lat_ns"]["mean"] / 1000.0,
        "clat_p99_us": pct.get("99.000000", 0) / 1000.0,
        "io_bytes": side["io_bytes"],
        "runtime_ms": side.get("runtime"),
    }
    sync = job.get("sync")
    if sync and sync.get("total_ios"):
        result["sync_lat_mean_us"] = sync["lat_ns"]["mean"] / 1000.0
    if side["io_bytes"] == 0:
        raise RuntimeError("fio did no I/O")
    return result


def fio(server, name, rw, bs, depth, extra, work, region, timeout, time_based=None):
    out = work / f"fio-{server.name}-{name}.json"
    cmd = ["fio", f"--name={name}", "--ioengine=nbd", f"--uri={server.uri}", f"--rw={rw}", f"--bs={bs}",
           f"--iodepth={depth}", f"--size={region}", "--numjobs=1", "--output-format=json",
           f"--output={out}"] + extra
    if time_based:
        runtime, ramp = time_based
        cmd += ["--time_based", f"--runtime={runtime}"] + ([f"--ramp_time={ramp}"] if ramp else [])
    server.before_fio()
    load = loadavg()
    p = run(cmd, timeout=timeout, cwd=work)
    with open(work / f"fio-{server.name}-{name}.log", "w") as f:
        f.write(" ".join(cmd) + "\n" + p.stdout)
    if p.returncode != 0:
        raise RuntimeError(f"fio exited {p.returncode}: {p.stdout.strip()[-400:]}")
    r = parse_fio(out, rw)
    r["load_before"] = load
    r["finished_at"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return r


class Profiler:
    """JFR of the Ledgerdisk JVM around one test, started and stopped with jcmd."""

    def __init__(self, work):
        self.work = work
        self.file = None

    def start(self, server):
        self.file = self.work / f"{server.name}.jfr"
        p = run(["jcmd", str(server.proc.pid), "JFR.start", "name=bench", "settings=profile"], timeout=60)
        if p.returncode != 0 or "Started recording" not in p.stdout:
            log(f"JFR.start failed: {p.stdout.strip()}")
            self.file = None

    def stop(self, server):
        if self.file is None:
            return None
        p = run(["jcmd", str(server.proc.pid), "JFR.stop", "name=bench", f"filename={self.file}"], timeout=120)
        if p.returncode != 0 or not self.file.exists():
            log(f"JFR.stop failed: {p.stdout.strip()}")
            return None
        return self.file


def summarize_jfr(jfr_file, title):
    lines = [title, ""]
    jfr = shutil.which("jfr")
    p = run([jfr, "print", "--json", "--stack-depth", "40", "--events", "jdk.ExecutionSample", str(jfr_file)],
            timeout=600)
    try:
        events = json.loads(p.stdout)["recording"]["events"]
    except (ValueError, KeyError) as e:
        events = []
        lines.append(f"could not read samples: {e}: {p.stdout[:300]}")

    def frame_name(fr):
        m = fr.get("method", {})
        return f"{m.get('type', {}).get('name', '?')}.{m.get('name', '?')}"

    top, ours, threads, inclusive = {}, {}, {}, {}
    for e in events:
        v = e.get("values", {})
        frames = (v.get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        t = v.get("sampledThread") or {}
        tname = re.sub(r"\d+", "N", t.get("javaName") or t.get("osName") or "?")
        threads[tname] = threads.get(tname, 0) + 1
        f0 = frame_name(frames[0])
        top[f0] = top.get(f0, 0) + 1
        seen = set()
        for fr in frames:
            n = frame_name(fr)
            if n not in seen:
                seen.add(n)
                inclusive[n] = inclusive.get(n, 0) + 1
        for fr in frames:
            n = frame_name(fr)
            if n.startswith("io.ledgerdisk."):
                ours[n] = ours.get(n, 0) + 1
                break
    total = sum(top.values())

    def block(name, counts, n=25):
        lines.append(f"{name} (of {total} samples)")
        for k, c in sorted(counts.items(), key=lambda kv: -kv[1])[:n]:
            lines.append(f"  {100.0 * c / max(total, 1):5.1f}%  {c:6d}  {k}")
        lines.append("")

    block("hottest top frames (self time)", top)
    block("inclusive time (frame anywhere in the sampled stack, depth 40)", inclusive, 40)
    block("first io.ledgerdisk frame on the stack", ours, 20)
    block("samples by thread (digits folded)", threads, 20)
    lines.extend(jfr_waits(jfr, jfr_file))
    if os.path.exists(JFR25):
        for view in ("hot-methods", "latencies-by-type", "allocation-by-class", "gc"):
            q = run([JFR25, "view", "--width", "160", view, str(jfr_file)], timeout=600)
            lines.append(f"$ jfr view {view}   (Temurin 25 jfr)")
            lines.append(q.stdout.rstrip())
            lines.append("")
    return "\n".join(lines) + "\n"


def jfr_waits(jfr, jfr_file):
    """CPU use of the JVM and the machine, and the file forces (fsync) JFR saw over its threshold
    (10 ms in the profile settings): where the time goes when the JVM is not busy."""
    p = run([jfr, "print", "--json", "--stack-depth", "1", "--events", "jdk.CPULoad,jdk.FileForce", str(jfr_file)],
            timeout=600)
    try:
        events = json.loads(p.stdout)["recording"]["events"]
    except (ValueError, KeyError):
        return ["(no CPULoad/FileForce events)", ""]
    cpu = [e["values"] for e in events if e.get("type") == "jdk.CPULoad"]
    cpu = [c for c in cpu if c.get("machineTotal")]
    out = []
    if cpu:
        jvm = sum(c.get("jvmUser", 0) + c.get("jvmSystem", 0) for c in cpu) / len(cpu)
        mach = sum(c.get("machineTotal", 0) for c in cpu) / len(cpu)
        out.append(f"CPU (jdk.CPULoad, {len(cpu)} samples, share of all cores): this JVM {100 * jvm:.0f}%, "
                   f"whole machine {100 * mach:.0f}%")
    forces, by_thread = [], {}
    for e in events:
        if e.get("type") != "jdk.FileForce":
            continue
        m = re.match(r"PT(?:(\d+)M)?([\d.]+)S", e["values"].get("duration", ""))
        if not m:
            continue
        ms = (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000
        forces.append(ms)
        t = re.sub(r"\d+", "N", (e["values"].get("eventThread") or {}).get("javaName") or "?")
        by_thread[t] = by_thread.get(t, 0) + 1
    if forces:
        forces.sort()
        out.append(f"file forces (fsync/fdatasync) slower than the 10 ms JFR threshold: {len(forces)}, "
                   f"median {forces[len(forces) // 2]:.1f} ms, p99 {forces[min(len(forces) - 1, int(len(forces) * 0.99))]:.1f} ms, "
                   f"longest {forces[-1]:.1f} ms; by thread: "
                   + ", ".join(f"{k} {v}" for k, v in sorted(by_thread.items(), key=lambda kv: -kv[1])))
    else:
        out.append("no file force slower than the 10 ms JFR threshold")
    return out + [""]


def machine(work):
    info = {"nproc": os.cpu_count()}
    try:
        info["nproc"] = int(run(["nproc"]).stdout.strip())
    except (ValueError, OSError):
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["mem_gib"] = round(int(line.split()[1]) / (1 << 20), 1)
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    df = run(["df", "--output=source,fstype,size,avail,target", str(work)]).stdout.strip().splitlines()
    if len(df) > 1:
        src, fstype, size, avail, target = df[1].split()[:5]
        info["disk"] = {"device": src, "fstype": fstype, "size_kib": size, "avail_kib": avail, "mount": target}
        lb = run(["lsblk", "-ndo", "NAME,SIZE,ROTA,TYPE,MODEL", src]).stdout.strip()
        info["disk"]["lsblk"] = lb
        info["disk"]["rotational"] = lb.split()[2] == "1" if len(lb.split()) > 2 else None
    info["kernel"] = os.uname().release
    return info


def versions():
    v = {}
    for name, cmd in [("fio", ["fio", "--version"]), ("nbdkit", ["nbdkit", "--version"]),
                      ("qemu-nbd", ["qemu-nbd", "--version"]), ("nbd-server", ["nbd-server", "-V"]),
                      ("java", ["java", "-version"])]:
        try:
            out = run(cmd, timeout=30).stdout.strip().splitlines()
            v[name] = next((l for l in out if re.search(r"\d+\.\d+", l)), out[0] if out else "?").strip()
        except (OSError, subprocess.TimeoutExpired) as e:
            v[name] = f"missing ({e})"
    return v


def git(*args):
    try:
        return run(["git", *args], cwd=ROOT, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def prepare_app(work, rebuild):
    """Builds if needed, then copies bin/ledgerdisk, the jar and its lib into the temp dir so that
    another engineer's concurrent rebuild cannot change the binary in the middle of a run."""
    jar = ROOT / "appliance" / "target" / "ledgerdisk-appliance.jar"
    lib = ROOT / "appliance" / "target" / "lib"
    if rebuild or not jar.exists() or not lib.is_dir():
        log("building: mvn -B -q -DskipTests install")
        p = run(["mvn", "-B", "-q", "-DskipTests", "install"], cwd=ROOT, timeout=1800)
        if p.returncode != 0:
            raise RuntimeError(f"build failed: {p.stdout.strip()[-800:]}")
    app = work / "app"
    (app / "bin").mkdir(parents=True)
    shutil.copy2(ROOT / "bin" / "ledgerdisk", app / "bin" / "ledgerdisk")
    target = app / "appliance" / "target"
    target.mkdir(parents=True)
    shutil.copy2(jar, target / jar.name)
    shutil.copytree(lib, target / "lib")
    built = datetime.datetime.fromtimestamp(jar.stat().st_mtime, datetime.timezone.utc)
    return app, built.strftime("%Y-%m-%d %H:%M UTC")


def dirty_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Dirty:"):
                return int(line.split()[1])
    return 0


def settle(server, limit_s=90):
    """After the prefill and precondition, lets every server start its tests on a quiet disk: the server's own deferred
    work (Ledgerdisk folds the prefill), then `sync` and a wait until the kernel's dirty pages are
    written back. Without it the first test (T1Q1 write+fsync) raced 1.5 GB of bookie entry-log and
    page-cache writeback, and measured the disk's queue rather than the server."""
    t0 = time.time()
    try:
        server.after_prefill()
    except Exception as e:  # noqa: BLE001 — a failed fold shows up in the tests anyway
        log(f"{server.name}: after-prefill step failed: {e}")
    os.sync()
    while dirty_kib() > 16 * 1024 and time.time() - t0 < limit_s:
        time.sleep(0.5)
    secs = round(time.time() - t0, 1)
    log(f"{server.name}: settled in {secs} s (dirty pages {dirty_kib()} KiB)")
    return secs


def bench_server(server, tests, cfg, work, results, profiler=None, profile_test=None):
    region = cfg["region"]
    per = results.setdefault(server.name, {})
    t0 = time.time()
    log(f"{server.name}: prefill {region} (4M QD8 sequential write) at {server.uri}")
    try:
        per["prefill"] = fio(server, "prefill", "write", "4M", 8, [], work, region, timeout=900)
    except Exception as e:  # noqa: BLE001 — record and go on
        per["prefill"] = {"error": str(e)}
        log(f"{server.name}: prefill failed: {e}")
    if cfg["precondition"]:
        # Every server gets the same random writes before its first test, as SNIA's performance test
        # specification preconditions a device to steady state: the tests then measure a server that
        # has been up a while. For a JVM that means compiled code; Ledgerdisk's first minute of
        # random writes runs at about half its later speed while the JIT compiles the write path.
        log(f"{server.name}: precondition {cfg['precondition']} s (4k randwrite QD32, unmeasured)")
        try:
            per["precondition"] = fio(server, "precondition", "randwrite", "4k", 32, [], work, region,
                                      timeout=cfg["precondition"] + 120, time_based=(cfg["precondition"], 0))
        except Exception as e:  # noqa: BLE001 — the tests show what went wrong
            per["precondition"] = {"error": str(e)}
            log(f"{server.name}: precondition failed: {e}")
    per["settle_s"] = settle(server)
    for name, rw, bs, depth, extra in tests:
        log(f"{server.name}: {name} ({cfg['runtime']} s)")
        prof = profiler is not None and name == profile_test
        try:
            if prof:
                profiler.start(server)
            per[name] = fio(server, name, rw, bs, depth, extra, work, region,
                            timeout=cfg["runtime"] + cfg["ramp"] + 120,
                            time_based=(cfg["runtime"], cfg["ramp"]))
            r = per[name]
            log(f"{server.name}: {name}: {r['iops']:.0f} IOPS, {r['mbs']:.1f} MB/s, mean {r['lat_mean_us']:.0f} µs")
        except subprocess.TimeoutExpired:
            per[name] = {"error": f"fio did not finish within {cfg['runtime'] + cfg['ramp'] + 120} s (the server stalled); killed"}
            log(f"{server.name}: {name}: timed out")
        except Exception as e:  # noqa: BLE001
            per[name] = {"error": str(e)}
            log(f"{server.name}: {name}: failed: {e}")
        finally:
            if prof:
                f = profiler.stop(server)
                if f:
                    per[name]["jfr"] = str(f)
        if server.proc is not None and server.proc.poll() is not None:
            log(f"{server.name} died: {tail(server.logfile)}")
            for rest in tests[tests.index((name, rw, bs, depth, extra)) + 1:]:
                per[rest[0]] = {"error": f"{server.name} exited ({server.proc.returncode})"}
            break
    per["elapsed_s"] = round(time.time() - t0, 1)


def volume_ops(server, per):
    """Times `volume compact` of the benchmark volume after the tests and a point-in-time
    `volume restore` to the moment the QD32 randwrite test ended, each minus the CLI's own start
    (`volume list`)."""
    cli = [str(server.app / "bin" / "ledgerdisk")]
    api = ["--api", server.api]

    def timed(args, timeout=900):
        t0 = time.time()
        p = run(cli + args + api, timeout=timeout)
        return time.time() - t0, p

    res = {}
    try:
        base, p = timed(["volume", "list"], 120)
        res["cli_start_s"] = round(base, 2)
        secs, p = timed(["volume", "compact", VOLUME])
        res["compact_wall_s"] = round(secs, 2)
        res["compact_s"] = round(max(0.0, secs - base), 2) if p.returncode == 0 else None
        if p.returncode != 0:
            res["compact_error"] = p.stdout.strip()[-300:]
        at = (per.get("qd32_randwrite") or {}).get("finished_at")
        if at:
            secs, p = timed(["volume", "restore", VOLUME, "--at", at, "--as", VOLUME + "-restored"])
            res["restore_at"] = at
            res["restore_wall_s"] = round(secs, 2)
            res["restore_s"] = round(max(0.0, secs - base), 2) if p.returncode == 0 else None
            if p.returncode != 0:
                res["restore_error"] = p.stdout.strip()[-300:]
    except subprocess.TimeoutExpired as e:
        res["error"] = f"timed out: {e}"
    log(f"{server.name}: volume ops {res}")
    return res


def run_script(cmd, timeout, env=None):
    t0 = time.time()
    try:
        p = run(cmd, timeout=timeout, cwd=ROOT, env=env)
        return p.returncode, p.stdout, round(time.time() - t0, 1)
    except subprocess.TimeoutExpired as e:
        out = e.stdout if isinstance(e.stdout, str) else (e.stdout or b"").decode(errors="replace")
        return None, out + f"\n(timed out after {timeout} s)", round(time.time() - t0, 1)


def journal_bench(cfg, work):
    script = ROOT / "bench" / "journal" / "run.sh"
    if not script.exists():
        return {"status": "not measured (bench/journal/run.sh does not exist yet)"}
    if not cfg["journal_ops"]:
        return {"status": "not measured (skipped in this mode)"}
    data = work / "journal-data"
    data.mkdir()
    log(f"journal bench: bench/journal/run.sh {cfg['journal_ops']} 3 {data}")
    rc, out, secs = run_script([str(script), str(cfg["journal_ops"]), "3", str(data)], timeout=900)
    res = {"command": f"bench/journal/run.sh {cfg['journal_ops']} 3 <temp dir on the same disk>",
           "rc": rc, "elapsed_s": secs, "lines": {}}
    for line in out.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        m = re.match(r"(.+?)\s+median\s+([\d.]+)\s*µs\s+p99\s+([\d.]+)\s*µs\s+mean\s+([\d.]+)", line)
        if m:
            res["lines"][m.group(1).strip()] = {"median_us": float(m.group(2)), "p99_us": float(m.group(3)),
                                                 "mean_us": float(m.group(4))}
        m = re.match(r"(.+?)\s+([\d.]+)\s+appends/s\s+([\d.]+)\s+MB/s", line)
        if m:
            res["lines"][m.group(1).strip()] = {"appends_per_s": float(m.group(2)), "mbs": float(m.group(3))}
    res["status"] = "ok" if res["lines"] else f"failed (rc {rc}): {out.strip()[-300:]}"
    if not res["lines"]:
        res["output_tail"] = out[-3000:]
    return res


def meta_bench(cfg):
    script = ROOT / "bench" / "meta" / "run.sh"
    if not script.exists():
        return {"status": "not measured (bench/meta/run.sh does not exist yet)"}
    if not cfg["meta_ops"]:
        return {"status": "not measured (full run only)"}
    log(f"meta bench: bench/meta/run.sh {cfg['meta_ops']}")
    rc, out, secs = run_script([str(script), str(cfg["meta_ops"])], timeout=900)
    keep = [l.strip() for l in out.splitlines() if re.match(r"\s*(baseline|ratis|placement)\b", l)]
    res = {"rc": rc, "elapsed_s": secs, "output": keep}
    for l in keep:
        m = re.search(r"createVolume sequential.*median ([\d.]+) ms", l)
        if m:
            res["create_volume_median_ms"] = float(m.group(1))
    res["status"] = "ok" if keep else f"failed (rc {rc}): {out.strip()[-300:]}"
    return res


def compaction_bench(cfg, quick):
    script = ROOT / "bench" / "compaction" / "run.sh"
    if not script.exists():
        return {"status": "not measured (bench/compaction/run.sh does not exist yet; the compactor is in progress)"}
    if quick:
        return {"status": "not measured (full run only: bench/compaction/run.sh builds the module first)"}
    cmd = [str(script)]
    log("compaction bench: bench/compaction/run.sh")
    rc, out, secs = run_script(cmd, timeout=900)
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", l).rstrip() for l in out.splitlines()]
    res = {"rc": rc, "elapsed_s": secs, "command": "bench/compaction/run.sh " + " ".join(cmd[1:]), "folds": {}}
    start = next((i for i, l in enumerate(lines) if l.startswith("compaction bench:")), None)
    res["output"] = lines[start:] if start is not None else lines[-30:]
    parse_compaction(lines, res)
    if res["folds"]:
        res["status"] = "ok"
    else:
        last = next((l.strip() for l in reversed(lines) if l.strip()), "")
        first_err = next((l.strip() for l in lines if "error:" in l), last)
        res["status"] = f"not measured (bench/compaction/run.sh failed, rc {rc}: {first_err[:160]})"
        res["output_tail"], res["output"] = res["output"][-40:], []
    return res


def parse_compaction(lines, res):
    res["folds"] = {}
    for l in lines:
        m = re.search(r"BEFORE merging: (\d+) extents, estimate ([\d.]+) MiB, measured ([\d.]+) MiB", l)
        if m:
            res["extent_map_before"] = {"extents": int(m.group(1)), "estimate_mib": float(m.group(2)),
                                        "measured_mib": float(m.group(3))}
        m = re.search(r"fold ([\d.]+) \+ merge ([\d.]+) chunk bytes per client byte, (\d+) merge passes, "
                      r"(\d+) extents left \(([\d.]+) KiB of map\)", l)
        if m:
            res["write_amplification"] = {"fold": float(m.group(1)), "merge": float(m.group(2)),
                                          "passes": int(m.group(3)), "extents_left": int(m.group(4)),
                                          "map_kib_per_gib": float(m.group(5))}
        m = re.match(r"\s*(.+?writes, .+?store.*?)\s+([\d.]+)\s+([\d.]+)(?:\s+([\d.]+))?\s*$", l)
        if m:
            res["folds"][re.sub(r"\s+", " ", m.group(1))] = {
                "random_mbs": float(m.group(2)), "compressible_mbs": float(m.group(3)),
                "mixed_mbs": float(m.group(4)) if m.group(4) else None}
        m = re.match(r"\s*compression ratio of the data.*?([\d.]+)\s+([\d.]+)\s*$", l)
        if m:
            res["compression_ratio"] = {"random": float(m.group(1)), "compressible": float(m.group(2))}
    return res


# ---------------------------------------------------------------- table

def fmt(v, key):
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    if key.startswith("extent_map"):
        return f"{v:.1f}"
    if key.endswith("_time"):
        return f"{v:.2f}"
    if key.endswith("_lat") or key.endswith("_us"):
        return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
    if key.endswith("_mbs"):
        return f"{v:,.0f}" if v >= 10 else f"{v:.1f}"
    return f"{v:,.0f}"


def build_table(results, servers, extra_rows, tests):
    rows = []
    run_tests = {t[0] for t in tests} | {"precondition"}
    for key, label, better, test, get in METRICS:
        if test not in run_tests or not any(test in results.get(s, {}) for s in servers):
            continue
        vals = {}
        for s in servers:
            r = results.get(s, {}).get(test)
            try:
                vals[s] = get(r) if r and "error" not in r else None
            except (KeyError, TypeError, ZeroDivisionError):
                vals[s] = None
        refs = {s: vals[s] for s in REFS if s in servers and vals.get(s) is not None}
        best = None
        if refs:
            best = (max if better == "higher" else min)(refs, key=lambda s: refs[s])
        row = {"key": key, "metric": label, "better": better, "values": vals, "best_ref": best}
        for s in OURS:
            if best and vals.get(s) is not None and refs[best]:
                row[f"ratio_{s}"] = vals[s] / refs[best]
        rows.append(row)
    return rows + extra_rows


def extra_rows(results, journal, meta, compaction):
    rows = []

    def lat(s):
        r = results.get(s, {}).get("t1q1_randwrite_fsync")
        return 1e6 / r["iops"] if r and "error" not in r and r.get("iops") else None

    jl = journal.get("lines", {})
    floor_rows = [
        ("journal_addentry", "bare BookKeeper addEntry QD1 4k, mean µs (bench/journal, 3 bookies, same disk) — ratio: our T1Q1 write+fsync (mean, 1/IOPS) ÷ this mean (goal ≤ 1.2)",
         "bookkeeper addEntry QD1", True),
        ("journal_fdatasync", "disk 4k write+fdatasync, mean µs (floor; bench/journal) — ratio: our T1Q1 write+fsync ÷ this",
         "disk 4 KiB write+fdatasync (floor)", True),
    ]
    # Means on both sides: fio's 1/IOPS is a mean, and fsync outliers (p99 ~10x the median on a shared
    # virtual disk) make a mean ÷ median ratio measure the disk's tail, not our overhead.
    for key, label, line, ratio in floor_rows:
        v = jl.get(line, {}).get("mean_us")
        row = {"key": key, "metric": label, "better": "lower",
               "values": {"ledgerdisk-immediate": v, "ledgerdisk-lazy": v} if v else {},
               "note": None if v else journal.get("status")}
        if v and ratio:
            for s in OURS:
                if lat(s):
                    row[f"ratio_{s}"] = lat(s) / v
        rows.append(row)
    imm = jl.get("VolumeLog append IMMEDIATE QD1", {}).get("mean_us")
    lazy = jl.get("VolumeLog append LAZY QD1", {}).get("mean_us")
    rows.append({"key": "journal_volumelog", "metric": "VolumeLog.append QD1 4k, mean µs (bench/journal, no NBD)",
                 "better": "lower", "values": {"ledgerdisk-immediate": imm, "ledgerdisk-lazy": lazy},
                 "note": None if imm else journal.get("status")})
    q32 = jl.get("VolumeLog append IMMEDIATE QD32", {}).get("appends_per_s")
    rows.append({"key": "journal_volumelog_qd32", "metric": "VolumeLog.append QD32 4k immediate, appends/s (bench/journal)",
                 "better": "higher", "values": {"ledgerdisk-immediate": q32},
                 "note": None if q32 else journal.get("status")})
    cv = meta.get("create_volume_median_ms")
    rows.append({"key": "meta_create_volume", "metric": "Ratis createVolume, median µs (bench/meta, 1 peer)",
                 "better": "lower", "values": {"ledgerdisk-immediate": cv * 1000 if cv else None},
                 "note": None if cv else meta.get("status")})
    folds = compaction.get("folds", {})
    if folds:
        for name, f in folds.items():
            mixed = f" / {f['mixed_mbs']:.0f}" if f.get("mixed_mbs") is not None else ""
            rows.append({"key": "compaction_fold", "metric": f"compaction fold, {name}, MB/s per CPU-second, random / compressible{' / mixed' if mixed else ''} (bench/compaction; goal ≥ 300)",
                         "better": "higher", "values": {"ledgerdisk-immediate": f"{f['random_mbs']:.0f} / {f['compressible_mbs']:.0f}{mixed}"}})
        cr = compaction.get("compression_ratio")
        if cr:
            rows.append({"key": "compaction_ratio", "metric": "LZ4 compression ratio of the bench data, random / compressible (bench/compaction)",
                         "better": "higher", "values": {"ledgerdisk-immediate": f"{cr['random']:.2f} / {cr['compressible']:.2f}"}})
    else:
        rows.append({"key": "compaction_mbs", "metric": "compaction throughput, MB/s of logical data per core (goal ≥ 300)",
                     "better": "n/a", "values": {}, "note": compaction.get("status")})
    em = compaction.get("extent_map_before")
    wa = compaction.get("write_amplification")
    note = "not measured (no such figure from bench/compaction yet)"
    rows.append({"key": "extent_map_before", "metric": "extent-map heap per TiB before merging (4 MiB chunks + 1% random 4 KiB overwrites), MiB measured (bench/compaction)",
                 "better": "lower", "values": {"ledgerdisk-immediate": em["measured_mib"]} if em else {}, "note": None if em else note})
    rows.append({"key": "extent_map_after", "metric": "extent-map heap per TiB after merging, MiB (bench/compaction's 1 GiB case × 1024; goal ≤ 64, Vitastor 512)",
                 "better": "lower", "values": {"ledgerdisk-immediate": wa["map_kib_per_gib"]} if wa else {}, "note": None if wa else note})
    rows.append({"key": "write_amplification", "metric": "write amplification of random 4 KiB overwrites, chunk bytes per client byte: fold + merge (bench/compaction; log replicas not counted)",
                 "better": "lower", "values": {"ledgerdisk-immediate": f"{wa['fold']:.2f} + {wa['merge']:.2f}"} if wa else {},
                 "note": None if wa else note})
    ops = {s: results.get(s, {}).get("volume_ops", {}) for s in OURS}
    for key, label, field in [
            ("compact_time", "`volume compact` of the benchmark volume after the tests, s (the CLI's ~2 s start subtracted, ±0.3 s; the background compactor may have folded most already)", "compact_s"),
            ("restore_time", "point-in-time `volume restore --at` (end of the QD32 randwrite test) into a new volume, s (CLI start subtracted)", "restore_s")]:
        vals = {s: ops[s].get(field) for s in OURS if ops[s]}
        errs = [f"{s}: {ops[s].get(field.replace('_s', '_error')) or ops[s].get('error')}" for s in OURS
                if ops[s] and ops[s].get(field) is None]
        rows.append({"key": key, "metric": label, "better": "lower", "values": vals,
                     "note": ("; ".join(errs) if errs else None) if vals else "not measured (no Ledgerdisk run)"})
    rows.append({"key": "failover_time", "metric": "volume failover time (another node takes a volume over)",
                 "better": "n/a", "values": {},
                 "note": "not measured (multi-node appliance not implemented yet; Ratis-only failover is printed by raft-meta's MetaFailoverIT)"})
    return rows


def markdown(report):
    servers = report["servers"]
    m = report["machine"]
    d = m.get("disk", {})
    out = []
    out.append(f"### {report['mode']} run, {report['date']}, commit {report['commit']}")
    out.append("")
    out.append(f"Machine: {m.get('nproc')} cores ({m.get('cpu', '?')}), {m.get('mem_gib')} GiB RAM, "
               f"disk {d.get('device', '?')} ({d.get('fstype', '?')}, {d.get('lsblk', '')}), kernel {m.get('kernel')}. "
               f"Load average {report['load']['start']} at start, {report['load']['min']}–{report['load']['max']} "
               f"during the tests, {report['load']['end']} at the end.")
    if report.get("note"):
        out.append("")
        out.append(report["note"])
    out.append("")
    out.append(f"fio {report['versions'].get('fio')} `--ioengine=nbd`, one job per test, "
               f"{report['config']['runtime']} s per test (+{report['config']['ramp']} s ramp), every test inside a "
               f"{report['config']['region']} region of a {VOLUME_SIZE} export prefilled by a 4M QD8 sequential write, "
               f"{'preconditioned by ' + str(report['config']['precondition']) + ' s of 4k QD32 random writes, ' if report['config'].get('precondition') else ''}"
               f"then settled (Ledgerdisk folds what was written, `sync`, dirty pages written back) before the first test; "
               f"Ledgerdisk with {report['config']['bookies']} bookie(s){' (E3/Qw3/Qa2)' if report['config']['bookies'] >= 3 else ''} and -Xmx4g; ledgerdisk jar built "
               f"{report.get('jar_built', '?')}. Ratios: ours ÷ best reference (the best reference is the highest "
               f"IOPS/MB/s or the lowest latency among the reference servers); for IOPS and MB/s above 1 is better, "
               f"for latency (µs) below 1 is better. Floor rows: ratio is our T1Q1 write+fsync latency ÷ the floor.")
    out.append("")
    head = ["metric"] + [LABELS[s] for s in servers] + ["best reference", "immediate ÷ best", "lazy ÷ best"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for row in report["table"]:
        cells = [row["metric"]]
        noted = bool(row.get("note")) and all(row["values"].get(s) is None for s in servers)
        for i, s in enumerate(servers):
            v = row["values"].get(s)
            if noted:
                cells.append(row["note"] if i == 0 else "")
            else:
                cells.append(fmt(v, row["key"]) if v is not None else ("n/a" if s in row["values"] else ""))
        cells.append(LABELS.get(row.get("best_ref"), "") if row.get("best_ref") else "")
        for s in OURS:
            r = row.get(f"ratio_{s}")
            cells.append(f"{r:.2f}×" if r is not None else "")
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    errs = []
    for s in servers:
        for t, r in report["results"].get(s, {}).items():
            if isinstance(r, dict) and "error" in r:
                errs.append(f"- {LABELS[s]} {t}: {r['error']}")
        if s in report.get("server_errors", {}):
            errs.append(f"- {LABELS[s]}: {report['server_errors'][s]}")
    if errs:
        out.append("Failures:")
        out.extend(errs)
        out.append("")
    for name in ("meta", "compaction"):
        o = report["others"].get(name, {}).get("output")
        if o:
            out.append(f"bench/{name} output:")
            out.append("```")
            out.extend(o)
            out.append("```")
            out.append("")
    if report.get("profile"):
        out.append(f"JFR profile of the Ledgerdisk JVM during {report['profile']['test']} "
                   f"({report['profile']['server']}): `{report['profile']['summary']}`")
        out.append("")
    return "\n".join(out) + "\n"


def text_table(report):
    servers = report["servers"]
    cols = [LABELS[s] for s in servers] + ["best ref", "imm÷best", "lazy÷best"]
    width = 58
    lines = [f"{'metric':<{width}}" + "".join(f"{c[:16]:>17}" for c in cols)]
    for row in report["table"]:
        label = row["metric"].split(" — ratio")[0]
        cells = []
        for s in servers:
            v = row["values"].get(s)
            cells.append(fmt(v, row["key"]) if v is not None else ("n/a" if s in row["values"] else ""))
        cells.append(LABELS.get(row.get("best_ref"), "")[:16] if row.get("best_ref") else "")
        for s in OURS:
            r = row.get(f"ratio_{s}")
            cells.append(f"{r:.2f}x" if r is not None else "")
        line = f"{label[:width - 1]:<{width}}" + "".join(f"{c:>17}" for c in cells)
        if row.get("note") and all(row["values"].get(s) is None for s in servers):
            line = f"{label[:width - 1]:<{width}}  {row['note']}"
        lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def render(path):
    report = json.loads(path.read_text())
    comp = report["others"].get("compaction", {})
    if comp.get("output"):
        parse_compaction(comp["output"], comp)
    tests = [t for t in TESTS if any(t[0] in report["results"].get(s, {}) for s in report["servers"])]
    report["table"] = build_table(report["results"], report["servers"], extra_rows(report["results"], *(
        report["others"].get(k, {}) for k in ("journal", "meta", "compaction"))), tests)
    path.write_text(json.dumps(report, indent=2, default=str))
    path.with_suffix(".md").write_text(markdown(report))
    print(text_table(report))
    return 0


def main():
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="5 s per test, 128M region (~5 minutes; more on a loaded machine)")
    g.add_argument("--smoke", action="store_true", help="one tiny fio job against Ledgerdisk and nbdkit memory")
    ap.add_argument("--runtime", type=int, help="seconds per fio test (overrides the mode)")
    ap.add_argument("--region", help="region every test works in, e.g. 512M (overrides the mode)")
    ap.add_argument("--only", help="comma-separated servers to run (default all): " + ",".join(OURS + REFS))
    ap.add_argument("--no-others", action="store_true", help="skip bench/journal, bench/meta, bench/compaction")
    ap.add_argument("--no-profile", action="store_true", help="no JFR recording")
    ap.add_argument("--rebuild", action="store_true", help="mvn install even if the jar exists")
    ap.add_argument("--note", default="", help="a sentence to put under the machine line")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory (logs, fio JSON, JFR)")
    ap.add_argument("--results", default=str(RESULTS), help="where to write JSON and Markdown")
    ap.add_argument("--render", metavar="JSON", help="re-render a saved result (JSON) into its .md with this table code")
    args = ap.parse_args()
    if args.render:
        return render(Path(args.render))

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    cfg = dict(MODES[mode])
    if args.runtime:
        cfg["runtime"] = args.runtime
    if args.region:
        cfg["region"] = args.region
    if size_bytes(cfg["region"]) > size_bytes(VOLUME_SIZE):
        ap.error(f"--region must be at most {VOLUME_SIZE}")
    servers = (OURS + REFS) if mode != "smoke" else ["ledgerdisk-immediate", "nbdkit-memory"]
    if args.only:
        want = [s.strip() for s in args.only.split(",")]
        bad = [s for s in want if s not in OURS + REFS]
        if bad:
            ap.error(f"unknown servers {bad}")
        servers = [s for s in OURS + REFS if s in want]
    tests = SMOKE_TESTS if mode == "smoke" else TESTS

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    for tool in ("fio", "nbdkit", "qemu-nbd", "java"):
        if not shutil.which(tool):
            sys.exit(f"bench/run: {tool} is not installed (apt-get install fio nbdkit qemu-utils nbd-server)")

    # On the same disk as the repo, not a tmpfs: every server keeps its data under here.
    base = Path(os.environ.get("LEDGERDISK_BENCH_TMP", "/var/tmp"))
    work = Path(tempfile.mkdtemp(prefix="ledgerdisk-bench.", dir=base))
    os.chmod(work, 0o755)  # nbd-server opens its export as another user
    started = datetime.datetime.now(datetime.timezone.utc)
    log(f"mode {mode}: {cfg['runtime']} s per test, region {cfg['region']}, servers {', '.join(servers)}; temp dir {work}")
    report = {
        "mode": mode, "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty_tree": bool(git("status", "--porcelain", "--untracked-files=no")),
        "config": cfg, "servers": servers, "machine": machine(work), "versions": versions(),
        "load": {"start": loadavg()}, "results": {}, "server_errors": {}, "others": {},
        "note": args.note,
    }
    current = []
    try:
        image = work / "ref-image.raw"
        with open(image, "wb") as f:
            os.posix_fallocate(f.fileno(), 0, size_bytes(VOLUME_SIZE))
        os.chmod(image, 0o666)
        app = None
        if any(s in OURS for s in servers):
            try:
                app, report["jar_built"] = prepare_app(work, args.rebuild)
            except Exception as e:  # noqa: BLE001
                for s in OURS:
                    report["server_errors"][s] = f"not measured ({e})"
        profiler = None if (args.no_profile or mode == "smoke" or not shutil.which("jcmd")) else Profiler(work)
        for name in servers:
            if name in OURS:
                if app is None:
                    continue
                server = Ledgerdisk(name, work, app, name.split("-")[1], cfg["bookies"], "-Xmx4g")
            elif name == "nbdkit-memory":
                server = NbdkitMemory(name, work)
            elif name == "nbdkit-file":
                server = NbdkitFile(name, work, image)
            elif name == "qemu-nbd":
                server = QemuNbd(name, work, image)
            else:
                if not shutil.which("nbd-server"):
                    report["server_errors"][name] = "n/a (nbd-server is not installed: apt-get install nbd-server)"
                    continue
                server = NbdServer(name, work, image)
            current.append(server)
            try:
                log(f"starting {name}")
                server.start()
                if isinstance(server, Ledgerdisk):
                    if mode == "smoke":
                        server.export = "demo"
                    else:
                        server.create_volume()
                prof = profiler if name == "ledgerdisk-immediate" else None
                bench_server(server, tests, cfg, work, report["results"], prof, "qd32_randwrite")
                if isinstance(server, Ledgerdisk) and mode != "smoke" and server.proc.poll() is None:
                    report["results"][name]["volume_ops"] = volume_ops(server, report["results"][name])
                if prof and report["results"][name].get("qd32_randwrite", {}).get("jfr"):
                    report["profile"] = {"server": name, "test": "qd32_randwrite",
                                         "jfr": report["results"][name]["qd32_randwrite"]["jfr"]}
            except Exception as e:  # noqa: BLE001
                report["server_errors"][name] = f"n/a ({e})"
                log(f"{name}: {e}")
            finally:
                server.stop()
                current.remove(server)
        report["load"]["samples"] = [r.get("load_before") for s in report["results"].values()
                                     for r in s.values() if isinstance(r, dict) and r.get("load_before") is not None]
        if args.no_others or mode == "smoke":
            report["others"] = {k: {"status": "not measured (skipped)"} for k in ("journal", "meta", "compaction")}
        else:
            report["others"]["journal"] = journal_bench(cfg, work)
            report["others"]["meta"] = meta_bench(cfg)
            report["others"]["compaction"] = compaction_bench(cfg, mode == "quick")
        report["load"]["end"] = loadavg()
        ls = report["load"]["samples"] or [report["load"]["start"]]
        report["load"]["min"], report["load"]["max"] = min(ls), max(ls)
        report["table"] = build_table(report["results"], servers,
                                      [] if mode == "smoke" else extra_rows(report["results"], *(
                                          report["others"][k] for k in ("journal", "meta", "compaction"))), tests)
        stamp = started.strftime("%Y-%m-%d-%H%M")
        out_dir = Path(args.results) if mode != "smoke" else work
        out_dir.mkdir(parents=True, exist_ok=True)
        base_name = f"{stamp}-{mode}-{report['commit'] or 'nocommit'}"
        if report.get("profile"):
            summary = out_dir / f"{base_name}-jfr.txt"
            try:
                summary.write_text(summarize_jfr(Path(report["profile"]["jfr"]),
                                                 f"JFR (settings=profile) of the Ledgerdisk JVM ({report['profile']['server']}) "
                                                 f"during {report['profile']['test']}, {report['date']}, commit {report['commit']}"))
                report["profile"]["summary"] = str(summary.relative_to(ROOT) if summary.is_relative_to(ROOT) else summary)
            except Exception as e:  # noqa: BLE001
                report["profile"]["summary"] = f"summary failed: {e}"
        md = markdown(report)
        (out_dir / f"{base_name}.md").write_text(md)
        with open(out_dir / f"{base_name}.json", "w") as f:
            json.dump(report, f, indent=2, default=str)
        print(text_table(report))
        for s, e in report["server_errors"].items():
            print(f"{LABELS[s]}: {e}")
        for k, v in report["others"].items():
            if not str(v.get("status", "")).startswith("ok"):
                print(f"bench/{k}: {v.get('status')}")
        if mode != "smoke":
            print(f"\nwrote {out_dir / base_name}.md and .json")
        elif args.keep:
            print(f"\nwrote {out_dir / base_name}.md and .json (temp dir kept)")
        failed = sum(1 for s in servers for t in tests
                     if "error" in report["results"].get(s, {}).get(t[0], {"error": 1}))
        if mode == "smoke" and failed:
            print(f"smoke: {failed} test(s) failed", file=sys.stderr)
            return 1
        return 0
    except Interrupted as e:
        log(f"interrupted ({e}); stopping servers")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for s in list(current):
            s.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
