#!/usr/bin/env python
"""Importing twenty years of earlier lists: 20 files × 2,000 rows through import_signatories,
beside a baseline that only reads the same files.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengxin_dev \\
        .venv/bin/python bench/imports.py --years 20 --rows 2000

A benchmark, not a test (see bench/README.md). It works in a throwaway database
(``chengxin_bench_imports`` on the server DATABASE_URL names), dropped at the end. Results: a
table on stdout and var/bench/imports.json.
"""

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import (  # noqa: E402
    RESULTS_DIR,
    create_database,
    database_url,
    drop_database,
    load_average,
    machine,
    postgres_server,
    write_results,
)

DATABASE = "chengxin_bench_imports"
RESULTS = RESULTS_DIR / "imports.json"
PROVINCES = ["11", "31", "32", "33", "37", "44", "51", "42"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--rows", type=int, default=2000, help="rows per year's file")
    parser.add_argument("--first-year", type=int, default=2004)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args()


def credit_code(serial: int) -> str:
    from stdnum.cn import uscc

    body = f"91{PROVINCES[serial % len(PROVINCES)]}0100MA{serial:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def year_rows(year: int, rows: int, rng: random.Random) -> list[list]:
    """About 1,600–2,000 enterprises a year, many of them the same from year to year: each
    year takes its rows from a pool twice its size, so runs and gaps both occur."""
    pool = rng.sample(range(1, rows * 2 + 1), rows)
    return [
        [number, f"测试企业{serial:05d}有限公司", credit_code(serial), "", "34"]
        for number, serial in enumerate(pool, start=1)
    ]


def write_file(path: Path, year: int, rows: list[list], kind: str) -> None:
    header = ["序号", "企业名称", "统一社会信用代码", "省份", "行业"]
    title = f"{year}年企业质量诚信倡议签署企业名单"
    if kind == "csv":
        lines = [title, ",".join(header)] + [",".join(map(str, row)) for row in rows]
        path.write_text("\n".join(lines), encoding="utf-8-sig")
        return
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells("A1:E1")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())


def timed(function) -> tuple[float, float, object]:
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - started, time.process_time() - cpu, result


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    server = postgres_server(os.environ.get("DATABASE_URL", ""))
    if server is None:
        raise SystemExit("bench: set DATABASE_URL to a PostgreSQL server (postgres://…)")
    load_before = load_average()
    drop_database(server, DATABASE)
    create_database(server, DATABASE)
    os.environ["DATABASE_URL"] = database_url(server, DATABASE)
    folder = Path(tempfile.mkdtemp(prefix="chengxin-bench-imports-"))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from pledges.history.reading import read_table
        from pledges.models import ImportedSignature
        from pledges.services.imports import report_csv, signatories_import

        call_command("migrate", verbosity=0)
        rng = random.Random(args.seed)
        years = list(range(args.first_year, args.first_year + args.years))
        files = {}
        for year in years:
            files[year] = folder / f"{year}.{args.format}"
            write_file(files[year], year, year_rows(year, args.rows, rng), args.format)
        data = {year: path.read_bytes() for year, path in files.items()}

        def read_all():
            # The baseline: only reading the files, as any import must.
            return sum(len(read_table(files[y].name, data[y]).rows) for y in years)

        def import_all():
            # As the command does: import, then write the per-row report.
            results = []
            for year in years:
                result = signatories_import(year=year, file_name=files[year].name, data=data[year])
                (folder / f"{year}.report.csv").write_text(report_csv(result), encoding="utf-8-sig")
                results.append(result)
            return {
                outcome: sum(r.counts[outcome] for r in results)
                for outcome in ("added", "updated", "unchanged", "refused")
            }

        read_seconds, read_cpu, read_rows = timed(read_all)
        first_seconds, first_cpu, first = timed(import_all)
        second_seconds, second_cpu, second = timed(import_all)
        stored = ImportedSignature.objects.count()
        connections.close_all()
    finally:
        drop_database(server, DATABASE)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    rows = args.years * args.rows
    results = {
        "years": args.years,
        "rows_per_year": args.rows,
        "rows": rows,
        "format": args.format,
        "baseline_read_only": {
            "seconds": round(read_seconds, 2),
            "rows_per_second": round(read_rows / read_seconds),
        },
        "first_run": {
            "seconds": round(first_seconds, 2),
            "cpu_seconds": round(first_cpu, 2),
            "rows_per_second": round(rows / first_seconds),
            "counts": first,
        },
        "second_run": {
            "seconds": round(second_seconds, 2),
            "rows_per_second": round(rows / second_seconds),
            "counts": second,
        },
        "stored": stored,
        "ratio_import_to_read_only": round(read_seconds / first_seconds, 2),
        "target_under_60_s": first_seconds < 60,
        "machine": machine(load_before),
    }
    print()
    print(f"Import — {args.years} years × {args.rows} rows ({args.format}), {os.cpu_count()} cores")
    print(f"  baseline: reading the files only    {read_seconds:8.2f} s")
    print(f"  import, first run                   {first_seconds:8.2f} s  {first}")
    print(f"  import, second run (nothing to do)  {second_seconds:8.2f} s  {second}")
    print(f"  rows stored                         {stored:8d}")
    verdict = "met" if first_seconds < 60 else "NOT MET"
    print(f"  target: {rows:,} rows in under 60 s   {verdict}")
    write_results(args.output, results)
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
