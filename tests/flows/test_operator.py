"""What an operator and a notebook user see: absolute paths in what a run records, the artifact's counts and report
link, the flow run's tags and final message, the CLI's --version / --log-level / -q / --dry-run and help, the Python
API. Real flow runs (the session's Prefect test server), real Great Expectations, the warehouse read back."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from newsclean import settings
from flows.cli import main
from flows.flow import clean_articles

from ..conftest import ROOT, SEEDS, processes_left_after

SEED_FILES = sorted(SEEDS.glob("*.txt"))
SHORT_STORY = "Council meets\n\nThe council met on Tuesday.\n"  # fails body_length_plausible and word_count_in_range


def _runs(warehouse: Path) -> dict[str, dict]:
    return {row["run_id"]: row for row in ds.dataset(warehouse / "runs", partitioning="hive").to_table().to_pylist()}


def _artifacts(run_id: str) -> dict[str, object]:
    """The flow run's artifacts by key: a table's rows as {measure: value}, markdown as its text."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
    artifacts = {}
    for artifact in found:
        data = json.loads(artifact.data) if artifact.type == "table" and isinstance(artifact.data, str) else artifact.data
        artifacts[artifact.key] = {row["measure"]: row["value"] for row in data} if artifact.type == "table" else data
    return artifacts


def _flow_run(run_id: str):
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def dated_source(make_source):
    """Two seeds in a crawler's 2026-11-02 drop, the others and a copy of one (a duplicate body) outside date folders."""
    files = {f"2026-11-02/{path.name}": path.read_text(encoding="utf-8") for path in SEED_FILES[:2]}
    files.update({path.name: path.read_text(encoding="utf-8") for path in SEED_FILES[2:]})
    files["copy of the last one.txt"] = SEED_FILES[-1].read_text(encoding="utf-8")
    return make_source(files)


@pytest.mark.usefixtures("prefect_server")
class TestWhatARunShows:
    def test_relative_paths_are_recorded_absolute_and_the_report_link_uses_the_base_url(self, dated_source, tmp_path, monkeypatch):
        monkeypatch.chdir(dated_source.parent)
        monkeypatch.setattr(settings, "REPORTS_BASE_URL", "https://reports.example/news")
        summary = clean_articles(source=dated_source.name, warehouse="wh", ingest_date="2026-11-20")
        warehouse = tmp_path / "wh"
        row = _runs(warehouse)[summary["run_id"]]
        assert row["source"] == str(dated_source) and json.loads(row["parameters"])["warehouse"] == str(warehouse)
        report = Path(row["data_docs"])
        assert report.is_absolute() and report.is_file() and report == warehouse / "_reports" / summary["run_id"] / "index.html"
        markdown = _artifacts(summary["run_id"])["clean-articles-report"]
        assert f"(https://reports.example/news/_reports/{summary['run_id']}/index.html)" in markdown

    def test_the_artifact_counts_unchanged_documents_and_duplicates_and_the_run_is_tagged(self, dated_source, tmp_path):
        warehouse = tmp_path / "wh"
        first = clean_articles(source=str(dated_source), warehouse=str(warehouse), ingest_date="2026-11-20")
        counts = _artifacts(first["run_id"])["clean-articles-summary"]
        assert (counts["documents in"], counts["unchanged (skipped)"], counts["articles"]) == (6, 0, 6)
        assert counts["duplicates (among the articles)"] == first["duplicates_out"] == 1
        assert set(_flow_run(first["run_id"]).tags) >= {"mode:incremental", "ingest_date:2026-11-02", "ingest_date:2026-11-20"}
        second = clean_articles(source=str(dated_source), warehouse=str(warehouse), ingest_date="2026-11-21")
        counts = _artifacts(second["run_id"])["clean-articles-summary"]
        assert (counts["documents in"], counts["unchanged (skipped)"], counts["articles"]) == (6, 6, 0)
        run = _flow_run(second["run_id"])
        assert run.state.message == "6 documents in, 6 unchanged: 0 articles (0 duplicates), 0 quarantine, 0 rejected"
        assert "mode:incremental" in run.tags and not any(tag.startswith("ingest_date:") for tag in run.tags)

    def test_a_run_whose_validation_failed_says_so_in_its_final_state(self, make_source, tmp_path):
        source = make_source({"good.txt": SEED_FILES[0].read_text(encoding="utf-8"), "short.txt": SHORT_STORY})
        state = clean_articles(source=str(source), warehouse=str(tmp_path / "wh"), ingest_date="2026-11-20", return_state=True)
        assert state.is_completed()  # the failing row is kept, in quarantine: the run itself did its job
        assert state.message.startswith("validation failed: body_length_plausible (1), word_count_in_range (1)")
        summary = state.result()
        assert summary["quarantine_out"] == 1 and "validation:failed" in _flow_run(summary["run_id"]).tags
        clean = clean_articles(source=str(SEEDS), warehouse=str(tmp_path / "wh2"), return_state=True)
        assert "validation" not in clean.message and "validation:failed" not in _flow_run(clean.result()["run_id"]).tags

    def test_a_backfill_is_tagged_with_the_dates_it_rewrites(self, dated_source, tmp_path):
        """Of the range [11-01, 11-04) only 2026-11-02 holds documents: the backfill rewrites that date alone (no file
        for an empty date), and its tags name what it wrote."""
        summary = clean_articles(source=str(dated_source), warehouse=str(tmp_path / "wh"), mode="backfill",
                                 start="2026-11-01", end="2026-11-04")
        tags = set(_flow_run(summary["run_id"]).tags)
        assert {"mode:backfill", "ingest_date:2026-11-02"} <= tags
        assert not {"ingest_date:2026-11-01", "ingest_date:2026-11-03"} & tags


def test_the_report_link_of_a_local_an_s3_and_a_served_warehouse():
    assert settings.report_link("/data/wh/_reports/r1/index.html", "/data/wh", base_url="") == "file:///data/wh/_reports/r1/index.html"
    assert settings.report_link("s3://b/news/_reports/r1/index.html", "s3://b/news", base_url="") == "s3://b/news/_reports/r1/index.html"
    assert (settings.report_link("s3://b/news/_reports/r1/index.html", "s3://b/news", base_url="https://cdn.example/news/")
            == "https://cdn.example/news/_reports/r1/index.html")
    assert settings.report_link(None, "/data/wh", base_url="https://x") is None


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`newsclean` in its own process with its own PREFECT_HOME and temporary server, as a user runs it."""
    environment = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), **env}
    environment.pop("PREFECT_API_URL", None)
    with open(tmp_path / "stdout", "w+") as stdout, open(tmp_path / "stderr", "w+") as stderr:  # files: no pipe to hang on
        done = subprocess.run([sys.executable, "-m", "flows", *args], cwd=ROOT, env=environment, stdout=stdout,
                              stderr=stderr, timeout=600)
    done.stdout, done.stderr = (tmp_path / "stdout").read_text(), (tmp_path / "stderr").read_text()
    for pid in processes_left_after(environment["PREFECT_HOME"], 10):
        os.kill(pid, 9)
    return done


def test_version_is_the_package_version(tmp_path):
    import flows

    done = _cli(["--version"], tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"newsclean {version('newsclean')}" == f"newsclean {flows.__version__}"


def test_help_shows_the_real_default_paths(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps long lines
    assert f"(default: {settings.DEFAULT_SOURCE})" in text and f"(default: {settings.DEFAULT_WAREHOUSE})" in text


def test_quiet_run_prints_its_summary_and_no_log_line(tmp_path):
    done = _cli(["-q", "run", str(SEEDS), "--warehouse", str(tmp_path / "wh"), "--ingest-date", "2026-01-02"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "5 documents, 0 unchanged -> 5 articles" in done.stdout
    assert "INFO" not in done.stderr and "Created temporary directory" not in done.stderr, done.stderr[-3000:]


def test_a_bad_log_level_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--log-level", "loud", "stats"])
    assert exit_.value.code == 2 and "not a log level" in capsys.readouterr().err


@pytest.mark.usefixtures("prefect_server")
def test_dry_run_prints_the_plan_per_partition_and_writes_nothing(dated_source, tmp_path, capsys):
    warehouse = tmp_path / "wh"
    clean_articles(source=str(dated_source), warehouse=str(warehouse), ingest_date="2026-11-20")
    changed = dated_source / "2026-11-02" / SEED_FILES[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    shutil.copy(SEED_FILES[1], dated_source / "new one.txt")
    before = _snapshot(warehouse)
    capsys.readouterr()
    assert main(["run", str(dated_source), "--warehouse", str(warehouse), "--ingest-date", "2026-11-20", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "7 documents, 1 new, 1 changed, 5 unchanged -> 2 to process" in out
    assert out.splitlines()[2].split() == ["2026-11-02", "0", "1", "1", "1"]  # new, changed, unchanged, to process
    assert out.splitlines()[3].split() == ["2026-11-20", "1", "0", "4", "1"]
    assert _snapshot(warehouse) == before  # byte for byte
    assert main(["backfill", str(dated_source), "--start", "2026-11-01", "--end", "2026-11-03", "--warehouse",
                 str(tmp_path / "none"), "--dry-run"]) == 0
    assert "-> 2 to process" in capsys.readouterr().out and not (tmp_path / "none").exists()


def test_serve_without_a_prefect_server_is_one_line_and_exit_2(tmp_path):
    done = _cli(["serve", str(SEEDS), "--warehouse", str(tmp_path / "wh")], tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "prefect server start" in done.stderr, done.stderr


@pytest.mark.usefixtures("prefect_server")
def test_the_python_api_runs_the_flow_and_cleans_one_document(tmp_path):
    from flows import RejectedDocument, __version__, clean_document, plan, run

    assert __version__ == version("newsclean")
    assert plan(SEEDS, tmp_path / "wh")["to_process"] == 5 and not (tmp_path / "wh").exists()
    summary = run(SEEDS, tmp_path / "wh", ingest_date="2026-11-20")
    assert (summary["articles_out"], summary["duplicates_out"]) == (5, 0)
    assert plan(SEEDS, tmp_path / "wh")["unchanged"] == 5
    articles = {row["source_uri"]: row for row in ds.dataset(tmp_path / "wh" / "articles", partitioning="hive").to_table().to_pylist()}
    cleaned = clean_document(SEED_FILES[3])
    written = articles[cleaned["source_uri"]]
    assert (cleaned["body"], cleaned["title"], cleaned["doc_id"]) == (written["body"], written["title"], written["doc_id"])
    assert {"line_no": 7, "rule": "duplicate_title",
            "text": "US Vows Continued Support for Pakistan in Fight Against Terrorism Amid Rising Security Challenges"} in cleaned["removed_lines"]
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(RejectedDocument, match="binary"):
        clean_document(tmp_path / "image.txt")
    with pytest.raises(ValueError, match="holds 5 documents"):
        clean_document(SEEDS)


def test_import_flows_stays_cheap():
    code = "import sys, flows; flows.__version__; print(sorted(m for m in ('prefect', 'pyarrow', 'great_expectations', 'trafilatura') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
