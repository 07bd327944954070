"""Formats a scripts/bench run as the Markdown section appended to BENCHMARKS.md.

    python3 Benchmarks/report.py RESULTS_DIR "100000 1000000"
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

PHASES = [  # run.json timings, in pipeline order
    "read_parcels", "read_service_areas", "read_monitoring", "link", "compliance", "exclusions", "review_and_zone", "dissolve",
    "hash_inputs", "write_parcels_geojson", "write_parcels_gpkg", "write_summary_csv", "write_review_csv", "write_sources",
    "write_zones_geojson", "write_rejects_csv", "write_report_html",
]


def time_v(path):
    """Wall seconds and peak RSS (bytes) from `/usr/bin/time -v`."""
    text = open(path).read()
    clock = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    hours, minutes, seconds = clock.groups()
    wall = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) * 1024
    status = int(re.search(r"Exit status: (\d+)", text).group(1))
    return wall, rss, status


def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    memory = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1024 / 1024
    os_name = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME")), platform.system())
    return f"{os.cpu_count()} × {model}, {memory:.0f} GiB, {os_name}"


def commit():
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    return head + (" + uncommitted changes" if dirty else "")


def seconds(value):
    return "—" if value is None else f"{value:.2f}"


def main(results, sizes):
    sizes = [int(n) for n in sizes.split()]
    runs = {}
    for n in sizes:
        wall, rss, status = time_v(f"{results}/irrizone-{n}.time")
        manifest = json.load(open(f"{results}/irrizone-{n}.run.json"))
        ogr_wall, ogr_rss, _ = time_v(f"{results}/ogr2ogr-{n}.time")
        peer = None
        if os.path.exists(f"{results}/peer-{n}.time"):
            peer_wall, peer_rss, peer_status = time_v(f"{results}/peer-{n}.time")
            peer = {"wall": peer_wall, "rss": peer_rss, "phases": json.load(open(f"{results}/peer-{n}.json"))["timings_seconds"] if peer_status == 0 else {}}
        runs[n] = {"wall": wall, "rss": rss, "status": status, "manifest": manifest, "ogr": (ogr_wall, ogr_rss), "peer": peer}

    tool = runs[sizes[0]]["manifest"].get("tool", {})
    out = [f"## {datetime.date.today().isoformat()} — `scripts/bench` (commit {commit()})", ""]
    out.append(f"Machine: {machine()}. GDAL {tool.get('gdal', '?')}, GEOS {tool.get('geos', '?')}, PROJ {tool.get('proj', '?')}. "
               f"Command: `BENCH_SIZES=\"{' '.join(map(str, sizes))}\" scripts/bench` (release build; synthetic projects from "
               "`irrizone synth --parcels N --sources 20 --seed 20241015`; wall and peak RSS from `/usr/bin/time -v`).")
    out.append("")
    header = "| | " + " | ".join(f"{n:,} parcels".replace(",", " ") for n in sizes) + " |"
    out += [header, "|---|" + "---:|" * len(sizes)]

    def row(label, values):
        out.append(f"| {label} | " + " | ".join(values) + " |")

    row("**irrizone assess, wall (s)**", [f"**{runs[n]['wall']:.2f}**" + ("" if runs[n]["status"] == 0 else f" (exit {runs[n]['status']})") for n in sizes])
    row("parcels/s", [f"{n / runs[n]['wall']:,.0f}".replace(",", " ") for n in sizes])
    row("peak RSS (GB)", [f"{runs[n]['rss'] / 1e9:.2f}" for n in sizes])
    timings = {n: runs[n]["manifest"].get("timings_seconds", {}) for n in sizes}
    names = [p for p in PHASES if any(p in timings[n] for n in sizes)]
    names += sorted({k for n in sizes for k in timings[n]} - set(PHASES))
    for name in names:
        row(f"&nbsp;&nbsp;{name}", [seconds(timings[n].get(name)) for n in sizes])
    row("ogr2ogr → RFC 7946 GeoJSON, parcels only (s)", [f"{runs[n]['ogr'][0]:.2f}" for n in sizes])
    row("geopandas peer (s)", [f"{runs[n]['peer']['wall']:.2f}" if runs[n]["peer"] else "not run" for n in sizes])
    row("peer / irrizone", [f"{runs[n]['peer']['wall'] / runs[n]['wall']:.2f}×" if runs[n]["peer"] else "—" for n in sizes])
    row("ogr2ogr / irrizone", [f"{runs[n]['ogr'][0] / runs[n]['wall']:.2f}×" for n in sizes])
    out.append("")
    peers = [n for n in sizes if runs[n]["peer"] and runs[n]["peer"]["phases"]]
    if peers:
        out.append("Peer phases (s): " + "; ".join(f"{n:,}".replace(",", " ") + ": " + ", ".join(f"{k} {v:.2f}" for k, v in runs[n]["peer"]["phases"].items()) for n in peers) + ".")
        out.append("")

    checks = []
    if 1_000_000 in runs:
        r = runs[1_000_000]
        checks.append(f"10⁶ under 30 s: {'met' if r['wall'] < 30 else 'not met'} ({r['wall']:.1f} s)")
        checks.append(f"10⁶ peak RSS under 3 GB: {'met' if r['rss'] < 3e9 else 'not met'} ({r['rss'] / 1e9:.2f} GB)")
    if 100_000 in runs:
        r = runs[100_000]
        if r["peer"]:
            ratio = r["peer"]["wall"] / r["wall"]
            checks.append(f"10⁵ at least 10× faster than the peer: {'met' if ratio >= 10 else 'not met'} ({ratio:.2f}×)")
        checks.append(f"10⁵ faster than ogr2ogr: {'met' if r['wall'] < r['ogr'][0] else 'not met'} ({r['wall']:.1f} s vs {r['ogr'][0]:.1f} s)")
    if 100_000 in runs and 1_000_000 in runs:
        growth = runs[1_000_000]["wall"] / runs[100_000]["wall"]
        checks.append(f"10⁶ within 12× of 10⁵: {'met' if growth <= 12 else 'not met'} ({growth:.1f}×)")
    if checks:
        out.append("Targets (issue #7): " + "; ".join(checks) + ".")
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
