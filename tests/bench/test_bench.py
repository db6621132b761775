#!/usr/bin/env python3
"""test_bench.py: the verdict arithmetic of bench.py (what `./dev bench` prints and writes),
checked on made-up run outputs in a temporary folder. Run by `./dev test` (stage bench-report).

Each case writes the files the harness leaves in var/bench/results (wrk's BENCH_RESULT line,
pgbench's summary, rss.json, meta.json), runs `bench.py report` or `bench.py rates` as ./dev
does, and reads what came out.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "bench.py")


def wrk_file(folder, name, rps, p50_ms, p99_ms, seconds=10, non2xx=0):
    requests = int(rps * seconds)
    result = {"requests": requests, "duration_us": seconds * 1000000, "non2xx": non2xx,
              "connect_errors": 0, "read_errors": 0, "write_errors": 0, "timeouts": 0,
              "status_errors": 0, "p50_us": int(p50_ms * 1000), "p90_us": int(p99_ms * 800),
              "p99_us": int(p99_ms * 1000), "max_us": int(p99_ms * 2000),
              "mean_us": p50_ms * 1000.0, "sample": ""}
    with open(os.path.join(folder, f"{name}.wrk.txt"), "w") as f:
        f.write(f"Requests/sec: {rps:.2f}\nBENCH_RESULT {json.dumps(result)}\n")


def pgbench_file(folder, name, tps):
    with open(os.path.join(folder, f"{name}.txt"), "w") as f:
        f.write("number of failed transactions: 0 (0.000%)\nlatency average = 3.000 ms\n"
                f"tps = {tps:.6f} (without initial connection time)\n")


def common_files(folder, hello=(12000.0, 14000.0), pgbench=(2000.0, 3000.0)):
    """Baselines (hello mean 13,000 req/s, pgbench mean 2,500 tps), RSS and meta."""
    wrk_file(folder, "hello-1", hello[0], 4.0, 12.0)
    wrk_file(folder, "hello-2", hello[1], 4.0, 12.0)
    pgbench_file(folder, "pgbench-1", pgbench[0])
    pgbench_file(folder, "pgbench-2", pgbench[1])
    with open(os.path.join(folder, "rss.json"), "w") as f:
        json.dump({"master": 1, "workers": [{"pid": 2, "vmhwm_kb": 14336, "vmrss_kb": 14000,
                                             "threads": 19}]}, f)
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump({"quick": 1, "duration": 10, "paced_duration": 8, "workers": 2,
                   "threads": 8, "clients": 100}, f)


def run(*args):
    return subprocess.run([sys.executable, BENCH] + list(args), capture_output=True, text=True)


class Report(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.results = os.path.join(self.tmp.name, "results")
        self.out = os.path.join(self.tmp.name, "out")
        os.makedirs(self.results)

    def tearDown(self):
        self.tmp.cleanup()

    def report(self):
        proc = run("report", self.results, self.out)
        path = os.path.join(self.out, "report.json")
        data = None
        if os.path.exists(path):
            with open(path) as f:
                data = json.load(f)
        return proc, data

    def scenario(self, data, name):
        return next(s for s in data["scenarios"] if s["name"] == name)

    def test_ratios_are_to_the_mean_of_the_two_baseline_runs(self):
        common_files(self.results)
        wrk_file(self.results, "card", 7800.0, 1.0, 4.0)       # 0.600 x 13,000
        wrk_file(self.results, "calculate", 5000.0, 2.0, 9.0)  # 0.385 x 13,000
        wrk_file(self.results, "confirm", 1300.0, 5.0, 14.0)   # 0.520 x 2,500
        wrk_file(self.results, "mix", 3000.0, 9.0, 40.0)
        proc, data = self.report()
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(data["baselines"]["hello_rps"], 13000.0)
        self.assertEqual(data["baselines"]["pgbench_tps"], 2500.0)
        self.assertEqual(data["baselines"]["hello_runs"], [12000.0, 14000.0])
        self.assertEqual(data["baselines"]["pgbench_runs"], [2000.0, 3000.0])
        card, calc, confirm = (self.scenario(data, n) for n in ("card", "calculate", "confirm"))
        self.assertAlmostEqual(card["ratio"], 0.6, places=3)
        self.assertTrue(card["pass"])                 # ratio on the bar, p99 under 5 ms
        self.assertFalse(calc["pass"])                # 0.385 < 0.40
        self.assertAlmostEqual(confirm["ratio"], 0.52, places=3)
        self.assertTrue(confirm["pass"])
        self.assertEqual(data["worker_rss_mib"], 14.0)
        self.assertIn("mean of 12000 and 14000", proc.stdout)

    def test_a_ratio_just_under_the_bar_or_a_p99_over_it_fails(self):
        common_files(self.results)
        wrk_file(self.results, "card", 7790.0, 1.0, 4.0)       # 0.5992: prints 0.599, fails
        wrk_file(self.results, "calculate", 9000.0, 2.0, 10.5)  # ratio fine, p99 over 10 ms
        wrk_file(self.results, "confirm", 2000.0, 5.0, 15.0)    # p99 on the bar: passes
        wrk_file(self.results, "mix", 3000.0, 9.0, 40.0)
        proc, data = self.report()
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertFalse(self.scenario(data, "card")["pass"])
        self.assertIn("0.599", proc.stdout)
        self.assertFalse(self.scenario(data, "calculate")["pass"])
        self.assertTrue(self.scenario(data, "confirm")["pass"])

    def test_errors_fail_a_scenario_and_the_mix(self):
        common_files(self.results)
        wrk_file(self.results, "card", 9000.0, 1.0, 4.0, non2xx=3)
        wrk_file(self.results, "calculate", 9000.0, 2.0, 9.0)
        wrk_file(self.results, "confirm", 2000.0, 5.0, 14.0)
        wrk_file(self.results, "mix", 3000.0, 9.0, 40.0, non2xx=1)
        proc, data = self.report()
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertFalse(self.scenario(data, "card")["pass"])
        self.assertFalse(self.scenario(data, "mix")["pass"])
        self.assertTrue(self.scenario(data, "calculate")["pass"])

    def test_a_missing_baseline_is_a_broken_harness(self):
        common_files(self.results)
        os.remove(os.path.join(self.results, "pgbench-1.txt"))
        os.remove(os.path.join(self.results, "pgbench-2.txt"))
        for name in ("card", "calculate", "confirm", "mix"):
            wrk_file(self.results, name, 5000.0, 1.0, 4.0)
        proc, data = self.report()
        self.assertEqual(proc.returncode, 3, proc.stdout + proc.stderr)
        self.assertIsNone(data["baselines"]["pgbench_tps"])
        self.assertFalse(self.scenario(data, "confirm")["pass"])
        self.assertIn("HARNESS: pgbench: no result", proc.stdout)

    def test_one_baseline_run_missing_uses_the_other(self):
        common_files(self.results)
        os.remove(os.path.join(self.results, "hello-2.wrk.txt"))
        for name in ("card", "calculate", "confirm", "mix"):
            wrk_file(self.results, name, 6000.0, 1.0, 4.0)
        proc, data = self.report()
        self.assertEqual(data["baselines"]["hello_rps"], 12000.0)
        self.assertAlmostEqual(self.scenario(data, "card")["ratio"], 0.5, places=3)

    def test_paced_rates_are_half_the_bars_throughput(self):
        common_files(self.results)
        proc = run("rates", self.results)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rates = dict(line.split() for line in proc.stdout.splitlines())
        # card 0.5 x 0.60 x 13,000; calculate 0.5 x 0.40 x 13,000; confirm 0.5 x 0.50 x 2,500
        self.assertEqual(rates, {"hello": "3900", "card": "3900", "calculate": "2600",
                                 "confirm": "625"})

    def test_paced_runs_are_reported_beside_the_verdicts(self):
        common_files(self.results)
        for name in ("card", "calculate", "confirm", "mix"):
            wrk_file(self.results, name, 9000.0 if name != "confirm" else 2000.0, 1.0, 20.0)
        wrk_file(self.results, "hello.paced", 3900.0, 0.3, 1.2)
        wrk_file(self.results, "card.paced", 3890.0, 0.6, 4.5)
        wrk_file(self.results, "calculate.paced", 2000.0, 0.7, 3.5)  # short of 2,600
        proc, data = self.report()
        paced = {p["name"]: p for p in data["paced"]}
        self.assertEqual(set(paced), {"hello", "card", "calculate"})
        self.assertEqual(paced["card"]["target_rps"], 3900)
        self.assertEqual(paced["card"]["p99_ms"], 4.5)
        self.assertEqual(paced["card"]["bar_p99_ms"], 5.0)
        self.assertIsNone(paced["hello"]["bar_p99_ms"])
        # the verdict stays the closed loop's (p99 20 ms), whatever the paced run measured
        self.assertFalse(self.scenario(data, "card")["pass"])
        table = proc.stdout.split("\npaced run", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
        rows = {line.split()[0]: line for line in table}
        self.assertIn("FELL SHORT", rows["calculate"])
        self.assertIn("kept the rate", rows["card"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
