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

PHASES = [  # run.json timings, in pipeline order (read_monitoring runs on its own thread during read_parcels;
    # a whole run links by location while the irrigation tables are still read, then adds them)
    "census", "layer_facts", "read_parcels", "prepare_link", "wait_for_other_tables", "link", "wait_for_monitoring", "read_service_areas",
    "read_monitoring", "link_irrigation", "compliance", "exclusions", "review_context", "review_and_zone", "dissolve",
    "hash_inputs", "write_parcels_geojson", "result_tables_rows", "write_parcels_gpkg", "finish_parcels_gpkg", "review_csv_and_summary_rows", "write_summary_csv", "write_review_csv", "write_sources",
    "write_zones_geojson", "write_rejects_csv", "write_report_html", "wait_for_parcels_file",
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


def in_run_order(results, prefix, suffix):
    """The files `<prefix>-<run number><suffix>` in `results`, by run number (run 10 after run 9)."""
    names = [f for f in os.listdir(results) if re.fullmatch(rf"{re.escape(prefix)}-\d+{re.escape(suffix)}", f)]
    return sorted(names, key=lambda f: int(f[len(prefix) + 1:-len(suffix)]))


def main(results, sizes):
    sizes = [int(n) for n in sizes.split()]
    runs = {}
    for n in sizes:
        # Every run of `assess` at this size; the table shows the median run (by wall), the
        # largest peak RSS of all, and every run's wall.
        run_names = [f[:-len(".time")] for f in in_run_order(results, f"irrizone-{n}", ".time")]
        assessed = [(*time_v(f"{results}/{name}.time"), name) for name in run_names]
        wall, _, _, median_name = sorted(assessed)[(len(assessed) - 1) // 2]
        rss = max(r for _, r, _, _ in assessed)
        status = max((s for _, _, s, _ in assessed), key=lambda s: s != 0)
        walls = [w for w, _, _, _ in assessed]
        manifest = json.load(open(f"{results}/{median_name}.run.json"))
        ogr_wall, ogr_rss, _ = time_v(f"{results}/ogr2ogr-{n}.time") if os.path.exists(f"{results}/ogr2ogr-{n}.time") else (None, None, None)
        peer = None
        if os.path.exists(f"{results}/peer-{n}.time"):
            peer_wall, peer_rss, peer_status = time_v(f"{results}/peer-{n}.time")
            peer = {"wall": peer_wall, "rss": peer_rss, "phases": json.load(open(f"{results}/peer-{n}.json"))["timings_seconds"] if peer_status == 0 else {}}
        parts = None
        if os.path.exists(f"{results}/merge-{n}.time"):
            part_files = sorted(f for f in os.listdir(results) if f.startswith(f"part-{n}-") and f.endswith(".time"))
            part_runs = [time_v(f"{results}/{f}") for f in part_files]
            merge_wall, merge_rss, merge_status = time_v(f"{results}/merge-{n}.time")
            parts = {"count": len(part_runs), "walls": [w for w, _, _ in part_runs], "rss": max(r for _, r, _ in part_runs),
                     "failed": sum(1 for _, _, s in part_runs if s != 0) + (merge_status != 0), "merge": (merge_wall, merge_rss),
                     "merge_phases": json.load(open(f"{results}/merge-{n}.run.json")).get("timings_seconds", {}),
                     "identical": open(f"{results}/merge-{n}.identical").read().strip()}
        # Removing the previous run's outputs before each run (untimed in the run itself).
        removals = [float(open(f"{results}/{f}").read().split()[-1]) for f in in_run_order(results, f"remove-previous-{n}", ".seconds")]
        runs[n] = {"removals": removals, "wall": wall, "walls": walls, "rss": rss, "status": status, "manifest": manifest, "ogr": (ogr_wall, ogr_rss), "peer": peer, "parts": parts}

    tool = runs[sizes[0]]["manifest"].get("tool", {})
    out = [f"## {datetime.date.today().isoformat()} — `scripts/bench` (commit {commit()})", ""]
    out.append(f"Machine: {machine()}. GDAL {tool.get('gdal', '?')}, GEOS {tool.get('geos', '?')}, PROJ {tool.get('proj', '?')}. "
               f"Command: `BENCH_SIZES=\"{' '.join(map(str, sizes))}\" scripts/bench` (release build; synthetic projects from "
               "`irrizone synth --parcels N --sources 20 --seed 20241015`; wall and peak RSS from `/usr/bin/time -v`; "
               f"`assess` run {len(runs[sizes[0]]['walls'])} times at each size, the peer and `ogr2ogr` once).")
    out.append("")
    header = "| | " + " | ".join(f"{n:,} parcels".replace(",", " ") for n in sizes) + " |"
    out += [header, "|---|" + "---:|" * len(sizes)]

    def row(label, values):
        out.append(f"| {label} | " + " | ".join(values) + " |")

    row("**irrizone assess, wall (s), median run**", [f"**{runs[n]['wall']:.2f}**" + ("" if runs[n]["status"] == 0 else f" (exit {runs[n]['status']})") for n in sizes])
    row("&nbsp;&nbsp;every run, in order (s)", [" / ".join(f"{w:.2f}" for w in runs[n]["walls"]) for n in sizes])
    row("parcels/s", [f"{n / runs[n]['wall']:,.0f}".replace(",", " ") for n in sizes])
    row("peak RSS (GB), largest of the runs", [f"{runs[n]['rss'] / 1e9:.2f}" for n in sizes])
    row("**phases of the median run (s)**", ["" for n in sizes])
    timings = {n: runs[n]["manifest"].get("timings_seconds", {}) for n in sizes}
    names = [p for p in PHASES if any(p in timings[n] for n in sizes)]
    names += sorted({k for n in sizes for k in timings[n]} - set(PHASES))
    for name in names:
        row(f"&nbsp;&nbsp;{name}", [seconds(timings[n].get(name)) for n in sizes])
    row("removing a previous run's outputs first, not in the wall above (s)",
        [" / ".join(f"{t:.2f}" for t in runs[n]["removals"]) or "—" for n in sizes])
    row("ogr2ogr → RFC 7946 GeoJSON, parcels only (s)", [f"{runs[n]['ogr'][0]:.2f}" if runs[n]["ogr"][0] else "not run" for n in sizes])
    row("geopandas peer (s)", [f"{runs[n]['peer']['wall']:.2f}" if runs[n]["peer"] else "not run" for n in sizes])
    row("peer / irrizone", [f"{runs[n]['peer']['wall'] / runs[n]['wall']:.2f}×" if runs[n]["peer"] else "—" for n in sizes])
    row("ogr2ogr / irrizone", [f"{runs[n]['ogr'][0] / runs[n]['wall']:.2f}×" if runs[n]["ogr"][0] else "—" for n in sizes])
    if any(runs[n]["parts"] for n in sizes):
        def part(n, f):
            p = runs[n]["parts"]
            return f(p) if p else "not run"
        count = next(runs[n]["parts"]["count"] for n in sizes if runs[n]["parts"])
        row(f"**partitioned, {count} parts (`--shard i/{count}`, run one after another)**", ["" for n in sizes])
        row("&nbsp;&nbsp;each part, wall (s)", [part(n, lambda p: " / ".join(f"{w:.1f}" for w in p["walls"])) for n in sizes])
        row("&nbsp;&nbsp;parts' peak RSS, largest (GB)", [part(n, lambda p: f"{p['rss'] / 1e9:.2f}") for n in sizes])
        row("&nbsp;&nbsp;`merge`, wall (s) / peak RSS (GB)", [part(n, lambda p: f"{p['merge'][0]:.2f} / {p['merge'][1] / 1e9:.2f}") for n in sizes])
        row(f"&nbsp;&nbsp;slowest part + merge (wall on {count} machines like this one, s)", [part(n, lambda p: f"**{max(p['walls']) + p['merge'][0]:.1f}**") for n in sizes])
        row("&nbsp;&nbsp;merged outputs identical to the whole run", [part(n, lambda p: p["identical"] + (f" ({p['failed']} runs failed)" if p["failed"] else "")) for n in sizes])
    out.append("")
    merged = [n for n in sizes if runs[n]["parts"]]
    if merged:
        out.append("Merge phases (s): " + "; ".join(f"{n:,}".replace(",", " ") + ": " + ", ".join(f"{k} {v:.2f}" for k, v in runs[n]["parts"]["merge_phases"].items()) for n in merged) + ".")
        out.append("")
    peers = [n for n in sizes if runs[n]["peer"] and runs[n]["peer"]["phases"]]
    if peers:
        out.append("Peer phases (s): " + "; ".join(f"{n:,}".replace(",", " ") + ": " + ", ".join(f"{k} {v:.2f}" for k, v in runs[n]["peer"]["phases"].items()) for n in peers) + ".")
        out.append("")

    checks = []
    if 1_000_000 in runs:
        r = runs[1_000_000]
        checks.append(f"10⁶ under 30 s (median run): {'met' if r['wall'] < 30 else 'not met'} ({r['wall']:.1f} s)")
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
