"""Crawl-format inputs: WARC and JSONL files written here with real writers (fastwarc, gzip), then read by real flow
runs (the session's Prefect harness) and by discovery; an s3:// SOURCE on moto's S3 server on loopback."""
import datetime as dt
import gzip
import io
import json
import os
import socket
import subprocess
import sys
import uuid

import duckdb
import pytest
from fastwarc.warc import WarcRecord, WarcRecordType

from newsclean import settings
from flows.flow import clean_articles
from newsclean.read.discover import discover, read_document
from newsclean.storage import s3_client

from ..conftest import ROOT, SEEDS

FETCHED = "2024-03-05T10:00:00Z"
WORDS = ("harbour council budget river bridge school teachers vote mayor plan rail station workers union talks "
         "market farmers harvest weather storm coast village hospital nurses museum library festival").split()


def story(seed: int, paragraphs: int = 4) -> list[str]:
    """Paragraphs of plausible news prose, different for each seed (the site-template rule must not eat them)."""
    out = []
    for p in range(paragraphs):
        words = [WORDS[(seed * 7 + p * 3 + i * (seed % 5 + 1)) % len(WORDS)] for i in range(40)]
        out.append(f"Story {seed} part {p}: " + " ".join(words).capitalize() + f", said resident number {seed * 10 + p}.")
    return out


def html_page(seed: int, charset_meta: str | None = None) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in story(seed))
    return (f"<html><head>{meta}<title>Headline number {seed}</title></head><body><article><h1>Headline number {seed}</h1>"
            f"{body}</article></body></html>")


def warc_record(kind, uri: str, payload: bytes, http_head: str | None = None) -> bytes:
    """One WARC record's bytes, written by fastwarc."""
    record = WarcRecord()
    record.init_headers(kind)
    record.headers["WARC-Target-URI"] = uri
    record.headers["WARC-Date"] = FETCHED
    if http_head is not None:
        record.headers["Content-Type"] = "application/http; msgtype=response"
        payload = http_head.replace("\n", "\r\n").encode() + b"\r\n\r\n" + payload
    record.set_bytes_content(payload)
    out = io.BytesIO()
    record.write(out)
    return out.getvalue()


def html_response(uri: str, page: bytes, content_type: str = "text/html; charset=utf-8") -> bytes:
    return warc_record(WarcRecordType.response, uri, page, f"HTTP/1.1 200 OK\nContent-Type: {content_type}")


def crawl_records(first_seed: int = 0) -> list[bytes]:
    """A small crawl: warcinfo, three HTML responses (one windows-1252 by its HTTP header only), a request, a JSON response."""
    seeds = range(first_seed, first_seed + 3)
    pages = [html_page(seed).encode() for seed in seeds]
    pages[1] = html_page(first_seed + 1).replace("Story", "Café story").encode("cp1252")
    return [
        warc_record(WarcRecordType.warcinfo, "", b"software: newsclean-test\r\n"),
        html_response(f"https://news.example/{seeds[0]}", pages[0]),
        warc_record(WarcRecordType.request, f"https://news.example/{seeds[0]}", b"GET / HTTP/1.1\r\nHost: news.example\r\n\r\n"),
        html_response(f"https://news.example/{seeds[1]}", pages[1], "text/html; charset=windows-1252"),
        html_response(f"https://news.example/{seeds[0]}.json", b'{"a": 1}', "application/json"),
        html_response(f"https://news.example/{seeds[2]}", pages[2], "application/xhtml+xml"),
    ]


def warc_bytes(records: list[bytes], gz: bool) -> bytes:
    """A .warc.gz has one gzip member per record, as crawlers write it."""
    return b"".join(gzip.compress(record) for record in records) if gz else b"".join(records)


def query(sql):
    return duckdb.sql(sql).fetchall()


def table(warehouse, name):
    return f"read_parquet('{warehouse}/{name}/**/*.parquet', hive_partitioning=true, union_by_name=true)"


def documents(warehouse):
    """(source_uri, url, doc_id) of every article and quarantined row."""
    return sorted(query(f"select source_uri, url, doc_id from {table(warehouse, 'articles')} union all "
                        f"select source_uri, url, doc_id from {table(warehouse, 'quarantine')}"))


def rejected(warehouse):
    return sorted(query(f"select source_uri, reason from {table(warehouse, 'rejected')}"))


# --- discovery and reading, no Prefect ---------------------------------------------------------------------------

@pytest.mark.parametrize("packing", ["plain", "member per record", "one gzip stream"])
def test_warc_discovery_keeps_html_responses_and_counts_the_rest(make_source, packing):
    name = "crawl.warc" if packing == "plain" else "crawl.warc.gz"
    content = gzip.compress(warc_bytes(crawl_records(), False)) if packing == "one gzip stream" else warc_bytes(crawl_records(), packing != "plain")
    root = make_source({name: content})
    found = discover(root)
    assert found.skipped_records == 3  # warcinfo, request, JSON response
    assert len(found) == 3 and all(source.problem is None for source in found)
    read = [read_document(source) for source in found]
    assert [doc.url for doc in read] == ["https://news.example/0", "https://news.example/1", "https://news.example/2"]
    assert all(doc.fetched_at == dt.datetime(2024, 3, 5, 10, tzinfo=dt.timezone.utc) and doc.format == "html" for doc in read)
    assert "Café story" in read[1].text and read[1].encoding == "cp1252"  # the HTTP charset, no <meta>
    assert all(source.source_uri == f"{root / name}#offset={source.offset}" for source in found)
    assert len({source.doc_id for source in found}) == 3


def test_damaged_warc_keeps_the_records_before_the_damage(make_source):
    records = crawl_records()
    whole = warc_bytes(records, gz=True)
    damage_at = len(warc_bytes(records[:5], gz=True))  # the last record's gzip member is cut short
    plain = warc_bytes(records, gz=False)
    corrupt_at = len(warc_bytes(records[:3], gz=False))  # the 4th record's header is garbage
    root = make_source({"cut.warc.gz": whole[:-40], "corrupt.warc": plain[:corrupt_at] + b"GARBAGE\r\n\r\n" + plain[corrupt_at + 9:]})
    found = discover(root)
    by_file = {}
    for source in found:
        by_file.setdefault(source.relpath, []).append(source)
    cut = by_file["cut.warc.gz"]
    assert [s.problem is None for s in cut] == [True, True, False]
    assert cut[-1].offset == damage_at and str(damage_at) in cut[-1].source_uri
    corrupt = by_file["corrupt.warc"]
    assert [s.problem is None for s in corrupt] == [True, False]
    assert corrupt[-1].offset == corrupt_at and f"byte {corrupt_at}" in corrupt[-1].problem
    assert read_document(corrupt[0]).url == "https://news.example/0"


def test_a_warc_gz_compressed_as_one_stream_is_read_forward_and_its_damage_found(make_source):
    records = crawl_records()
    stream = warc_bytes(records, gz=False)
    root = make_source({"one.warc.gz": gzip.compress(stream), "cut.warc.gz": gzip.compress(stream)[:-200],
                        "tail.warc.gz": gzip.compress(stream + b"GARBAGE")})
    found = discover(root)
    one = [source for source in found if source.relpath == "one.warc.gz"]
    assert [source.offset for source in one] == [len(warc_bytes(records[:n], gz=False)) for n in (1, 3, 5)]  # decompressed bytes
    urls = ["https://news.example/0", "https://news.example/1", "https://news.example/2"]
    assert [read_document(source).url for source in one] == urls
    assert read_document(one[1]).url == urls[1]  # back to an earlier record: the stream is read again from its start
    cut = [source for source in found if source.relpath == "cut.warc.gz"]
    assert cut and cut[-1].problem is not None and all(source.problem is None for source in cut[:-1])
    assert [read_document(source).url for source in cut[:-1]] == urls[:len(cut) - 1]
    tail = [source for source in found if source.relpath == "tail.warc.gz"]
    assert [source.problem is None for source in tail] == [True, True, True, False]
    assert f"byte {len(stream)}" in tail[-1].problem


def jsonl_lines() -> list[str]:
    return [
        json.dumps({"id": "a-1", "html": html_page(10), "url": "https://jsonl.example/a-1", "fetched_at": "2024-03-04T08:00:00+01:00"}),
        json.dumps({"text": "\n\n".join(story(11)), "url": "https://jsonl.example/t"}),
        "{not json",
        "",
        json.dumps({"id": 5, "title": "no body"}),
        json.dumps({"id": 6, "text": "\n\n".join(story(12))}),
    ]


def test_jsonl_lines_are_documents_with_identity_by_id_or_line(make_source):
    lines = jsonl_lines()
    root = make_source({"export.jsonl": "\n".join(lines) + "\n"}, name="one")
    found = discover(root)
    assert [source.line_no for source in found] == [1, 2, 3, 5, 6]  # the blank line is no document
    first = read_document(found[0])
    assert (first.format, first.url, first.fetched_at) == ("html", "https://jsonl.example/a-1", dt.datetime(2024, 3, 4, 7, tzinfo=dt.timezone.utc))
    assert read_document(found[1]).format == "text"
    assert [source.record_id for source in found] == ["a-1", None, None, "5", "6"]
    assert found[1].source_uri == f"{root / 'export.jsonl'}#line=2"


def test_a_jsonl_line_keeps_its_doc_id_when_it_moves(tmp_path):
    lines = jsonl_lines()
    root = tmp_path / "crawl"
    root.mkdir()
    path = root / "export.jsonl"
    path.write_text("\n".join(lines) + "\n")
    before = {source.record_id: source.doc_id for source in discover(root)}
    path.write_text("\n".join([lines[1], lines[5], lines[0]]) + "\n")
    after = {source.record_id: source.doc_id for source in discover(root)}
    assert after["a-1"] == before["a-1"] and after["6"] == before["6"]


# --- real flow runs ------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("prefect_server")
def test_warc_run_lands_html_records_with_their_url_and_reruns_nothing(make_source, tmp_path):
    root = make_source({"2024-03-05/crawl.warc.gz": warc_bytes(crawl_records(), gz=True),
                        "2024-03-05/more.warc": warc_bytes(crawl_records(first_seed=20), gz=False)})
    warehouse = tmp_path / "warehouse"
    summary = clean_articles(source=str(root), warehouse=str(warehouse), workers=1)
    assert summary["documents_in"] == 6 and summary["rejected_out"] == 0
    assert summary["articles_out"] + summary["quarantine_out"] == 6
    rows = documents(warehouse)
    assert sorted(url for _, url, _ in rows) == sorted(f"https://news.example/{n}" for n in (0, 1, 2, 20, 21, 22))
    assert query(f"select records_skipped from {table(warehouse, 'runs')}") == [(6,)]
    fetched = query(f"select distinct fetched_at, cast(published_date as varchar), ingest_date from {table(warehouse, 'articles')}")
    assert [(row[0].astimezone(dt.timezone.utc), row[1], str(row[2])) for row in fetched] == [
        (dt.datetime(2024, 3, 5, 10, tzinfo=dt.timezone.utc), None, "2024-03-05")]  # a fetch time is no publication date
    again = clean_articles(source=str(root), warehouse=str(warehouse), workers=1)
    assert (again["documents_in"], again["documents_skipped"], again["articles_out"] + again["quarantine_out"]) == (6, 6, 0)
    redo = clean_articles(source=str(root), warehouse=str(warehouse), workers=1, mode="reprocess")
    assert redo["articles_out"] + redo["quarantine_out"] == 6
    assert documents(warehouse) == rows  # same doc_ids, no duplicates
    with open(root / "2024-03-05" / "more.warc", "ab") as crawl:  # the crawler appends: the container has changed
        crawl.write(warc_bytes(crawl_records(first_seed=30), gz=False))
    changed = clean_articles(source=str(root), warehouse=str(warehouse), workers=1)
    assert (changed["documents_in"], changed["documents_skipped"], changed["articles_out"] + changed["quarantine_out"]) == (9, 3, 6)
    after = documents(warehouse)
    assert len(after) == len({doc_id for _, _, doc_id in after}) == 9 and set(rows) <= set(after)


@pytest.mark.usefixtures("prefect_server")
def test_bad_input_loses_only_its_record(make_source, tmp_path):
    records = crawl_records()
    whole = warc_bytes(records, gz=True)
    lines = jsonl_lines()
    gz_lines = gzip.compress(("\n".join(lines[:2] + lines[5:]) + "\n").encode())
    root = make_source({"cut.warc.gz": whole[: len(warc_bytes(records[:4], gz=True)) + 30],  # inside the JSON response's member
                        "export.jsonl": "\n".join(lines) + "\n", "export.jsonl.gz": gz_lines,
                        "cut.jsonl.gz": gz_lines[: len(gz_lines) * 2 // 3]})
    warehouse = tmp_path / "warehouse"
    summary = clean_articles(source=str(root), warehouse=str(warehouse), workers=1)
    assert summary["articles_out"] + summary["quarantine_out"] + summary["rejected_out"] == summary["documents_in"]
    urls = {url for _, url, _ in documents(warehouse)}
    assert {"https://news.example/0", "https://news.example/1", "https://jsonl.example/a-1", "https://jsonl.example/t"} <= urls
    reasons = {uri.removeprefix(str(root) + "/"): reason for uri, reason in rejected(warehouse)}
    cut_offset = len(warc_bytes(records[:4], gz=True))
    assert "truncated" in reasons[f"cut.warc.gz#offset={cut_offset}"] and f"byte {cut_offset}" in reasons[f"cut.warc.gz#offset={cut_offset}"]
    assert "is not JSON" in reasons["export.jsonl#line=3"] and "line 3" in reasons["export.jsonl#line=3"]
    assert "neither" in reasons["export.jsonl#line=5"]
    [cut_jsonl] = [reason for uri, reason in reasons.items() if uri.startswith("cut.jsonl.gz")]
    assert "truncated or corrupt gzip stream" in cut_jsonl
    assert summary["rejected_out"] == 4
    # every line of the intact .jsonl.gz is a document
    assert len([uri for uri, _, _ in documents(warehouse) if "/export.jsonl.gz#" in uri]) == 3


@pytest.mark.usefixtures("prefect_server")
def test_a_big_container_over_many_shards_gives_the_tables_of_one_shard(make_source, tmp_path, monkeypatch, caplog):
    records = [record for seed in range(0, 24, 3) for record in crawl_records(first_seed=seed)]
    lines = [json.dumps({"id": f"j{n}", "text": "\n\n".join(story(100 + n))}) for n in range(12)]
    root = make_source({"big.warc.gz": warc_bytes(records, gz=True), "stream.warc.gz": gzip.compress(warc_bytes(records, gz=False)),
                        "big.jsonl.gz": gzip.compress(("\n".join(lines) + "\n").encode())})
    tables = {}
    for name, batch_size, shards in (("one", 1000, 1), ("many", 3, 20)):
        monkeypatch.setattr(settings, "BATCH_SIZE", batch_size)
        monkeypatch.setattr(settings, "MIN_SHARD_DOCUMENTS", min(batch_size, 50))
        caplog.clear()
        warehouse = tmp_path / name
        summary = clean_articles(source=str(root), warehouse=str(warehouse), workers=2, ingest_date="2024-03-05")
        assert summary["documents_in"] == 24 + 24 + 12
        assert f"60 documents in {shards} shards" in caplog.text
        tables[name] = {
            name_: query(f"select * exclude ({volatile}) from {table(warehouse, name_)} order by all")
            for name_, volatile in (("articles", "run_id, processed_at"), ("quarantine", "run_id, processed_at"),
                                    ("rejected", "run_id, processed_at"), ("removed_lines", "run_id"))
        }
    assert tables["many"] == tables["one"]
    assert len(tables["one"]["articles"]) + len(tables["one"]["quarantine"]) == 60 and not tables["one"]["rejected"]


# --- memory -----------------------------------------------------------------------------------------------------------

MEMORY_PROBE = """
import resource, sys, tracemalloc
from newsclean.read.discover import discover
import fastwarc.warc  # imported before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
found = discover(sys.argv[1])
peak = tracemalloc.get_traced_memory()[1]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(found), peak, (after - before) * 1024)
"""


def test_discovering_a_big_warc_holds_offsets_not_payloads(tmp_path):
    path = tmp_path / "crawl" / "big.warc"
    path.parent.mkdir()
    with open(path, "wb") as handle:
        for n in range(2000):  # ~50 MB of distinct pages
            page = (html_page(n) + "<!-- " + os.urandom(12_000).hex() + " -->").encode()
            handle.write(html_response(f"https://big.example/{n}", page))
    size = path.stat().st_size
    assert size > 45_000_000
    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path.parent)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, check=True).stdout.split()
    count, python_peak, rss_growth = map(int, out)
    assert count == 2000
    assert python_peak < size / 20, python_peak  # Python objects: offsets, a few MB at most
    assert rss_growth < size / 4, rss_growth  # everything, the reader's buffers included: far below the file


# --- s3:// SOURCE ---------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("prefect_server")
def test_an_s3_source_is_discovered_and_read_through_the_object_store(s3_env, tmp_path):
    bucket = f"newsclean-src-{uuid.uuid4().hex[:10]}"
    client = s3_client()
    client.create_bucket(Bucket=bucket)
    objects = {"crawl/2024-03-05/crawl.warc.gz": warc_bytes(crawl_records(), gz=True),
               "crawl/2024-03-05/export.jsonl.gz": gzip.compress(("\n".join(jsonl_lines()) + "\n").encode()),
               "crawl/seed.txt": (SEEDS / sorted(os.listdir(SEEDS))[0]).read_bytes(),
               "crawl/_bookkeeping/x.txt": b"not a document"}
    for key, body in objects.items():
        client.put_object(Bucket=bucket, Key=key, Body=body)
    warehouse = tmp_path / "warehouse"
    source = f"s3://{bucket}/crawl"
    summary = clean_articles(source=source, warehouse=str(warehouse), workers=1)
    assert summary["documents_in"] == 3 + 5 + 1
    assert summary["rejected_out"] == 2  # the two bad JSONL lines
    rows = documents(warehouse)
    assert all(uri.startswith(f"s3://{bucket}/crawl/") for uri, _, _ in rows)
    assert {"https://news.example/0", "https://news.example/2", "https://jsonl.example/a-1"} <= {url for _, url, _ in rows}
    assert query(f"select distinct cast(ingest_date as varchar) from {table(warehouse, 'articles')} "
                 f"where source_uri like '%warc.gz%'") == [("2024-03-05",)]  # its date folder
    again = clean_articles(source=source, warehouse=str(warehouse), workers=1)
    assert again["documents_skipped"] == again["documents_in"] == 9  # size and mtime from the listing


@pytest.mark.parametrize("where", ["missing bucket", "unreachable endpoint"])
def test_an_unreachable_source_bucket_is_one_line_and_exit_code_2(s3_env, tmp_path, where):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "home"), "NEWSCLEAN_S3_CONNECT_TIMEOUT": "5"}
    env.pop("PREFECT_API_URL", None)
    if where == "unreachable endpoint":
        with socket.socket() as probe:  # a free port nobody listens on
            probe.bind(("127.0.0.1", 0))
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{probe.getsockname()[1]}"
    process = subprocess.run([sys.executable, "-m", "flows", "run", "s3://newsclean-no-such-source/crawl",
                              "--warehouse", str(tmp_path / "warehouse")], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
    assert process.returncode == 2, process
    assert process.stderr.count("\n") == 1 and process.stderr.startswith("newsclean: error: "), process.stderr
    assert "s3://newsclean-no-such-source/crawl" in process.stderr
    assert ("does not exist" in process.stderr) if where == "missing bucket" else ("connect" in process.stderr.lower()), process.stderr
    assert not (tmp_path / "home").exists()  # failed before Prefect ever started
