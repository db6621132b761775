#!/usr/bin/env python3
"""bench.py: the number-crunching half of `./dev bench` (the shell half runs the stack).

  bench.py snap before|after PREFIX --pids nginx=PID,fcgi=PID,... [--psql PSQL --pg-port N]
                [--redis-port N] [--http-port N]
      PREFIX.before.json / PREFIX.after.json: CPU time of each process tree and of the
      machine, PostgreSQL, Redis and loyalty-fcgi (/metrics) counters; "before" also resets
      pg_stat_statements; "after" also writes the statements of database loyalty by calls
      (PREFIX.pgss.txt) and the server-side durations per route from the exchange log in the
      run's time window (PREFIX.app.json).
  bench.py waits PREFIX SECONDS --psql PSQL --pg-port N
      what the backends of database loyalty do (state, wait event), sampled every 100 ms
      for SECONDS, to PREFIX.waits.txt.
  bench.py rss FILE MASTER_PID
      VmHWM / VmRSS of the children of the loyalty-fcgi master.
  bench.py rates RESULTS_DIR
      `NAME RATE` per paced run (after the baselines have run): the rate each latency run
      below saturation sends at.
  bench.py report RESULTS_DIR OUT_DIR
      the table on stdout, OUT_DIR/report.md and OUT_DIR/report.json.
      Exit status 0 (bars may fail: it is a measurement); 3 when a baseline or a scenario
      produced no result at all (the harness broke).
"""
import json
import os
import platform
import re
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")

# scenario -> (baseline, bar ratio, bar p99 ms); None: report only
BARS = {
    "card": ("hello_rps", 0.60, 5.0),
    "calculate": ("hello_rps", 0.40, 10.0),
    "confirm": ("pgbench_tps", 0.50, 15.0),
    "mix": ("hello_rps", None, None),
}
SCENARIOS = ["card", "calculate", "confirm", "mix"]
RSS_BAR_MIB = 32.0
# Latency below saturation: each barred scenario once more at a fixed rate, this share of the
# throughput its bar asks for (bar ratio x the baseline of this run), and hello at the card
# run's rate as the floor of nginx + FastCGI. Reported beside the verdicts, not part of them.
PACED_SHARE = 0.5
PACED = ["hello", "card", "calculate", "confirm"]
GROUPS = ["nginx", "fcgi", "postgres", "redis", "hello", "wrk"]


# --------------------------------------------------------------------------- snapshots --

def proc_table():
    """pid -> (ppid, ticks of the process and its reaped children)."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        rest = s[s.rindex(")") + 2:].split()
        # fields after "(comm)": state ppid ... utime(14) stime(15) cutime(16) cstime(17)
        ppid = int(rest[1])
        ticks = int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
        table[int(d)] = (ppid, ticks)
    return table


def tree_ticks(table, root):
    if root not in table:
        return None
    kids = {}
    for pid, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += table[p][1]
        todo.extend(kids.get(p, []))
    return total


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v[:8]) - idle, idle


def psql(args, *sqls, db="postgres", timeout=30):
    """Output of the last of the statements (each its own -c), None on failure."""
    if not args.get("psql"):
        return None
    cmd = [args["psql"], "-X", "-A", "-t", "-q", "-h", "127.0.0.1", "-p", args["pg_port"],
           "-U", "postgres", "-d", db]
    for sql in sqls:
        cmd += ["-c", sql]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


def parse_opts(argv):
    opts, rest, i = {}, [], 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and i + 1 < len(argv):
            opts[a[2:].replace("-", "_")] = argv[i + 1]
            i += 2
        else:
            rest.append(a)
            i += 1
    return opts, rest


COUNTERS_SQL = (
    "SELECT 'xacts_' || datname, xact_commit + xact_rollback FROM pg_stat_database "
    "WHERE datname IN ('loyalty', 'pgbench') "
    "UNION ALL SELECT 'stmts_loyalty', coalesce(sum(calls), 0) FROM pg_stat_statements s "
    "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'loyalty'")


def snap_cpu(snap, opts):
    table = proc_table()
    snap["time"], snap["wall"], snap["groups"] = time.monotonic(), time.time(), {}
    for item in filter(None, opts.get("pids", "").split(",")):
        name, _, pid = item.partition("=")
        if pid.isdigit():
            t = tree_ticks(table, int(pid))
            if t is not None:
                snap["groups"][name] = t
    snap["machine_busy"], snap["machine_idle"] = machine_ticks()


def snap_counters(snap, opts, reset):
    sqls = (["SELECT pg_stat_statements_reset()"] if reset else []) + [COUNTERS_SQL]
    for line in (psql(opts, *sqls) or "").splitlines():
        k, _, n = line.partition("|")
        if n.strip().isdigit():
            snap[k] = int(n)
    if opts.get("redis_port"):
        try:
            out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", opts["redis_port"],
                                  "INFO", "stats"], capture_output=True, text=True, timeout=10)
            m = re.search(r"total_commands_processed:(\d+)", out.stdout)
            if m:
                snap["redis_cmds"] = int(m.group(1))
        except (OSError, subprocess.TimeoutExpired):
            pass
    if opts.get("http_port"):
        # loyalty-fcgi's counters (shared by its workers; /metrics is open to loopback)
        try:
            url = f"http://127.0.0.1:{opts['http_port']}/metrics"
            with urllib.request.urlopen(url, timeout=10) as resp:
                text = resp.read().decode("utf-8", "replace")
            for key in ("cache_hits", "cache_misses", "cache_unavailable"):
                m = re.search(rf"^loyalty_{key}_total (\d+)", text, re.M)
                if m:
                    snap[key] = int(m.group(1))
        except (OSError, ValueError):
            pass


def db_stats(prefix, opts, a, b):
    """After a run: its statements (pg_stat_statements, reset before the run) and the
    server-side durations of its requests (exchange_log) in the run's time window."""
    out = psql(opts, "SELECT calls, round(total_exec_time::numeric, 1), "
                     "round(mean_exec_time::numeric, 3), "
                     "left(regexp_replace(query, '\\s+', ' ', 'g'), 150) "
                     "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
                     "WHERE d.datname = 'loyalty' ORDER BY calls DESC, total_exec_time DESC "
                     "LIMIT 25")
    with open(prefix + ".pgss.txt", "w") as f:
        f.write(out or "")
    time.sleep(0.3)  # the exchange log is written in batches (log_flush_ms, 200 ms)
    out = psql(opts, "SELECT route, count(*), "
                     "percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_us), "
                     "percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_us), "
                     "max(duration_us) FROM exchange_log "
                     f"WHERE at >= to_timestamp({a['wall']:.6f}) "
                     f"AND at < to_timestamp({b['wall']:.6f}) GROUP BY route ORDER BY 2 DESC",
               db="loyalty")
    app = {}
    for line in (out or "").splitlines():
        f = line.split("|")
        if len(f) == 5:
            app[f[0]] = {"count": int(f[1]), "p50_us": int(f[2]), "p99_us": int(f[3]),
                         "max_us": int(f[4])}
    with open(prefix + ".app.json", "w") as f:
        json.dump(app, f)


def cmd_snap(argv):
    """snap before|after PREFIX: the counters around a run, read so that the CPU window is
    as close to the run as it gets (before: counters, then CPU; after: CPU, then counters)."""
    opts, rest = parse_opts(argv)
    when, prefix = rest[0], rest[1]
    snap = {}
    if when == "before":
        snap_counters(snap, opts, reset=True)
        snap_cpu(snap, opts)
    else:
        snap_cpu(snap, opts)
        snap_counters(snap, opts, reset=False)
    with open(f"{prefix}.{when}.json", "w") as f:
        json.dump(snap, f)
    if when == "after" and opts.get("psql"):
        a = load_json(f"{prefix}.before.json")
        if a:
            db_stats(prefix, opts, a, snap)


def cmd_waits(argv):
    """waits PREFIX SECONDS: what the backends of database loyalty do, sampled every 100 ms
    from one session (pg_stat_activity), to PREFIX.waits.txt: state|wait type|wait|samples."""
    opts, rest = parse_opts(argv)
    prefix, secs = rest[0], float(rest[1])
    out = psql(opts,
               "CREATE TEMP TABLE w (state text, type text, event text)",
               "DO $$ DECLARE t_end timestamptz := clock_timestamp() + "
               f"interval '{secs:.1f} seconds'; BEGIN WHILE clock_timestamp() < t_end LOOP "
               "PERFORM pg_stat_clear_snapshot(); "
               "INSERT INTO w SELECT coalesce(state, '?'), coalesce(wait_event_type, 'CPU'), "
               "coalesce(wait_event, '-') FROM pg_stat_activity "
               "WHERE datname = 'loyalty' AND pid <> pg_backend_pid() "
               "AND backend_type = 'client backend'; "
               "PERFORM pg_sleep(0.1); END LOOP; END $$",
               "SELECT state, CASE WHEN state = 'active' THEN type ELSE '' END, "
               "CASE WHEN state = 'active' THEN event ELSE '' END, count(*) FROM w "
               "GROUP BY 1, 2, 3 ORDER BY 4 DESC", timeout=secs + 30)
    with open(prefix + ".waits.txt", "w") as f:
        f.write(out or "")


def cmd_rss(argv):
    master = argv[1]
    workers = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status") as f:
                st = f.read()
        except OSError:
            continue
        m = re.search(r"^PPid:\s+(\d+)", st, re.M)
        if not m or m.group(1) != master:
            continue
        hwm = re.search(r"^VmHWM:\s+(\d+) kB", st, re.M)
        rss = re.search(r"^VmRSS:\s+(\d+) kB", st, re.M)
        thr = re.search(r"^Threads:\s+(\d+)", st, re.M)
        workers.append({"pid": int(d), "vmhwm_kb": int(hwm.group(1)) if hwm else 0,
                        "vmrss_kb": int(rss.group(1)) if rss else 0,
                        "threads": int(thr.group(1)) if thr else 0})
    with open(argv[0], "w") as f:
        json.dump({"master": int(master), "workers": workers}, f)


# ------------------------------------------------------------------------------ report --

def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def wrk_result(results, name):
    try:
        with open(os.path.join(results, f"{name}.wrk.txt")) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"^BENCH_RESULT (\{.*\})\s*$", text, re.M)
    if not m:
        return None
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    r["errors"] = (r["non2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"]
                   + r["timeouts"])
    return r


def pgbench_result(results, name="pgbench"):
    try:
        with open(os.path.join(results, f"{name}.txt")) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", text, re.M)
    if not m:
        m = re.search(r"^tps = ([0-9.]+)", text, re.M)
    if not m:
        return None
    r = {"tps": float(m.group(1))}
    m = re.search(r"^latency average = ([0-9.]+) ms", text, re.M)
    r["latency_avg_ms"] = float(m.group(1)) if m else None
    m = re.search(r"number of failed transactions: (\d+)", text)
    r["failed"] = int(m.group(1)) if m else 0
    return r


# Each baseline runs twice, before and after the scenarios compared with it (hello around card
# and calculate, pgbench around confirm), and counts as the mean of the two: a machine whose
# speed drifts during the bench (a shared host) moves both sides of the ratio alike.
BASELINE_RUNS = {"hello": ["hello-1", "hello-2"], "pgbench": ["pgbench-1", "pgbench-2"]}
RUN_ORDER = ["hello-1", "card", "calculate", "hello-2", "pgbench-1", "confirm", "pgbench-2", "mix"]


def hello_baseline(results):
    """The two hello runs as one result (rates and latencies averaged), or None."""
    runs = [wrk_result(results, n) for n in BASELINE_RUNS["hello"]]
    runs = [r for r in runs if r and r["requests"] > 0]
    if not runs:
        return None
    out = {"runs": [r["rps"] for r in runs], "rps": sum(r["rps"] for r in runs) / len(runs),
           "requests": sum(r["requests"] for r in runs),
           "errors": sum(r["errors"] for r in runs)}
    for k in ("p50_us", "p99_us"):
        out[k] = sum(r[k] for r in runs) / len(runs)
    return out


def pgbench_baseline(results):
    """The two pgbench runs as one result (tps and latency averaged), or None."""
    runs = [pgbench_result(results, n) for n in BASELINE_RUNS["pgbench"]]
    runs = [r for r in runs if r and r["tps"] > 0]
    if not runs:
        return None
    lat = [r["latency_avg_ms"] for r in runs if r["latency_avg_ms"] is not None]
    return {"runs": [r["tps"] for r in runs], "tps": sum(r["tps"] for r in runs) / len(runs),
            "latency_avg_ms": sum(lat) / len(lat) if lat else None,
            "failed": sum(r["failed"] for r in runs)}


def machine_desc():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
            if m:
                model = m.group(1).strip()
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"^MemTotal:\s+(\d+) kB", f.read(), re.M)
            if m:
                mem = f"{int(m.group(1)) / 1048576:.1f} GiB RAM"
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {model}, {mem}"


def usage(results, name, requests):
    """CPU of each group in % of one core, and counters per request, over a run."""
    a = load_json(os.path.join(results, f"{name}.before.json"))
    b = load_json(os.path.join(results, f"{name}.after.json"))
    if not a or not b:
        return None
    secs = b["time"] - a["time"]
    if secs <= 0:
        return None
    u = {"seconds": secs, "cpu": {}}
    for g in GROUPS:
        if g in a["groups"] and g in b["groups"]:
            u["cpu"][g] = (b["groups"][g] - a["groups"][g]) / CLK_TCK / secs * 100
    tm = load_json(os.path.join(results, f"{name}.time.json"))
    if tm:
        u["cpu"]["wrk"] = (tm["user"] + tm["sys"]) / secs * 100
    busy = b["machine_busy"] - a["machine_busy"]
    idle = b["machine_idle"] - a["machine_idle"]
    u["machine_busy_pct"] = busy / (busy + idle) * 100 if busy + idle else 0.0
    u["machine_cores"] = (busy + idle) / CLK_TCK / secs if secs else 0
    known = sum(u["cpu"].values())
    u["cpu"]["other"] = max(0.0, busy / CLK_TCK / secs * 100 - known)
    if requests:
        for key, label in (("stmts_loyalty", "sql_per_req"), ("xacts_loyalty", "xacts_per_req"),
                           ("redis_cmds", "redis_per_req")):
            if key in a and key in b:
                u[label] = (b[key] - a[key]) / requests
    if "xacts_pgbench" in a and "xacts_pgbench" in b:
        u["pgbench_xacts"] = b["xacts_pgbench"] - a["xacts_pgbench"]
    if all(k in a and k in b for k in ("cache_hits", "cache_misses", "cache_unavailable")):
        hits = b["cache_hits"] - a["cache_hits"]
        lookups = hits + sum(b[k] - a[k] for k in ("cache_misses", "cache_unavailable"))
        if lookups:
            u["cache_hit_pct"] = hits / lookups * 100
    app = load_json(os.path.join(results, f"{name}.app.json"))
    if app:
        main = max(app.values(), key=lambda v: v["count"])
        if len(app) == 1 or name != "mix":
            u["app_p50_ms"], u["app_p99_ms"] = main["p50_us"] / 1000, main["p99_us"] / 1000
        u["app_routes"] = app
    return u


def baseline_values(hello, pgb):
    """{"hello_rps", "pgbench_tps"} of the two baselines (hello_baseline, pgbench_baseline;
    None where one has no result): what the ratios and the paced rates are computed from."""
    return {"hello_rps": round(hello["rps"], 1) if hello else None,
            "pgbench_tps": round(pgb["tps"], 1) if pgb else None}


def paced_rates(base):
    """name -> requests per second of each paced run, from the baselines (baseline_values)."""
    rates = {}
    for name in SCENARIOS:
        base_key, bar_ratio, _ = BARS[name]
        if bar_ratio is not None and base[base_key]:
            rates[name] = round(PACED_SHARE * bar_ratio * base[base_key])
    if "card" in rates:
        rates["hello"] = rates["card"]
    return rates


def cmd_rates(argv):
    """`NAME RATE` lines for ./dev bench's paced runs, in the order they run."""
    rates = paced_rates(baseline_values(hello_baseline(argv[0]), pgbench_baseline(argv[0])))
    for name in PACED:
        if name in rates:
            print(name, rates[name])


def paced_section(results, base):
    """The paced runs: rows for the text/Markdown tables and their JSON."""
    rates = paced_rates(base)
    rows, out = [], []
    for name in PACED:
        r = wrk_result(results, f"{name}.paced")
        if not r or name not in rates:
            continue
        target = rates[name]
        row = {"name": name, "target_rps": target, "rps": round(r["rps"], 1),
               "p50_ms": round(r["p50_us"] / 1000, 2), "p90_ms": round(r["p90_us"] / 1000, 2),
               "p99_ms": round(r["p99_us"] / 1000, 2), "max_ms": round(r["max_us"] / 1000, 2),
               "errors": r["errors"]}
        bar = BARS.get(name, (None, None, None))[2]
        row["bar_p99_ms"] = bar
        out.append(row)
        # below 95 % of the rate asked for, the server did not keep up: not a paced figure
        kept = r["rps"] >= 0.95 * target
        rows.append([name, target, fmt(r["rps"], 1), fmt(row["p50_ms"]), fmt(row["p90_ms"]),
                     fmt(row["p99_ms"]), fmt(row["max_ms"]), f"{bar:g}" if bar else "-",
                     r["errors"], "kept the rate" if kept else "FELL SHORT of the rate"])
    return rows, out


def fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def render_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 or i == len(r) - 1 else str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths)))
    return [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def cmd_report(argv):
    results, outdir = argv[0], argv[1]
    meta = load_json(os.path.join(results, "meta.json")) or {}
    broken = []

    hello = hello_baseline(results)
    pgb = pgbench_baseline(results)
    if not hello:
        broken.append("hello: no result")
    if not pgb or pgb["tps"] <= 0:
        broken.append("pgbench: no result")
    baselines = baseline_values(hello, pgb)

    rows, scen_json, usages = [], [], {}
    header = ["scenario", "req/s", "ratio", "p50 ms", "p99 ms", "bar", "errors", "verdict"]
    if hello:
        rows.append(["hello (baseline)", fmt(hello["rps"], 1), "-", fmt(hello["p50_us"] / 1000),
                     fmt(hello["p99_us"] / 1000), "nginx + FastCGI ceiling, mean of "
                     + " and ".join(fmt(x, 0) for x in hello["runs"]), hello["errors"],
                     "baseline" if hello["errors"] == 0 else "ERRORS"])
        baselines["hello_runs"] = [round(x, 1) for x in hello["runs"]]
    if pgb:
        rows.append(["pgbench (baseline)", fmt(pgb["tps"], 1), "-",
                     f"avg {fmt(pgb['latency_avg_ms'])}", "-", "PostgreSQL write ceiling (tps), "
                     "mean of " + " and ".join(fmt(x, 0) for x in pgb["runs"]),
                     pgb["failed"], "baseline" if pgb["failed"] == 0 else "ERRORS"])
        baselines["pgbench_runs"] = [round(x, 1) for x in pgb["runs"]]
    for name in BASELINE_RUNS["hello"]:
        r = wrk_result(results, name)
        if r:
            usages[name] = usage(results, name, r["requests"])
    for name in BASELINE_RUNS["pgbench"]:
        usages[name] = usage(results, name, None)
    for name in SCENARIOS:
        base_key, bar_ratio, bar_p99 = BARS[name]
        r = wrk_result(results, name)
        if not r:
            broken.append(f"{name}: no result")
            rows.append([name, "-", "-", "-", "-", "-", "-", "NO RESULT"])
            scen_json.append({"name": name, "rps": None, "ratio": None, "p50_ms": None,
                              "p99_ms": None, "bar_ratio": bar_ratio, "bar_p99_ms": bar_p99,
                              "pass": False})
            continue
        base = baselines[base_key]
        ratio = r["rps"] / base if base else None
        p50, p99 = r["p50_us"] / 1000, r["p99_us"] / 1000
        ok = r["errors"] == 0
        if bar_ratio is not None:
            ok = ok and ratio is not None and ratio >= bar_ratio and p99 <= bar_p99
            bar = f">= {bar_ratio:.2f} x {'hello' if base_key == 'hello_rps' else 'pgbench'}" \
                  f", p99 <= {bar_p99:g} ms"
        else:
            bar = "report only (no errors)"
        rows.append([name, fmt(r["rps"], 1), fmt(ratio, 3), fmt(p50), fmt(p99), bar, r["errors"],
                     "PASS" if ok else "FAIL"])
        scen_json.append({"name": name, "rps": round(r["rps"], 1),
                          "ratio": round(ratio, 3) if ratio is not None else None,
                          "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
                          "bar_ratio": bar_ratio, "bar_p99_ms": bar_p99, "pass": ok})
        usages[name] = usage(results, name, r["requests"])
        if r["errors"]:
            r_sample = r.get("sample") or ""
            usages.setdefault("_samples", {})[name] = (r, r_sample)

    rss = load_json(os.path.join(results, "rss.json"))
    rss_mib = None
    if rss and rss.get("workers"):
        rss_mib = round(max(w["vmhwm_kb"] for w in rss["workers"]) / 1024, 1)
        nthreads = max(w["threads"] for w in rss["workers"])
        rss_ok = rss_mib <= RSS_BAR_MIB
        rows.append(["worker RSS (peak)", f"{rss_mib:.1f} MiB", "-", "-", "-",
                     f"<= {RSS_BAR_MIB:g} MiB ({len(rss['workers'])} workers, "
                     f"{nthreads} threads each)", "-", "PASS" if rss_ok else "FAIL"])
    else:
        broken.append("worker RSS: not measured")

    machine = machine_desc()
    paced_rows, paced_json = paced_section(results, baselines)
    report = {"machine": machine, "baselines": baselines, "scenarios": scen_json,
              "worker_rss_mib": rss_mib, "paced_share": PACED_SHARE, "paced": paced_json}
    ph = ["paced run", "target req/s", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
          "bar p99 ms", "errors", ""]
    paced_intro = (f"Latency below saturation (not part of the verdicts): each run at "
                   f"{PACED_SHARE:g} x the throughput its bar asks for, hello at the card "
                   f"run's rate; same connections, {meta.get('paced_duration', '?')} s each. "
                   "The verdicts' p99 comes from the closed loop above, where every connection "
                   "sends again as soon as it is answered: there the mean latency is "
                   "connections / throughput (Little's law).")

    # where the time went
    uh = ["run", "secs", "nginx", "fcgi", "postgres", "redis", "hello", "load gen", "other",
          "machine busy", "SQL/req", "xacts/req", "redis/req", "card cache hits",
          "app p50 ms", "app p99 ms"]
    urows = []
    for name in RUN_ORDER:
        u = usages.get(name)
        if not u:
            continue
        c = u["cpu"]
        urows.append([name, fmt(u["seconds"], 1)] +
                     [fmt(c.get(g), 0) + "%" if g in c else "-" for g in GROUPS + ["other"]] +
                     [fmt(u["machine_busy_pct"], 0) + "%", fmt(u.get("sql_per_req")),
                      fmt(u.get("xacts_per_req")), fmt(u.get("redis_per_req")),
                      fmt(u.get("cache_hit_pct"), 0) + "%" if "cache_hit_pct" in u else "-",
                      fmt(u.get("app_p50_ms")), fmt(u.get("app_p99_ms"))])

    title = (f"./dev bench{' --quick' if meta.get('quick') else ''}: {machine}; "
             f"{meta.get('clients', '?')} bench clients; loyalty-fcgi {meta.get('workers', '?')} "
             f"workers x {meta.get('threads', '?')} threads; wrk -t2 -c64 (confirm -c16) "
             f"-d{meta.get('duration', '?')}s; pgbench -s 10 -c 8 -j 2 -T {meta.get('duration', '?')} "
             f"-M prepared; PostgreSQL huge pages {meta.get('pg_huge_pages', '?')}, reached at "
             f"{meta.get('pg_via', '?')}, Redis at {meta.get('redis_via', '?')}")
    lines = [title, ""] + render_table(header, rows)
    lines += ["", "CPU in % of one core during each run (machine busy: of all cores); "
                  "SQL statements, transactions and Redis commands per request:", ""]
    lines += render_table(uh, urows)
    if paced_rows:
        lines += ["", paced_intro, ""] + render_table(ph, paced_rows)
    wait_lines, wait_md = [], []
    for name in SCENARIOS:
        try:
            with open(os.path.join(results, f"{name}.waits.txt")) as f:
                w = [l.split("|") for l in f.read().splitlines() if l.count("|") == 3]
        except OSError:
            continue
        total = sum(int(x[3]) for x in w)
        if not total:
            continue
        parts = []
        for state, typ, ev, cnt in w:
            label = f"{state} {typ}:{ev}" if state == "active" else state
            parts.append((label, int(cnt) / total * 100))
        wait_lines.append(f"  {name:<9} " + ", ".join(f"{l} {p:.0f}%" for l, p in parts[:6]))
        wait_md.append([name] + ["; ".join(f"{l} {p:.0f}%" for l, p in parts[:10])])
    if wait_lines:
        lines += ["", "PostgreSQL backends of loyalty-fcgi, sampled every 100 ms "
                      "(active CPU = running; idle = waiting for the app):"] + wait_lines
    notes = []
    for name, (r, sample) in usages.get("_samples", {}).items():
        notes.append(f"{name}: {r['non2xx']} non-2xx, {r['connect_errors']} connect / "
                     f"{r['read_errors']} read / {r['write_errors']} write errors, "
                     f"{r['timeouts']} timeouts (no answer within wrk's 2 s)"
                     + (f"; first non-2xx: {sample[:200]}" if sample else ""))
    busy_others = [n for n in RUN_ORDER
                   if usages.get(n) and usages[n]["cpu"].get("other", 0) > 25]
    if busy_others:
        notes.append("note: other processes used more than 25 % of a core during "
                     f"{', '.join(busy_others)}: the machine was not quiet; ratios to the "
                     "baselines of this run compare, absolute figures are low")
    if notes:
        lines.append("")
        lines += notes
    for b in broken:
        lines.append(f"HARNESS: {b}")
    print("\n".join(lines))

    md = [f"# Benchmark report", "", title, ""] + md_table(header, rows)
    md += ["", "## Where the time went", "",
           "CPU in % of one core during each run (machine busy: in % of all "
           f"{os.cpu_count()} cores); `other` is everything else on the machine. SQL statements "
           "(pg_stat_statements, database loyalty), transactions and Redis commands per request.",
           ""] + md_table(uh, urows)
    if paced_rows:
        md += ["", "## Latency below saturation", "", paced_intro, ""] + md_table(ph, paced_rows)
    for name in SCENARIOS:
        try:
            with open(os.path.join(results, f"{name}.pgss.txt")) as f:
                top = [l.split("|", 3) for l in f.read().splitlines() if l.strip()]
        except OSError:
            continue
        r = wrk_result(results, name)
        if not top or not r or not r["requests"]:
            continue
        md += ["", f"### {name}: statements by calls ({r['requests']} requests)", ""]
        md += md_table(["calls/req", "mean ms", "statement"],
                       [[fmt(int(t[0]) / r["requests"]), t[2],
                         "`" + t[3].replace("|", "\\|").replace("`", "'") + "`"]
                        for t in top if len(t) == 4])
    app_rows = []
    for name in SCENARIOS:
        u = usages.get(name)
        for route, v in sorted((u or {}).get("app_routes", {}).items(),
                               key=lambda kv: -kv[1]["count"]):
            app_rows.append([name, route, v["count"], fmt(v["p50_us"] / 1000),
                             fmt(v["p99_us"] / 1000), fmt(v["max_us"] / 1000)])
    if wait_md:
        md += ["", "## PostgreSQL backends", "",
               "State and wait event of the backends of database loyalty (the connections of "
               "loyalty-fcgi), sampled every 100 ms during each run (pg_stat_activity); "
               "`active CPU:-` is running, `idle` is waiting for the application.", ""]
        md += md_table(["run", "share of samples"], wait_md)
    if app_rows:
        md += ["", "## Server-side durations", "",
               "From the exchange log (`duration_us`: from the FastCGI accept to the answer, "
               "inside loyalty-fcgi); a client-side p99 well above it is time spent queueing "
               "in nginx or for a free FastCGI thread.", ""]
        md += md_table(["run", "route", "requests", "p50 ms", "p99 ms", "max ms"], app_rows)
    if notes:
        md += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    if broken:
        md += ["", "## Harness problems", ""] + [f"- {b}" for b in broken]
    md.append("")

    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "report.json.tmp"), "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    os.replace(os.path.join(outdir, "report.json.tmp"), os.path.join(outdir, "report.json"))
    with open(os.path.join(outdir, "report.md.tmp"), "w") as f:
        f.write("\n".join(md))
    os.replace(os.path.join(outdir, "report.md.tmp"), os.path.join(outdir, "report.md"))
    return 3 if broken else 0


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "snap":
        cmd_snap(argv)
    elif cmd == "waits":
        cmd_waits(argv)
    elif cmd == "rss":
        cmd_rss(argv)
    elif cmd == "rates":
        cmd_rates(argv)
    elif cmd == "report":
        return cmd_report(argv)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
