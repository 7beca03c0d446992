"""Real Great Expectations over article candidates: failing rows are named and quarantined, passing rows pass."""
import datetime as dt
import json

import pytest

from flows import settings
from flows.validate import load_suite, validate_candidates

TODAY = dt.date(2026, 11, 22)
GOOD_BODY = ("The council approved the new budget on Tuesday after a long debate that lasted into the night. " * 4).strip()


def candidate(doc_id, **changes):
    row = {"doc_id": doc_id, "body": GOOD_BODY, "published_date": dt.date(2024, 5, 1), "language": "en"}
    row["word_count"] = len(row["body"].split())
    row.update(changes)
    return row


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    rows = [
        candidate("good"),
        candidate("good-no-date", published_date=None, language=None),
        candidate("short", body="Too short.", word_count=2),
        candidate("widget", body=GOOD_BODY + "\n\nLeave a comment"),
        candidate("future", published_date=TODAY + dt.timedelta(days=30)),
        candidate("ancient", published_date=dt.date(1901, 1, 1)),
        candidate("bad-language", language="English!"),
        candidate("twin"),
        candidate("twin"),
    ]
    return validate_candidates(rows, today=TODAY, docs_dir=tmp_path_factory.mktemp("docs"))


def test_each_failing_row_is_quarantined_with_the_checks_it_failed(outcome):
    failed = {row["doc_id"]: sorted(row["failed_checks"]) for row in outcome.quarantined}
    assert failed == {
        "short": ["body_length_plausible", "word_count_in_range"],
        "widget": ["no_boilerplate_left"],
        "future": ["published_date_plausible"],
        "ancient": ["published_date_plausible"],
        "bad-language": ["language_code"],
        "twin": ["doc_id_unique"],
    }
    assert len(outcome.quarantined) == 7  # both twins
    assert [row["doc_id"] for row in outcome.passed] == ["good", "good-no-date"]
    assert outcome.failed_checks["doc_id_unique"] == 2 and not outcome.success


def test_data_docs_are_built(outcome):
    index = outcome.data_docs
    assert index and open(index, encoding="utf-8").read().count("<html") >= 1


def test_suite_names_every_check():
    suite = load_suite()
    checks = [e["meta"]["check"] for e in suite["expectations"]]
    assert len(checks) == len(set(checks)) >= 7


def test_a_suite_without_check_names_is_refused(tmp_path):
    broken = json.loads(settings.ARTICLES_SUITE.read_text())
    del broken["expectations"][0]["meta"]
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(ValueError, match="meta.check"):
        load_suite(path)


def test_no_candidates_is_a_trivial_success():
    outcome = validate_candidates([], today=TODAY)
    assert outcome.success and outcome.passed == [] and outcome.quarantined == []


def test_a_run_validated_in_chunks_has_one_report_listing_every_chunk(tmp_path):
    import re

    from flows.validate import Validator

    validator = Validator(today=TODAY, docs_dir=tmp_path / "docs")
    outcomes = [validator.validate([candidate(f"doc{chunk}-{n}") for n in range(3)]) for chunk in range(3)]
    assert all(len(outcome.passed) == 3 for outcome in outcomes)
    assert validator.data_docs is None and not (tmp_path / "docs" / "index.html").exists()  # built once, at the end
    index = validator.build_data_docs()
    listed = set(re.findall(r'validations/[^"]+\.html', open(index, encoding="utf-8").read()))
    assert len(listed) == 3 and all((tmp_path / "docs" / path).exists() for path in listed)
