"""The hostile corpus (tests/hostile_corpus.py) through a real `newsclean run`: every file ends in exactly one table
with a reason anyone can read, the run exits 0, `runs` reconciles, memory stays bounded, no mojibake in a body."""
import os
import re
import resource
import subprocess
import sys

import duckdb
import pytest
from hypothesis import given, settings, strategies as st

from newsclean.clean.text import clean_text, normalize_line, split_lines

from ..conftest import ROOT
from ..hostile_corpus import build

MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|Â[\u00a0-\u00bf]|[ąčę](?=ve|vu)")  # UTF-8 read as Latin-1, or French as Baltic


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    expected = build(base / "corpus", large=True)
    env = {**os.environ, "PREFECT_HOME": str(base / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "flows", "run", str(base / "corpus"), "--warehouse", str(base / "wh")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return base, expected, done, peak_kib if peak_kib > before else None


def rows(base, table, columns):
    sql = f"select {columns} from read_parquet('{base}/wh/{table}/**/*.parquet', hive_partitioning=true)"
    return duckdb.sql(sql).fetchall()


def relpath(base, source_uri):
    return source_uri.split(f"{base}/corpus/", 1)[1]


def test_run_exits_zero_and_reconciles(hostile_run):
    base, expected, done, _ = hostile_run
    assert done.returncode == 0, done.stderr[-3000:]
    (runs,) = rows(base, "runs", "documents_in, articles_out, quarantine_out, rejected_out")
    assert runs[0] == len(expected) == runs[1] + runs[2] + runs[3]


def test_every_file_is_in_exactly_one_allowed_table_with_a_reason(hostile_run):
    base, expected, _, _ = hostile_run
    where: dict[str, list[str]] = {}
    for uri, in rows(base, "articles", "source_uri"):
        where.setdefault(relpath(base, uri), []).append("articles")
    for uri, checks in rows(base, "quarantine", "source_uri, failed_checks"):
        assert checks, uri
        where.setdefault(relpath(base, uri), []).append("quarantine")
    for uri, reason in rows(base, "rejected", "source_uri, reason"):
        assert len(reason) > 10, (uri, reason)
        where.setdefault(relpath(base, uri), []).append("rejected")
    assert set(where) == set(expected)
    for path, (category, allowed) in expected.items():
        assert len(where[path]) == 1 and where[path][0] in allowed, (category, where[path])


def test_encodings_are_decoded_right_and_recorded(hostile_run):
    base, _, _, _ = hostile_run
    articles = {relpath(base, uri): (body, encoding) for uri, body, encoding in rows(base, "articles", "source_uri, body, encoding")}
    for body, _ in articles.values():
        assert not MOJIBAKE.search(body) and "\x00" not in body
    for path in ("encoding/utf8-bom.txt", "encoding/utf16-le.txt", "encoding/utf16-be.txt", "encoding/cp1252.txt",
                 "encoding/wrong-meta.html", "encoding/mixed-utf8.txt"):
        assert "“Déjà vu”, a dit l’élève" in articles[path][0] or "Déjà vu" in articles[path][0], path
    assert "Déjà vu" in articles["encoding/latin1.txt"][0]
    assert {path: articles[path][1] for path in ("encoding/utf8-bom.txt", "encoding/utf16-le.txt", "encoding/cp1252.txt",
                                                  "encoding/latin1.txt", "encoding/wrong-meta.html")} == {
        "encoding/utf8-bom.txt": "utf-8-sig", "encoding/utf16-le.txt": "utf-16", "encoding/cp1252.txt": "cp1252",
        "encoding/latin1.txt": "cp1252", "encoding/wrong-meta.html": "utf-8"}
    assert articles["encoding/mixed-utf8.txt"][1] == "utf-8 (invalid bytes replaced)"


def test_the_other_language_page_keeps_its_language(hostile_run):
    base, _, _, _ = hostile_run
    languages = {relpath(base, uri): language for uri, language in rows(base, "articles", "source_uri, language")}
    assert languages["html/german.html"] == "de"


def test_size_caps_bound_memory(hostile_run):
    base, _, _, peak_kib = hostile_run
    reasons = {relpath(base, uri): reason for uri, reason in rows(base, "rejected", "source_uri, reason")}
    assert "larger than" in reasons["large/bomb.txt.gz"] and "larger than" in reasons["large/200mb.html"]
    if peak_kib is not None:  # the run's own peak, from the kernel's accounting of finished children
        assert peak_kib < 2 * 1024 * 1024, f"peak RSS {peak_kib} KiB"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=3000))
def test_the_text_cleaner_never_raises_and_never_invents_text(text):
    cleaned = clean_text(text)
    input_lines = [normalize_line(line) for line in split_lines(text)]
    assert all(paragraph in input_lines for paragraph in cleaned.paragraphs)
    assert all(record.line_no <= len(input_lines) for record in cleaned.removed_lines + cleaned.metadata_lines)
