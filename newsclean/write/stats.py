"""`newsclean stats`: what the warehouse holds, for an analyst's first look (rows per table and partition,
quarantine reasons, the rules that removed the most lines)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from newsclean import schema
from newsclean.write.store import WarehouseError, WarehouseStore, open_warehouse
from newsclean.write.commit import SITE_TEMPLATES_KEY


def warehouse_stats(warehouse: str | Path | WarehouseStore) -> dict:
    """`warehouse`: a local path or an `s3://bucket/prefix` URI."""
    store = open_warehouse(warehouse)
    store.check_readable()
    try:
        return _stats(store)
    except OSError as error:  # an unreachable bucket, bad credentials, an unreadable file
        raise WarehouseError(f"cannot read the warehouse {str(store)!r}: {error}") from error


def _stats(store: WarehouseStore) -> dict:
    partitions: dict[str, dict[str, int]] = {}
    for table in schema.TABLES:
        for partition, key in store.partitions(table).items():
            partitions.setdefault(table, {})[partition] = store.num_rows(key)
    reasons, rules = Counter(), Counter()
    for key in store.partitions("quarantine").values():
        reasons.update(check for checks in store.read_table(key, columns=["failed_checks"])["failed_checks"].to_pylist() for check in checks)
    for key in store.partitions("removed_lines").values():
        rules.update(store.read_table(key, columns=["rule"])["rule"].to_pylist())
    templates = store.num_rows(SITE_TEMPLATES_KEY) if store.exists(SITE_TEMPLATES_KEY) else 0
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
