"""`newsclean stats`: what the warehouse holds, for an analyst's first look (rows per table and partition,
quarantine reasons, the rules that removed the most lines)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from . import schema
from .write import PARTITION_FILE, site_templates_path


def warehouse_stats(warehouse: Path) -> dict:
    partitions: dict[str, dict[str, int]] = {}
    for table in schema.TABLES:
        for path in sorted((warehouse / table).glob(f"{schema.PARTITION_COLUMN}=*/{PARTITION_FILE}")):
            partitions.setdefault(table, {})[path.parent.name.split("=", 1)[1]] = pq.ParquetFile(path).metadata.num_rows
    reasons, rules = Counter(), Counter()
    for path in (warehouse / "quarantine").glob(f"*/{PARTITION_FILE}"):
        reasons.update(check for checks in pq.read_table(path, columns=["failed_checks"])["failed_checks"].to_pylist() for check in checks)
    for path in (warehouse / "removed_lines").glob(f"*/{PARTITION_FILE}"):
        rules.update(pq.read_table(path, columns=["rule"])["rule"].to_pylist())
    templates = pq.ParquetFile(site_templates_path(warehouse)).metadata.num_rows if site_templates_path(warehouse).exists() else 0
    return {"partitions": partitions, "quarantine_reasons": reasons.most_common(), "top_rules": rules.most_common(10),
            "site_template_lines": templates}


def format_stats(stats: dict) -> str:
    lines = ["rows per table and partition:"]
    for table, by_partition in stats["partitions"].items():
        lines.append(f"  {table:<14} {sum(by_partition.values()):>9} rows")
        lines += [f"    ingest_date={partition}  {rows:>9}" for partition, rows in by_partition.items()]
    lines.append("quarantine reasons (rows failing each check):")
    lines += [f"  {check:<28} {count:>9}" for check, count in stats["quarantine_reasons"]] or ["  none"]
    lines.append("top removal rules (lines removed):")
    lines += [f"  {rule:<28} {count:>9}" for rule, count in stats["top_rules"]] or ["  none"]
    lines.append(f"site template lines learnt: {stats['site_template_lines']}")
    return "\n".join(lines)
