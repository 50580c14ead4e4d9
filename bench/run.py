"""The performance benchmark of issue 8: one command, one run, every figure and ratio against its target.

    /work/venv/bin/python bench/run.py                    # 200 feeds x 50 items, 200 ms per response (~3 min)
    /work/venv/bin/python bench/run.py --quick            # 40 feeds, fewer scrapes, 200k items for memory (~1 min)
    /work/venv/bin/python bench/run.py --feeds 200 --items 50 --latency 0.2

Flags: --feeds N (feeds served, default 200), --items N (items per feed, 50), --latency S (seconds before every
upstream answer, 0.2), --quick (a smaller, faster run for a sanity check; its figures are not the targets'),
--memory-items N (items through dedup/aggregation, default 1,000,000), --out DIR (default bench/results).

It starts its own upstream (bench/server.py, a subprocess serving generated RSS/Atom feeds with ETag and
Last-Modified plus the CryptoPanic/Reddit/CoinGecko/Fear & Greed APIs) and measures, in this order:
  parse   CPU to parse every feed body serially: feedparser path (rss.parse) and the production path
  (a)     a poll of everything in-process (the `collector fetch` core, `open_collector` + `run_all`): wall, CPU
          of this process and its workers; then `collector fetch --json` as a subprocess (startup included)
  (c)     a second poll where nothing changed (every feed answers 304): CPU as % of the first poll's;
          a third poll after the upstream changed only its validators (everything downloaded and parsed again,
          every item already known: nothing may be scored)
  limit   a poll with the default http.per_host of 4: all feeds share one host, so it must take N/4 latencies
  (b)     the naive baseline: one request after another, httpx.get + feedparser.parse + plain VADER
  (d)     scoring throughput, our Scorer vs raw VADER, on the generated headlines (one CPU, interleaved, best of 5)
  (e)     /metrics latency of `collector serve` (50 symbols, every feed) idle and during its first poll
  (f)     resident memory after 1M unique items through Deduper + Window (bench/memory.py, own process)
Prints a table and writes bench/results/bench-<time>.json (gitignored).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from common import BENCH, PY, ROOT, Cpu, cores, start_upstream, write_config
from phases import (
    cli_fetch,
    fetch_bodies,
    load,
    naive,
    offload_compare,
    one_poll,
    parse_cpu,
    polls,
    process_cpu,
    rss,
    samples_equivalence,
    scoring,
)
from scrape import free_port, metrics_latency

SAMPLES = Path("/work/shared/samples/rss")  # recorded real feeds: checked when present, never required
TARGETS = {"speedup": 10.0, "wall_factor": 1.5, "unchanged_pct": 5.0, "scoring_pct": 15.0,
           "metrics_idle_p99_ms": 5.0, "metrics_poll_p99_ms": 50.0, "memory_mb": 150.0}


def production_parse() -> Any:
    """The parse function the collector uses for a feed body (the lxml fast path when present)."""
    try:
        from collector.sources import rss_fast
    except ImportError:
        return rss.parse
    return rss_fast.parse


def versions() -> dict[str, str]:
    import feedparser
    import lxml.etree

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip()
    return {"python": platform.python_version(), "feedparser": feedparser.__version__,
            "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)), "commit": commit, "cores": str(cores())}


def run(args: argparse.Namespace) -> dict[str, Any]:
    res: dict[str, Any] = {"args": vars(args), "versions": versions(), "load_average_start": os.getloadavg()}
    up = start_upstream(args.feeds, args.items, args.latency)
    cpu = Cpu(exclude={up.proc.pid})
    tmp = Path(tempfile.mkdtemp(prefix="collector-bench-"))
    try:
        cfg_path = write_config(tmp / "bench.yaml", up.base, feeds=args.feeds)
        config = load(cfg_path)
        print(f"upstream {up.base}: {args.feeds} feeds x {args.items} items, {args.latency}s latency", flush=True)

        bodies = asyncio.run(fetch_bodies(up.base, args.feeds))
        fp_cpu, items = parse_cpu(bodies, rss.parse)
        prod = production_parse()
        prod_cpu, prod_items = parse_cpu(bodies, prod) if prod is not rss.parse else (fp_cpu, items)
        res["parse"] = {"feeds": len(bodies), "bytes": sum(len(b[1]) for b in bodies), "items": len(items),
                        "feedparser_cpu_s": fp_cpu, "feedparser_items_per_s": len(items) / fp_cpu,
                        "production": prod.__module__, "production_cpu_s": prod_cpu,
                        "production_items_per_s": len(prod_items) / prod_cpu,
                        "tag_and_score_cpu_s": process_cpu(prod_items, config)}
        from collector.sources import rss_fast

        res["parse"]["fast_path_stats"] = dict(rss_fast.STATS)
        res["parse"]["recorded_samples"] = samples_equivalence(sorted(SAMPLES.glob("*.xml")))
        print(f"parse: {res['parse']}", flush=True)

        res["polls"] = asyncio.run(polls(up, config, cpu))
        print(f"polls: {json.dumps(res['polls'])}", flush=True)
        res["cli_fetch"] = cli_fetch(cfg_path)
        print(f"cli: {res['cli_fetch']}", flush=True)

        res["offload"] = asyncio.run(offload_compare(config, cpu, rounds=1 if args.quick else 2))
        print(f"offload: {res['offload']}", flush=True)

        limited = load(write_config(tmp / "per_host4.yaml", up.base, feeds=args.feeds, per_host=4))
        res["per_host_4"] = asyncio.run(one_poll(limited, cpu))
        res["per_host_4"]["expected_min_s"] = math.ceil(args.feeds / 4) * args.latency
        print(f"per_host=4: {res['per_host_4']}", flush=True)

        res["naive"] = naive(up.base, args.feeds, cpu)
        print(f"naive: {res['naive']}", flush=True)

        titles = [it.title for it in prod_items]
        res["scoring"] = scoring(titles, rounds=5)
        print(f"scoring: {res['scoring']}", flush=True)

        serve_cfg = write_config(tmp / "serve.yaml", up.base, feeds=args.feeds, port=free_port())
        res["metrics"] = metrics_latency(serve_cfg, repeats=1 if args.quick else 3,
                                         idle_scrapes=200 if args.quick else 500)
        print(f"metrics: {res['metrics']}", flush=True)
    finally:
        up.stop()
    out = subprocess.run([PY, str(BENCH / "memory.py"), "--items", str(args.memory_items)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    res["memory"] = json.loads(out.stdout)
    print(f"memory: {res['memory']}", flush=True)
    res["load_average_end"] = os.getloadavg()
    res["summary"] = summarize(res)
    return res


def summarize(res: dict[str, Any]) -> list[dict[str, Any]]:
    first, unchanged = res["polls"]["first"], res["polls"]["unchanged"]
    naive_r, metrics, n = res["naive"], res["metrics"], cores()
    speedup = naive_r["wall_s"] / first["wall_s"]
    bound = TARGETS["wall_factor"] * (naive_r["slowest_response_s"] + res["parse"]["production_cpu_s"] / n)
    bound_all = TARGETS["wall_factor"] * (naive_r["slowest_response_s"] +
                                          (res["parse"]["production_cpu_s"] + res["parse"]["tag_and_score_cpu_s"]) / n)
    pct = 100 * unchanged["cpu_s"] / first["cpu_s"]
    rows = [
        ("fetch (first poll, in-process) wall / CPU", f"{first['wall_s']:.2f} s / {first['cpu_s']:.2f} s", "", None),
        ("`collector fetch` command wall / CPU", f"{res['cli_fetch']['wall_s']:.2f} s / "
                                                 f"{res['cli_fetch']['cpu_s']:.2f} s", "", None),
        ("naive baseline wall / CPU", f"{naive_r['wall_s']:.2f} s / {naive_r['cpu_s']:.2f} s", "", None),
        ("speed-up over naive (wall)", f"{speedup:.1f}x", f">= {TARGETS['speedup']:g}x",
         speedup >= TARGETS["speedup"]),
        ("wall vs 1.5 x (slowest response + parse CPU / cores)",
         f"{first['wall_s']:.2f} s vs {bound:.2f} s", "<= bound", first["wall_s"] <= bound),
        ("  same, counting tag+score CPU as parse work", f"{first['wall_s']:.2f} s vs {bound_all:.2f} s", "(info)",
         None),
        ("unchanged poll CPU (304s) / first poll CPU", f"{pct:.1f}% ({unchanged['cpu_s']:.3f} s)",
         f"<= {TARGETS['unchanged_pct']:g}%", pct <= TARGETS["unchanged_pct"]),
        ("scoring overhead over raw VADER", f"{res['scoring']['overhead_pct']:+.1f}%",
         f"<= {TARGETS['scoring_pct']:g}%", res["scoring"]["overhead_pct"] <= TARGETS["scoring_pct"]),
        ("/metrics p50 / p99 idle", f"{metrics['idle_p50_ms']:.2f} / {metrics['idle_p99_ms']:.2f} ms",
         f"p99 <= {TARGETS['metrics_idle_p99_ms']:g} ms", metrics["idle_p99_ms"] <= TARGETS["metrics_idle_p99_ms"]),
        ("/metrics p50 / p99 during the first poll", f"{metrics['during_p50_ms']:.2f} / "
         f"{metrics['during_p99_ms']:.2f} ms (n={metrics['during_n']})",
         f"p99 <= {TARGETS['metrics_poll_p99_ms']:g} ms", metrics["during_p99_ms"] <= TARGETS["metrics_poll_p99_ms"]),
        (f"memory after {res['memory']['items']:,} unique items (RSS delta)", f"{res['memory']['delta_mb']:.1f} MB "
         f"(process {res['memory']['rss_after_mb']:.0f} MB)", f"<= {TARGETS['memory_mb']:g} MB",
         res["memory"]["delta_mb"] <= TARGETS["memory_mb"]),
    ]
    return [{"figure": f, "value": v, "target": t, "met": m} for f, v, t, m in rows]


def print_table(res: dict[str, Any]) -> None:
    p = res["parse"]
    print()
    print(f"parse: {p['items']} items in {p['feeds']} feeds ({p['bytes'] / 1e6:.1f} MB); feedparser "
          f"{p['feedparser_items_per_s']:,.0f} items/s ({p['feedparser_cpu_s']:.2f} s CPU); production "
          f"({p['production']}) {p['production_items_per_s']:,.0f} items/s ({p['production_cpu_s']:.2f} s CPU); "
          f"tag+score {p['tag_and_score_cpu_s']:.2f} s CPU")
    polls_ = res["polls"]
    print(f"polls: unchanged -> {polls_['unchanged']['upstream']}, {polls_['unchanged']['new_items_scored']} scored; "
          f"same items with new ETags -> {polls_['same_items_new_etags']['upstream']}, "
          f"{polls_['same_items_new_etags']['new_items_scored']} scored, "
          f"CPU {polls_['same_items_new_etags']['cpu_s']:.2f} s")
    samples = p["recorded_samples"]
    print(f"fast path: {p['fast_path_stats']}; recorded real feeds: {samples['identical']}/{samples['feeds']} "
          f"identical to feedparser, {samples['read_by_lxml']} read by lxml")
    for name, o in res["offload"].items():
        print(f"offload {name:<14}: first poll wall {o['wall_s']:.2f} s, CPU {o['cpu_s']:.2f} s, event-loop lag "
              f"p99 {o['loop_lag_p99_ms']:.0f} ms (max {o['loop_lag_max_ms']:.0f} ms)")
    ph = res["per_host_4"]
    print(f"per_host=4 on one host: {ph['wall_s']:.2f} s (at least {ph['expected_min_s']:.2f} s expected)")
    start, end = res["load_average_start"], res["load_average_end"]
    print(f"load average (1/5/15 min) at start {start[0]:.2f}/{start[1]:.2f}/{start[2]:.2f}, at end "
          f"{end[0]:.2f}/{end[1]:.2f}/{end[2]:.2f} on {cores()} cores"
          + ("  <- other work was running when it started: timings are pessimistic" if start[0] > 0.7 else ""))
    print()
    width = max(len(r["figure"]) for r in res["summary"])
    print(f"{'figure':<{width}}  {'value':<34} {'target':<16} met")
    for r in res["summary"]:
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"{r['figure']:<{width}}  {r['value']:<34} {r['target']:<16} {met}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--memory-items", type=int, default=None)
    ap.add_argument("--out", type=Path, default=BENCH / "results")
    args = ap.parse_args()
    if args.quick and args.feeds == 200:
        args.feeds = 40
    if args.memory_items is None:
        args.memory_items = 200_000 if args.quick else 1_000_000
    res = run(args)
    print_table(res)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    res["args"]["out"] = str(args.out)
    path.write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
    print(f"\nwritten {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
