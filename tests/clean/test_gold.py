"""The seeds cleaned exactly as shared/seeds-gold says: body paragraphs, metadata, and the removed lines."""
import json
from pathlib import Path

import pytest

from newsclean.clean.text import clean_text

from ..conftest import GOLD, SEEDS

GOLD_RECORDS = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
SHARED_GOLD = Path(__file__).resolve().parents[3] / "shared" / "seeds-gold" / "gold.jsonl"
# The gold's kinds for removed lines, by our rule names.
GOLD_KIND = {"share_prompt": "share_prompt", "comment_widget": "comment_widget", "related_link": "related_link",
             "social_follow": "social_follow", "navigation": "navigation", "duplicate_title": "duplicate_title"}


@pytest.mark.skipif(not SHARED_GOLD.exists(), reason="shared/ not beside the checkout")
def test_fixture_is_the_shared_gold():
    assert GOLD.read_text(encoding="utf-8") == SHARED_GOLD.read_text(encoding="utf-8")


def test_seeds_are_the_gold_files():
    assert sorted(path.name for path in SEEDS.glob("*.txt")) == sorted(record["source"] for record in GOLD_RECORDS)


@pytest.mark.parametrize("gold", GOLD_RECORDS, ids=lambda record: record["source"])
def test_seed_matches_gold(gold):
    cleaned = clean_text((SEEDS / gold["source"]).read_text(encoding="utf-8"))
    assert cleaned.paragraphs == gold["body"]
    assert cleaned.title == gold["title"]
    assert cleaned.dek == gold["dek"]
    assert cleaned.section == gold["section"]
    assert (cleaned.published_date.isoformat() if cleaned.published_date else None) == gold["published"]
    if gold["site_name"]:
        assert cleaned.site_name == gold["site_name"]
    boilerplate = [(r.line_no, r.text, r.kind) for r in cleaned.removed_lines if r.kind != "blank_looking"]
    assert boilerplate == [(r["line"], r["text"], GOLD_KIND[r["kind"]]) for r in gold["removed"]]
    assert [(r.line_no, r.kind) for r in cleaned.metadata_lines] == [(m["line"], m["kind"]) for m in gold["metadata_lines"]]
