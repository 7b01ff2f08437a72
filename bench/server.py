"""The machine and the processes of a bench run: its context, the environment of every
process, ``collectstatic`` (skipped when the files are unchanged), gunicorn, plain GETs."""

import http.client
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
# Every request says it came through the TLS proxy, as behind the production front end:
# SECURE_SSL_REDIRECT stays on and CSRF checks the origin of the race's POSTs.
FORWARDED = {"X-Forwarded-Proto": "https"}


def machine_context():
    load1, load5, load15 = os.getloadavg()
    wrk = shutil.which("wrk")
    wrk_version = None
    if wrk:
        # wrk -v prints its version and exits non-zero
        result = subprocess.run([wrk, "-v"], capture_output=True, text=True)
        output = (result.stdout or result.stderr).strip()
        wrk_version = output.splitlines()[0].split(" Copyright")[0] if output else "wrk"
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(), "cores": os.cpu_count(),
        "load_average": [round(load1, 2), round(load5, 2), round(load15, 2)],
        "python": platform.python_version(), "load_generator": wrk_version or "python",
    }


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def bench_env(args, database_url, cache_prefix):
    """The environment of every process of the run: production settings, the bench's
    URLconf, the database, and Redis for the cache and Celery's broker."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": args.secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": args.redis_url,
        "BENCH_STATIC_ROOT": str(args.static_root),
        "BENCH_CACHE_PREFIX": cache_prefix,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",  # not one line per 429 or 404
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


def static_fingerprint():
    """A digest of every source static file (path, size, modification time), as
    ``collectstatic`` would find them. Needs django.setup()."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def collectstatic(env, static_root):
    """Runs ``collectstatic`` (minutes: the manifest storage hashes and compresses every
    file) unless the source files are those of the last run into ``static_root``. Returns
    the seconds taken, or None when skipped."""
    marker = Path(static_root) / ".bench-fingerprint"
    fingerprint = static_fingerprint()
    if (marker.exists() and marker.read_text() == fingerprint
            and (Path(static_root) / "staticfiles.json").exists()):
        return None
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    marker.write_text(fingerprint)
    return time.perf_counter() - started


def start_gunicorn(env, args, port):
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
               "--log-level", "warning", "--timeout", "120", "--backlog", "2048"]
    if args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def http_get(port, path, headers=None, timeout=60):
    """(status, body) of one GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={**FORWARDED, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for(port, path, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, _ = http_get(port, path, timeout=10)
            if status == 200:
                return
        except OSError:  # refused while gunicorn boots
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer 200 on {path} within {timeout} s")


# --- Resident memory of the processes under load (issue 21: each < 300 MB) ---------------

TARGET_RSS_MB = 300.0


def _proc_status(pid):
    """{"name", "ppid", "rss_kb", "hwm_kb"} of a process from /proc, or None once gone."""
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("Name", "PPid", "VmRSS", "VmHWM"):
                    fields[key] = value.split()[0] if key != "Name" else value.strip()
    except OSError:
        return None
    return {"name": fields.get("Name", "?"), "ppid": int(fields.get("PPid", 0)),
            "rss_kb": int(fields.get("VmRSS", 0)), "hwm_kb": int(fields.get("VmHWM", 0))}


def process_tree(root):
    """``root`` and its descendants' pids (from /proc, no psutil needed)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            status = _proc_status(int(entry))
            if status:
                children.setdefault(status["ppid"], []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


class MemorySampler:
    """Samples, every ``interval`` seconds in a thread, the resident memory of each process
    of the trees it watches (a gunicorn master and its workers, a Celery worker and its
    pool). The peak of a process is the highest of its VmHWM (the kernel's own high-water
    mark, which catches peaks between two samples) and of the VmRSS seen.

    ``watch(pid, label)``: the root of a tree (the master); its descendants are found at
    each sample, so a worker restarted during the run is counted too."""

    def __init__(self, interval=0.5):
        self.interval = interval
        self.roots = {}
        self.peaks = {}  # pid: {"label", "role", "peak_kb"}
        self._stop = threading.Event()
        self._thread = None

    def watch(self, pid, label):
        self.roots[pid] = label

    def sample(self):
        for root, label in list(self.roots.items()):
            for pid in process_tree(root):
                status = _proc_status(pid)
                if status is None:
                    continue
                peak = max(status["rss_kb"], status["hwm_kb"])
                known = self.peaks.setdefault(pid, {
                    "label": label, "role": "maître" if pid == root else "worker",
                    "name": status["name"], "peak_kb": 0})
                known["peak_kb"] = max(known["peak_kb"], peak)

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self):
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Last sample (call it before the processes are stopped) and the thread ends."""
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()

    def report(self, target_mb=TARGET_RSS_MB):
        """[{"label", "role", "pid", "peak_mb", "met"}], masters first."""
        rows = [{"label": known["label"], "role": known["role"], "pid": pid,
                 "process": known["name"], "peak_mb": round(known["peak_kb"] / 1024, 1),
                 "met": known["peak_kb"] / 1024 < target_mb}
                for pid, known in self.peaks.items()]
        return sorted(rows, key=lambda r: (r["label"], r["role"] != "maître", r["pid"]))


def memory_lines(rows, target_mb=TARGET_RSS_MB):
    """One line per process for the printed report."""
    return [f"  {row['label']} {row['role']} (pid {row['pid']}) : pic {row['peak_mb']:.0f} Mo "
            f"{'✓' if row['met'] else '✗'} (cible < {target_mb:.0f} Mo)" for row in rows]
