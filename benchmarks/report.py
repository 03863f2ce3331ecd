"""The bench's results: tables on stdout, everything (timelines included) as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _f(value: float) -> str:
    return f"{value:.3f}"


def quality_table(q: dict[str, Any]) -> str:
    rows = []
    for r in q["rows"]:
        a, s = r["aeb"], r["snippets-fr"]
        rows.append([r["system"], _f(a["f1"]), _f(a["precision"]), _f(a["recall"]),
                     a["missing"], _f(s["f1"]), _f(s["precision"]), _f(s["recall"]),
                     s["missing"], r["seconds"]])
    head = ["quality", "aeb F1", "P", "R", "missing", "fr F1", "P", "R", "missing", "s"]
    dropped = q["rows"][0].get("dropped") or "none"
    return (f"Quality: {q['pages']} eval pages served on 127.0.0.1, scored by score.py\n"
            + _table(head, rows) + f"\n(newscrawler pages dropped: {dropped})")


def throughput_table(t: dict[str, Any]) -> str:
    rows = [[r["system"], r["pages"], r.get("stored", r.get("extracted", "")), r["seconds"],
             r["pages_per_s"], f"{r['cpu_s']} ({r['main_cpu_s']})", r["peak_rss_mib"],
             r["peak_pss_mib"], r["peak_main_mib"],
             "+".join(str(m) for m in r["peak_by_process_mib"])] for r in t["rows"]]
    head = ["throughput", "pages", "stored", "wall s", "pages/s", "CPU s (main)",
            "peak RSS MiB (tree)", "peak PSS (tree)", "main MiB", "RSS by process"]
    ours = t["rows"][0]
    return (f"Throughput: {t['pages']} unique copies; crawls with {t['settings']}\n"
            + _table(head, rows)
            + f"\nours/(a) = {t['ratio_ours_to_a']}   ours/(b) = {t['ratio_ours_to_b']}"
            + f"   (ours: crawl alone {ours['crawl_seconds']} s, dropped {ours['dropped']},"
            + f" errors {ours['errors']})")


def memory_table(m: dict[str, Any]) -> str:
    rss, main = m["rss_mib"], m["main_mib"]
    pss = m["pss_mib"]
    rows = [["RSS tree MiB", rss["10%"], rss["50%"], rss["100%"], m["peak_rss_mib"]],
            ["PSS tree MiB", pss["10%"], pss["50%"], pss["100%"], m["peak_pss_mib"]],
            ["RSS main MiB", main["10%"], main["50%"], main["100%"], m["peak_main_mib"]]]
    verdict = "flat" if m["flat"] else "GROWING"
    return (f"Memory: {m['pages']} pages in one crawl, {m['seconds']} s, {m['stored']} stored\n"
            + _table(["memory", "at 10%", "at 50%", "at 100%", "peak"], rows)
            + f"\n50% -> 100%: {m['growth_50_to_100_mib']:+d} MiB ({verdict});"
            + f" pages/s {m['pages_per_s']}")


TABLES = {"quality": quality_table, "throughput": throughput_table, "memory": memory_table}

# The goals the bench is held to (issue 4), checked on the parts that ran.
QUALITY_AEB, QUALITY_FR = 0.970, 0.95
RATIO_A, RATIO_B = 1.2, 1.5
PEAK_RSS_MIB = 400


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal with the value measured in this run and whether it was met."""
    parts = results["parts"]
    found: list[tuple[str, Any, bool]] = []
    if "quality" in parts:
        ours = parts["quality"]["rows"][0]
        aeb, fr = ours["aeb"]["f1"], ours["snippets-fr"]["f1"]
        found += [(f"aeb F1 >= {QUALITY_AEB}", round(aeb, 3), aeb >= QUALITY_AEB),
                  (f"French snippets F1 >= {QUALITY_FR}", round(fr, 3), fr >= QUALITY_FR)]
    if "throughput" in parts:
        t = parts["throughput"]
        rss = t["rows"][0]["peak_rss_mib"]
        found += [(f"ours/(a) >= {RATIO_A}", t["ratio_ours_to_a"], t["ratio_ours_to_a"] >= RATIO_A),
                  (f"ours/(b) >= {RATIO_B}", t["ratio_ours_to_b"], t["ratio_ours_to_b"] >= RATIO_B),
                  (f"throughput peak RSS (tree) < {PEAK_RSS_MIB} MiB", rss, rss < PEAK_RSS_MIB)]
    if "memory" in parts:
        m = parts["memory"]
        found += [(f"{m['pages']}-page peak RSS (tree) < {PEAK_RSS_MIB} MiB", m["peak_rss_mib"],
                   m["peak_rss_mib"] < PEAK_RSS_MIB),
                  ("memory flat over the crawl", f"{m['growth_50_to_100_mib']:+d} MiB", m["flat"])]
    return [{"goal": goal, "value": value, "met": met} for goal, value, met in found]


def goals_table(rows: list[dict[str, Any]]) -> str:
    return "Goals\n" + _table(["goal", "this run", ""], [
        [r["goal"], r["value"], "met" if r["met"] else "NOT MET"] for r in rows])


def render(results: dict[str, Any]) -> str:
    tables = [TABLES[name](part) for name, part in results["parts"].items()]
    if results.get("goals"):
        tables.append(goals_table(results["goals"]))
    return "\n\n".join(tables)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
