#!/usr/bin/env python3
"""Summarise a test/bench run as Markdown: report.py RESULTS_DIR

Reads RESULTS_DIR/info and RESULTS_DIR/smpN/results ("XLAT CASE KEY VALUE"
lines written in the guest).  Exits 1 when a case failed or is missing for
a translator that was loaded, or a translator did not load.
"""
import os
import sys
from collections import defaultdict

XLATS = ["plain", "nat64", "jool"]
PPS_CASES = [
    ("oneflow", "one flow"),
    ("storm", "new-flow storm (random ports x 256 dst)"),
    ("exhaust", "pool4 exhausted: delivered"),
    ("exhaust:in_pps", "pool4 exhausted: packets handled"),
    ("scale", "one flow, table full"),
    ("oneflow2", "one flow, 2 pktgen threads"),
    ("storm2", "storm, 2 pktgen threads"),
]


def load(path):
    data = defaultdict(dict)  # (xlat, case) -> {key: value}
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4:
                xlat, case, key, value = parts
                data[(xlat, case)][key] = value
    return data


def num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def fmt_int(value):
    v = num(value)
    return "-" if v is None else f"{v:,.0f}"


def ratio(a, b):
    a, b = num(a), num(b)
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}" if a / b >= 0.1 else f"{a / b:.3f}"


def status_of(data, xlat, case):
    return data.get((xlat, case), {}).get("status")


def cell(data, xlat, case, key="pps"):
    d = data.get((xlat, case), {})
    st = d.get("status")
    if key not in d:
        return st or "-"
    text = fmt_int(d[key])
    if key == "pps" and "pps_min" in d and d["pps_min"] != d.get("pps_max"):
        text += f" ({fmt_int(d['pps_min'])}-{fmt_int(d['pps_max'])})"
    if st and st != "PASS":
        text += f" {st}"
    return text


def present(data):
    seen = {x for (x, _c) in data}
    return [x for x in XLATS if x in seen]


ALL_CASES = ["oneflow", "storm", "exhaust", "scale", "oneflow2", "storm2", "tcp"]
SMP1_CASES = ["oneflow", "storm"]


def nproc(res, boot):
    try:
        with open(os.path.join(res, boot, "info")) as f:
            for line in f:
                if line.startswith("nproc "):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def expected_numbers(case, xlat):
    if case == "tcp":
        return ["mbps"]
    if case == "scale" and xlat != "plain":
        return ["pps", "sessions", "bytes_per_session", "dump_s"]
    return ["pps"]


def missing_numbers(info, res, xlats, smp2, smp1):
    """Problems: a case asked for (info's "cases"; "smoke" is all of them)
    without its numbers for a translator that loaded."""
    asked = info.get("cases", ",".join(ALL_CASES)).split(",")
    if "smoke" in asked:
        asked = ALL_CASES
    problems = []
    for boot, data, cases in (("smp2", smp2, asked),
                              ("smp1", smp1, [c for c in asked if c in SMP1_CASES])):
        if data is None:
            continue
        for case in cases:
            if case.endswith("2") and nproc(res, boot) < 2:
                continue
            for x in xlats:
                d = data.get((x, case), {})
                lacking = [k for k in expected_numbers(case, x) if num(d.get(k)) is None]
                if lacking:
                    problems.append(f"{boot}: {x} {case}: no {', '.join(lacking)}")
    return problems


def main():
    res = sys.argv[1]
    info = {}
    if os.path.exists(os.path.join(res, "info")):
        with open(os.path.join(res, "info")) as f:
            for line in f:
                k, _, v = line.strip().partition(" ")
                info[k] = v
    smp2 = load(os.path.join(res, "smp2", "results"))
    smp1 = load(os.path.join(res, "smp1", "results"))
    ok = smp2 is not None
    out = []
    out.append(f"## Results {info.get('date', '')}")
    out.append("")
    out.append(f"- machine: {info.get('host', '?')}; guest kernel {info.get('kernel', '?')} under QEMU TCG")
    out.append(f"- run: {info.get('mode', '?')}, commit {info.get('commit', '?')}")
    if smp2 is None:
        out.append("- the 2-vCPU boot produced no results")
        print("\n".join(out))
        return 1

    xl = present(smp2)
    for x in xl:
        if status_of(smp2, x, "load") == "FAIL":
            out.append(f"- {x}: did not load (see smp2/load-{x}.log / console)")
            ok = False
    xl = [x for x in xl if status_of(smp2, x, "load") != "FAIL"]
    have = {x for x in xl}
    out.append("")
    out.append("Packets per second arriving in the IPv4 namespace (pktgen, 78-byte IPv6 frames): "
               "median over the rounds (min-max); X/plain: ratio of medians; X/plain best: ratio of "
               "the best rounds (maxima).")
    out.append("")
    head = ["case"] + [f"{x} pps" for x in xl]
    if "plain" in have:
        head += [f"{x}/plain" for x in xl if x != "plain"]
        head += [f"{x}/plain best" for x in xl if x != "plain"]
    if "nat64" in have and "jool" in have:
        head += ["nat64/jool"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    cases_run = {c for (_x, c) in smp2}
    for key, title in PPS_CASES:
        case, _, field = key.partition(":")
        field = field or "pps"
        if case not in cases_run:
            continue
        row = [title]
        for x in xl:
            row.append(cell(smp2, x, case, field) if field == "pps" else fmt_int(smp2.get((x, case), {}).get(field)))
        plain_ref = smp2.get(("plain", case), {}).get(field)
        if case == "scale":
            plain_ref = smp2.get(("plain", "scale"), {}).get("pps")
        if "plain" in have:
            row += [ratio(smp2.get((x, case), {}).get(field), plain_ref) for x in xl if x != "plain"]
            # Best rounds: on a shared host, the least disturbed slice of
            # each is the closest to its capacity.
            best_ref = smp2.get(("plain", case), {}).get("pps_max")
            row += [ratio(smp2.get((x, case), {}).get("pps_max"), best_ref) if field == "pps" else "-"
                    for x in xl if x != "plain"]
        if "nat64" in have and "jool" in have:
            row.append(ratio(smp2.get(("nat64", case), {}).get(field), smp2.get(("jool", case), {}).get(field)))
        out.append("| " + " | ".join(row) + " |")
    if "tcp" in cases_run:
        row = ["TCP Mbit/s (iperf3)"] + [cell(smp2, x, "tcp", "mbps") for x in xl]
        if "plain" in have:
            row += [ratio(smp2.get((x, "tcp"), {}).get("mbps"), smp2.get(("plain", "tcp"), {}).get("mbps"))
                    for x in xl if x != "plain"]
            row += ["-" for x in xl if x != "plain"]
        if "nat64" in have and "jool" in have:
            row.append(ratio(smp2.get(("nat64", "tcp"), {}).get("mbps"), smp2.get(("jool", "tcp"), {}).get("mbps")))
        out.append("| " + " | ".join(row) + " |")

    if "scale" in cases_run:
        out.append("")
        out.append("Table scale: distinct UDP flows from 16 IPv6 sources, source x destination ports "
                   "(a million: 16 x 15,625 x 4, so 250,000 BIB entries); memory: growth of Slab + VmallocUsed "
                   "+ Percpu while one translator fills its table:")
        out.append("")
        out.append("| translator | sessions | fill time s | new flows/s while filling "
                   "| kernel memory MiB (slab / vmalloc / percpu) | bytes/session | dump with CLI s |")
        out.append("|---|---|---|---|---|---|---|")
        for x in xl:
            if x == "plain":
                continue
            d = smp2.get((x, "scale"), {})
            kmem = num(d.get("kmem_kb"))
            mem = "-" if kmem is None else f"{kmem / 1024:.1f}"
            parts = [num(d.get(k)) for k in ("slab_kb", "vmalloc_kb", "percpu_kb")]
            if kmem is not None and None not in parts:
                mem += " (" + " / ".join(f"{p / 1024:.1f}" for p in parts) + ")"
            out.append("| " + " | ".join([
                x, fmt_int(d.get("sessions")), d.get("fill_s", "-"), fmt_int(d.get("fill_pps")),
                mem, fmt_int(d.get("bytes_per_session")),
                d.get("dump_s", "-")]) + (f" {d['status']}" if d.get("status", "PASS") != "PASS" else "") + " |")

    if smp1 is not None:
        out.append("")
        out.append("Scaling: 1 vCPU (second boot, 1 pktgen thread) vs 2 vCPUs (2 pktgen threads); "
                   "ratio to plain within each boot.")
        out.append("")
        out.append("| case | translator | 1 vCPU pps | /plain | 2 vCPUs pps | /plain | 2 vs 1 |")
        out.append("|---|---|---|---|---|---|---|")
        for case1, case2, title in [("oneflow", "oneflow2", "one flow"), ("storm", "storm2", "storm")]:
            for x in xl:
                a = smp1.get((x, case1), {}).get("pps")
                b = smp2.get((x, case2), {}).get("pps")
                out.append("| " + " | ".join([
                    title, x, fmt_int(a), ratio(a, smp1.get(("plain", case1), {}).get("pps")),
                    fmt_int(b), ratio(b, smp2.get(("plain", case2), {}).get("pps")), ratio(b, a)]) + " |")

    # Verdict: every loaded translator has PASS/WARN for every case it ran,
    # and every case that was asked for gave its numbers.
    problems = missing_numbers(info, res, xl, smp2, smp1)
    for name, data in (("smp2", smp2), ("smp1", smp1)):
        if data is None:
            continue
        for (x, c), d in sorted(data.items()):
            if d.get("status") not in (None, "PASS"):
                problems.append(f"{name}: {x} {c}: {d.get('status')}")
            elif d.get("status") is None:
                problems.append(f"{name}: {x} {c}: no status (case did not finish)")
    if problems:
        ok = False
        out.append("")
        out.append("Problems: " + "; ".join(problems))
    print("\n".join(out))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
