#!/usr/bin/python3
"""Runs failure scenarios under several policies and prints what users got.

The evidence behind the default policy (resources/config/README.md): for each scenario and
each candidate config, the share of calls answered by a model (not the cache, not the
degraded text), degraded, p99 latency and provider attempts per request; for a scenario with
an outage window (a timeline note "... down" and "... back"), also how soon models answered
again after the return, the attempts per request and the worst p99 during the outage.

    bench/policy/policy_matrix.py --cli build/dev/app/breakwater-cli \\
        --scenario bench/policy/brownout.json --scenario bench/policy/outage.json \\
        --candidate default= --candidate r4j=resources/config/presets/resilience4j.json \\
        [--time-scale 0.25 | --virtual] [--seeds 3] [--set retry.max_attempts=3]

A candidate is NAME=CONFIG_FILE (empty: the built-in default), optionally followed by
`+path=value,path=value` overrides (`fast=+retry.initial_s=0.25,breaker.open_s=2`).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def set_path(obj, path, value):
    keys = path.split(".")
    for key in keys[:-1]:
        obj = obj.setdefault(key, {})
    obj[keys[-1]] = value


def parse_value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_candidate(spec):
    name, _, rest = spec.partition("=")
    config_file, _, overrides = rest.partition("+")
    patch = {}
    for item in filter(None, overrides.split(",")):
        path, _, value = item.partition("=")
        set_path(patch, path, parse_value(value))
    return name, config_file, patch


def merge(base, patch):
    if not isinstance(patch, dict):
        return patch
    result = dict(base) if isinstance(base, dict) else {}
    for key, value in patch.items():
        result[key] = merge(result.get(key), value)
    return result


def outage_window(report):
    """(down, back) in scenario seconds, from timeline notes ending in "down" and "back"."""
    notes = report.get("timeline", [])
    down = [n["t_s"] for n in notes if n.get("note", "").endswith("down")]
    back = [n["t_s"] for n in notes if n.get("note", "").endswith("back")]
    if down and back:
        return min(down), max(back)
    return None


def provider_attempts(call):
    return sum(1 for a in call["attempts"] if a["outcome"] not in ("short_circuited", "bulkhead_full"))


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def answered_by_model(call):
    return call["source"] not in ("cache", "degraded", "error")


def figures(report, calls, scale, window):
    totals = report["totals"]
    requests = max(totals["requests"], 1)
    by_source = totals["by_source"]
    models = sum(v for k, v in by_source.items() if k not in ("cache", "degraded", "error"))
    row = {
        "model": models / requests,
        "cache": by_source.get("cache", 0) / requests,
        "degraded": by_source.get("degraded", 0) / requests,
        "p99": report["latency_s"]["p99"] / scale,
        "attempts": sum(provider_attempts(c) for c in calls) / max(len(calls), 1),
        "requests": totals["requests"],
        "expect_failures": report.get("expect", {}).get("failures", []),
    }
    if window:
        start, end = window[0] * scale, window[1] * scale
        during = [c for c in calls if start <= c["started_s"] < end]
        row["outage_attempts"] = sum(provider_attempts(c) for c in during) / max(len(during), 1)
        row["outage_p99"] = percentile([c["duration_s"] for c in during], 0.99) / scale
        # Seconds after the return until calls are answered by a model again: the start of the
        # first one-second bin from which every bin has 90 % of its calls answered by a model.
        after = [c for c in calls if c["started_s"] >= end]
        bins = {}
        for c in after:
            index = int((c["started_s"] - end) / scale)
            good, count = bins.get(index, (0, 0))
            bins[index] = (good + answered_by_model(c), count + 1)
        recovered = float("inf")
        for index in sorted(bins, reverse=True):
            good, count = bins[index]
            if good < 0.9 * count:
                break
            recovered = index
        row["recovery_s"] = recovered
    return row


def run(cli, scenario, config_path, seed, args, workdir):
    report_path = os.path.join(workdir, "report.json")
    calls_path = os.path.join(workdir, "calls.jsonl")
    command = [cli, "run", "--scenario", scenario, "--report", report_path, "--seed", str(seed),
               "--calls", calls_path, "--no-save", "--quiet"]
    if config_path:
        command += ["--config", config_path]
    if args.virtual:
        command.append("--virtual")
    else:
        command += ["--time-scale", str(args.time_scale)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    with open(report_path) as file:
        report = json.load(file)
    with open(calls_path) as file:
        calls = [json.loads(line) for line in file]
    return report, calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--scenario", action="append", required=True)
    parser.add_argument("--candidate", action="append", required=True)
    parser.add_argument("--time-scale", type=float, default=0.25)
    parser.add_argument("--virtual", action="store_true")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--prompts", help="replace every scenario's load.prompts")
    args = parser.parse_args()
    scale = 1.0 if args.virtual else args.time_scale
    default_json = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "config",
                                "default.json")

    with tempfile.TemporaryDirectory() as workdir:
        for scenario_path in args.scenario:
            with open(scenario_path) as file:
                scenario = json.load(file)
            if args.prompts:
                scenario["load"]["prompts"] = args.prompts
            scenario_file = os.path.join(workdir, "scenario.json")
            with open(scenario_file, "w") as file:
                json.dump(scenario, file)
            print(f"\n{scenario['name']}")
            header = "| policy | model % | degraded % | p99 s | attempts/req | expectations |"
            rule = "|---|---|---|---|---|---|"
            outage = outage_window({"timeline": [
                {"t_s": t["at_s"], "note": t.get("note", "")}
                for t in scenario.get("chaos", {}).get("timeline", [])]})
            if outage:
                header += (" answered by a model again after return, s | attempts/req in outage |"
                           " p99 in outage, s |")
                rule += "---|---|---|"
            print(header)
            print(rule)
            for spec in args.candidate:
                name, config_file, patch = parse_candidate(spec)
                with open(config_file or default_json) as file:
                    config = merge(json.load(file), patch)
                config_path = os.path.join(workdir, "config.json")
                with open(config_path, "w") as file:
                    json.dump(config, file)
                rows = [figures(*run(args.cli, scenario_file, config_path,
                                     scenario.get("seed", 1) + n, args, workdir), scale, outage)
                        for n in range(args.seeds)]
                mean = {key: statistics.mean(r[key] for r in rows) for key in rows[0]
                        if key != "expect_failures"}
                failures = sorted({f for r in rows for f in r["expect_failures"]})
                worst_p99 = max(r["p99"] for r in rows)
                held = "held" if not failures else "; ".join(failures)
                line = (f"| {name} | {100 * mean['model']:.1f} | {100 * mean['degraded']:.1f} | "
                        f"{worst_p99:.2f} | {mean['attempts']:.2f} | {held} |")
                if outage:
                    line += (f" {max(r['recovery_s'] for r in rows):.1f} | "
                             f"{mean['outage_attempts']:.2f} | "
                             f"{max(r['outage_p99'] for r in rows):.2f} |")
                print(line, flush=True)


if __name__ == "__main__":
    main()
