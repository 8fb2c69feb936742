#!/usr/bin/env python3
"""Number extraction and the final report for scripts/bench.sh (stdlib only).

  iperf-tcp FILE        Gb/s received, from iperf3 -J: end.sum_received.bits_per_second / 1e9
  iperf-udp FILE        datagrams delivered per second, from the receiver's view that iperf3 -J
                        reports back to the client: end.sum_received (packets - lost_packets) / seconds
  iperf-udp-sent FILE   datagrams offered per second: end.sum_sent packets / seconds
  iperf-udp-loss FILE   "<delivered per second> <lost fraction>" from the receiver's view
  flood-delivered SINK FLOOD   datagrams per second the udpsink counted over the udpflood's seconds
  json-field FILE KEY   one top-level field of a JSON object (the netload.py results)
  perf-split            the CPU split by command, from `perf report --sort comm --stdio` on stdin:
                        "iperf3 63.7%, plink-w0 35.9%, idle 0.1%" (swapper is the idle task)
  stats-brief FILE      the offload / worker / queue entries of `privlink -o json stats`, one per line
  summarize --samples JSONL --out FILE [--meta KEY=VALUE ...] [--meta-json KEY=FILE ...]
                        medians, min-max and privlink/kernel ratios; prints the table and writes
                        FILE with the run's metadata, the summaries and the raw samples. A --meta
                        VALUE that parses as JSON is stored as such, otherwise as a string; a
                        --meta-json FILE that is missing or not JSON is stored as null.

A sample line (JSONL, one per measurement) as written by bench.sh:
  {"figure": "tcp1_gbps", "path": "kernel"|"tun"|"packet", "round": 1, "value": 12.3,
   "privlinkd_cpu_pct": 87.5 | null, "host_busy_pct": 95.1, "tun_tx_dropped": 0 | null}
Every path but "kernel" is a privlinkd device backend; the table has one row per figure and
backend, each compared with the kernel's figure of the same run.
"""

import argparse
import json
import os
import statistics
import sys

# figure key -> (label, better, target kind, target value). "ratio_min": privlink/kernel must be
# at least the value; "ratio_max": at most; "plus_max": privlink may exceed the kernel by at most
# the value (same unit). The targets are issue 8's.
FIGURES = [
    ("tcp1_gbps", "TCP 1 stream (Gb/s)", "higher", "ratio_min", 0.95),
    ("tcp4_gbps", "TCP 4 streams (Gb/s)", "higher", "ratio_min", 0.95),
    ("udp64_pps", "UDP 64 B delivered (pkt/s)", "higher", "ratio_min", 1.0),
    ("udp64_sent_pps", "UDP 64 B offered (pkt/s)", "higher", None, None),
    ("udp64lf_pps", "UDP 64 B loss-free (pkt/s)", "higher", "ratio_min", 0.80),
    ("udp1k_pps", "UDP 1,000 flows delivered (pkt/s)", "higher", None, None),
    ("udp1k_sent_pps", "UDP 1,000 flows offered (pkt/s)", "higher", None, None),
    ("vpc100_pps", "UDP 64 B from 100 VPCs delivered (pkt/s)", "higher", None, None),
    ("vpc100_sent_pps", "UDP 64 B from 100 VPCs offered (pkt/s)", "higher", None, None),
    ("conn_per_s", "new TCP conn/s (1 B req/resp)", "higher", "ratio_min", 1.0),
    ("rr_p50_us", "1 B req/resp p50 (µs)", "lower", "plus_max", 8.0),
    ("rr_p99_us", "1 B req/resp p99 (µs)", "lower", "ratio_max", 2.0),
]

# privlinkd's CPU per unit of a figure: (divisor of the figure, unit) — per Gb/s, per Mpps.
CPU_PER = {"gbps": (1.0, "Gb/s"), "pps": (1e6, "Mpps"), "s": (1e3, "k conn/s")}


def load(path):
    with open(path) as f:
        return json.load(f)


def cmd_iperf_tcp(args):
    d = load(args.file)
    if "error" in d:
        sys.exit(f"iperf3 reported an error: {d['error']}")
    print(f"{d['end']['sum_received']['bits_per_second'] / 1e9:.4f}")


def cmd_iperf_udp(args):
    d = load(args.file)
    if "error" in d:
        sys.exit(f"iperf3 reported an error: {d['error']}")
    r = d["end"]["sum_received"]
    delivered = r["packets"] - r["lost_packets"]
    print(f"{delivered / r['seconds']:.1f}")


def cmd_iperf_udp_sent(args):
    d = load(args.file)
    s = d["end"]["sum_sent"]
    print(f"{s['packets'] / s['seconds']:.1f}")


def cmd_iperf_udp_loss(args):
    d = load(args.file)
    if "error" in d:
        sys.exit(f"iperf3 reported an error: {d['error']}")
    r = d["end"]["sum_received"]
    lost = r["lost_packets"] / r["packets"] if r["packets"] else 1.0
    print(f"{(r['packets'] - r['lost_packets']) / r['seconds']:.1f} {lost:.6f}")


def cmd_flood_delivered(args):
    sink, flood = load(args.sink), load(args.flood)
    print(f"{sink['datagrams'] / flood['seconds']:.1f}")


def cmd_json_field(args):
    v = load(args.file)[args.key]
    print(f"{v:.2f}" if isinstance(v, float) else v)


def cmd_perf_split(_args):
    shares = []
    for line in sys.stdin:
        parts = line.split()
        if len(parts) == 2 and parts[0].endswith("%") and not line.startswith("#"):
            name = "idle" if parts[1] == "swapper" else parts[1]
            shares.append((float(parts[0][:-1]), name))
    top = sorted(shares, reverse=True)[:5]
    print(", ".join(f"{name} {pct:.1f}%" for pct, name in top) or "no samples")


def cmd_stats_brief(args):
    def walk(v, path):
        if isinstance(v, dict):
            for k, x in v.items():
                yield from walk(x, f"{path}.{k}" if path else k)
        elif isinstance(v, list) and not (path and any(w in path.lower() for w in WANTED)):
            for i, x in enumerate(v):
                yield from walk(x, f"{path}.{i}")
        elif any(w in path.lower() for w in WANTED) or path.endswith(".Io"):
            yield path, v

    found = list(walk(load(args.file), ""))
    drops = [v for p, v in found if p.endswith(".QueueDrops")]
    for path, v in found:
        if not path.endswith(".QueueDrops"):
            print(f"  {path} = {json.dumps(v)}")
    if drops:
        print(f"  Stats.Devices.*.QueueDrops = {sum(drops)} (sum over {len(drops)} devices)")
    if not found:
        print("  (no offload/worker entries in privlink stats)")


WANTED = ("offload", "worker", "queue", "vnet", "gso")


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(x):
    if x is None:
        return "—"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(s, failed):
    if s is None:
        return "failed" if failed else "—"
    text = f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})"
    return f"{text} +{failed} failed" if failed else text


def judge(kind, value, k, p):
    """Target text and whether it is met (None when it cannot be judged)."""
    if kind is None:
        return "—", None
    if kind == "ratio_min":
        text = f"≥ {value:.2f}"
        met = None if not (k and p) else p["median"] / k["median"] >= value
    elif kind == "ratio_max":
        text = f"≤ {value:g}× kernel"
        met = None if not (k and p) else p["median"] <= k["median"] * value
    else:
        text = f"≤ kernel+{value:g}"
        met = None if not (k and p) else p["median"] <= k["median"] + value
    return text, met


def failures(samples, key, path):
    """Failed measurements of a figure: a failed run is recorded under its run name (tcp1, rr…)."""
    run = key.split("_")[0]
    return sum(1 for s in samples if s["path"] == path and s["value"] is None and s["figure"] in (key, run))


def backends(samples):
    """The privlink paths of the run, in order of appearance."""
    seen = []
    for s in samples:
        if s["path"] != "kernel" and s["path"] not in seen:
            seen.append(s["path"])
    return seen


def cpu_per_unit(key, cpu, p):
    """privlinkd's % of a core per unit of the figure (per Gb/s, per Mpps), when it has one."""
    unit = key.rsplit("_", 1)[-1]
    if unit not in CPU_PER or not cpu or not p or not p["median"]:
        return None
    div, name = CPU_PER[unit]
    return {"pct_of_core": cpu["median"] / (p["median"] / div), "per": name}


def summarize(samples):
    out = {}
    for key, label, better, kind, value in FIGURES:
        rows = [s for s in samples if s["figure"] == key and s["value"] is not None]
        k = summary([s["value"] for s in rows if s["path"] == "kernel"])
        per = {}
        for path in backends(samples):
            p = summary([s["value"] for s in rows if s["path"] == path])
            cpu = summary([s.get("privlinkd_cpu_pct") for s in rows if s["path"] == path])
            target, met = judge(kind, value, k, p)
            per[path] = {
                "value": p,
                "ratio": p["median"] / k["median"] if k and p and k["median"] else None,
                "target_met": met,
                "privlinkd_cpu_pct": cpu,
                "privlinkd_cpu_per_unit": cpu_per_unit(key, cpu, p),
                "device_drops": summary([s.get("tun_tx_dropped") for s in rows if s["path"] == path]),
                "failed": failures(samples, key, path),
                "host_busy_pct": summary([s.get("host_busy_pct") for s in rows if s["path"] == path]),
            }
        out[key] = {
            "label": label,
            "better": better,
            "kernel": k,
            "kernel_failed": failures(samples, key, "kernel"),
            "kernel_host_busy_pct": summary([s.get("host_busy_pct") for s in rows if s["path"] == "kernel"]),
            "target": judge(kind, value, None, None)[0] if kind else "—",
            "privlink": per,
        }
    return out


def table(summaries):
    head = ["figure", "kernel median (min–max)", "backend", "privlink median (min–max)", "ratio", "target",
            "privlinkd CPU % (per unit)"]
    rows = [head]
    for s in summaries.values():
        measured = s["kernel"] is not None or s["kernel_failed"] or any(
            p["value"] is not None or p["failed"] for p in s["privlink"].values())
        if not measured:
            continue  # not measured in this run (--figures)
        paths = list(s["privlink"].items()) or [("—", None)]
        for n, (path, p) in enumerate(paths):
            first = n == 0
            label = s["label"] if first else ""
            kernel = cell(s["kernel"], s["kernel_failed"]) if first else ""
            if p is None:
                rows.append([label, kernel, "—", "—", "—", s["target"], "—"])
                continue
            met = {True: " ok", False: " MISS", None: ""}[p["target_met"]]
            cpu, unit = p["privlinkd_cpu_pct"], p["privlinkd_cpu_per_unit"]
            cpu_text = "—" if cpu is None else f"{cpu['median']:.0f}"
            if unit:
                cpu_text += f" ({unit['pct_of_core']:.1f}/{unit['per']})"
            rows.append([
                label,
                kernel,
                path,
                cell(p["value"], p["failed"]),
                "—" if p["ratio"] is None else f"{p['ratio']:.2f}",
                s["target"] + met,
                cpu_text,
            ])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i in (0, 2) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def parse_meta(args):
    meta = {}
    for item in args.meta:
        key, _, value = item.partition("=")
        try:
            meta[key] = json.loads(value)
        except ValueError:
            meta[key] = value
    for item in args.meta_json:
        key, _, path = item.partition("=")
        try:
            meta[key] = load(path)
        except (OSError, ValueError):
            meta[key] = None
    return meta


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"nproc": os.cpu_count(), "model": model, "kernel": os.uname().release, "mem_gib": round(mem_kb / 2**20, 1)}


def cmd_summarize(args):
    with open(args.samples) as f:
        samples = [json.loads(line) for line in f if line.strip()]
    meta = dict(machine=machine(), **parse_meta(args))
    summaries = summarize(samples)
    print(table(summaries))
    reported = set()
    for key, s in summaries.items():
        run = key.split("_")[0]  # udp64_pps and udp64_sent_pps come from the same run
        for path, p in s["privlink"].items():
            d = p["device_drops"]
            if d and d["max"] and (run, path) not in reported:
                reported.add((run, path))
                print(f"  {path}: device drops towards privlinkd during '{s['label']}': median {d['median']:,.0f} per run")
    m = meta["machine"]
    print(f"\nmachine: {m['nproc']} × {m['model']}, {m['mem_gib']} GiB, kernel {m['kernel']}")
    doc = dict(meta, summaries=summaries, samples=samples)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name, fn in (("iperf-tcp", cmd_iperf_tcp), ("iperf-udp", cmd_iperf_udp), ("iperf-udp-sent", cmd_iperf_udp_sent),
                     ("iperf-udp-loss", cmd_iperf_udp_loss)):
        p = sub.add_parser(name)
        p.add_argument("file")
        p.set_defaults(fn=fn)
    p = sub.add_parser("flood-delivered")
    p.add_argument("sink")
    p.add_argument("flood")
    p.set_defaults(fn=cmd_flood_delivered)
    p = sub.add_parser("json-field")
    p.add_argument("file")
    p.add_argument("key")
    p.set_defaults(fn=cmd_json_field)
    sub.add_parser("perf-split").set_defaults(fn=cmd_perf_split)
    p = sub.add_parser("stats-brief")
    p.add_argument("file")
    p.set_defaults(fn=cmd_stats_brief)
    p = sub.add_parser("summarize")
    p.add_argument("--samples", required=True)
    p.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--meta-json", action="append", default=[], metavar="KEY=FILE")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_summarize)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
