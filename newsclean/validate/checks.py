"""Validate: run the Great Expectations suite over a batch of article candidates; failing rows go to quarantine.

Great Expectations is imported here, lazily: its import is slow, and `newsclean clean` need not pay it.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from newsclean import patches
from newsclean import schema, settings

_ROW = "row_index"  # position in the batch: unlike doc_id, unique even when doc_id is not
_RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": [_ROW, "doc_id"]}



class ReportError(Exception):
    """The run's validation report cannot be written (the disk, not the data, is at fault): the run fails whole."""

@dataclass
class ValidationOutcome:
    passed: list[dict] = field(default_factory=list)
    quarantined: list[dict] = field(default_factory=list)  # each with `failed_checks`
    failed_checks: dict[str, int] = field(default_factory=dict)  # check name -> rows failing it
    checks_run: list[str] = field(default_factory=list)
    data_docs: str | None = None  # index.html of this run's Data Docs

    @property
    def success(self) -> bool:
        return not self.failed_checks


def load_suite(path: Path = settings.ARTICLES_SUITE) -> dict:
    suite = json.loads(Path(path).read_text(encoding="utf-8"))
    for expectation in suite["expectations"]:
        if not expectation.get("meta", {}).get("check"):
            raise ValueError(f"{path}: every expectation needs meta.check (its name in quarantine.failed_checks)")
    return suite


def suite_parameters(today: dt.date) -> dict:
    # A publication date after tomorrow (any timezone) is a parsing error, not news.
    return {"min_published_date": settings.MIN_PUBLISHED_DATE, "max_published_date": (today + dt.timedelta(days=1)).isoformat()}


def import_great_expectations() -> None:
    """Import Great Expectations now, e.g. while the CLI waits for Prefect's server; validate_candidates would import
    it at the run's first validation. Its imports of what our checks and report never use wait for a first use
    (newsclean/patches.py)."""
    patches.defer_unused_great_expectations_imports()
    import great_expectations  # noqa: F401


def _checks_dataframe(candidates: list[dict]):
    import pandas as pd

    columns = ["doc_id", "body", "published_date", "word_count", "language"]
    # Built by column, not from a dict per row: the same frame and dtypes, without a dict per row to walk.
    frame = pd.DataFrame(schema.row_columns(candidates, columns), columns=columns)
    frame.insert(0, _ROW, range(len(candidates)))
    return frame


def _silence_great_expectations(context) -> None:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # it logs every temporary docs folder at INFO
    context.variables.progress_bars = ProgressBarsConfig(globally=False)


_REPORT_SECTIONS = ("expectations", "validations", "profiling")  # the sections of Great Expectations' Data Docs


def _view(class_name: str) -> dict:
    """A Data Docs view of report_views (Great Expectations' own, with their templates' compiled code cached)."""
    return {"module_name": "newsclean.validate.report_views", "class_name": class_name}


class Validator:
    """One Great Expectations context and checkpoint for a run, validating its candidates a chunk at a time (up to
    settings.VALIDATION_CHUNK_ROWS rows: a run's rows are never all in memory). Each chunk is one validation result in the run's Data Docs; row
    checks do not depend on how the run is chunked, and rows whose doc_id recurs in the run must be validated in one
    chunk for the uniqueness check to see them (the flow keeps them for its last chunk)."""

    def __init__(self, *, today: dt.date, docs_dir: Path | None = None, suite_path: Path = settings.ARTICLES_SUITE):
        self.suite_config = load_suite(suite_path)
        self.today, self.docs_dir = today, docs_dir
        self.checks_run = [e["meta"]["check"] for e in self.suite_config["expectations"]]
        self.failed_checks: Counter = Counter()  # over every chunk so far
        self.chunks = 0
        self.data_docs: str | None = None  # index.html of the run's Data Docs, once built
        self._checkpoint = self._context = None

    def _open_checkpoint(self):
        import_great_expectations()
        import great_expectations as gx
        from great_expectations.core import ExpectationSuite

        context = gx.get_context(mode="ephemeral")
        _silence_great_expectations(context)
        if self.docs_dir is not None:
            self.docs_dir.mkdir(parents=True, exist_ok=True)
            context.add_data_docs_site(
                site_name="run",
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(self.docs_dir)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "view": _view("IndexPageView")},
                    "site_section_builders": {section: {"view": _view("PageView")} for section in _REPORT_SECTIONS},
                },
            )
        suite = context.suites.add(ExpectationSuite(**self.suite_config))
        batch_definition = (
            context.data_sources.add_pandas("newsclean").add_dataframe_asset("articles").add_batch_definition_whole_dataframe("batch")
        )
        definition = context.validation_definitions.add(gx.ValidationDefinition(name="articles", data=batch_definition, suite=suite))
        self._context = context
        # No Data Docs action: the site is built once, after the run's last chunk (build_data_docs); rebuilt after
        # every chunk, its cost would grow with the chunks already in it.
        return context.checkpoints.add(
            gx.Checkpoint(name="articles", validation_definitions=[definition], actions=[], result_format=_RESULT_FORMAT)
        )

    def validate(self, candidates: list[dict]) -> ValidationOutcome:
        """Split one chunk of candidates into passed and quarantined rows (with the checks each failed)."""
        outcome = ValidationOutcome(checks_run=self.checks_run)
        if not candidates:
            return outcome
        if self._checkpoint is None:
            self._checkpoint = self._open_checkpoint()
        result = self._checkpoint.run(batch_parameters={"dataframe": _checks_dataframe(candidates)},
                                      expectation_parameters=suite_parameters(self.today))
        self.chunks += 1

        failures: dict[int, list[str]] = {}
        for validation in result.run_results.values():
            for expectation_result in validation.results:
                check = expectation_result.expectation_config.meta["check"]
                if expectation_result.exception_info and expectation_result.exception_info.get("raised_exception"):
                    # A check that cannot run says nothing about a row: fail the whole batch loudly rather than pass it.
                    raise RuntimeError(f"check {check} could not run: {expectation_result.exception_info.get('exception_message')}")
                if expectation_result.success:
                    continue
                rows = {index[_ROW] for index in expectation_result.result.get("unexpected_index_list") or []}
                for row in rows:
                    failures.setdefault(row, []).append(check)
                outcome.failed_checks[check] = len(rows)
        self.failed_checks.update(outcome.failed_checks)
        for position, candidate in enumerate(candidates):
            if position in failures:
                outcome.quarantined.append({**candidate, "failed_checks": failures[position]})
            else:
                outcome.passed.append(candidate)
        return outcome

    def build_data_docs(self) -> str | None:
        """Write the run's Data Docs (every chunk's validation result) to `docs_dir`; the index.html, or None where
        there is no folder or nothing was validated."""
        if self.docs_dir is None or not self.chunks:
            return None
        try:
            self._context.build_data_docs(site_names=["run"])
        except OSError as error:  # the warehouse's disk, not the data, is at fault
            raise ReportError(f"cannot write the validation report under {self.docs_dir}: {error.strerror or error}; "
                                 f"the warehouse's tables are left as they were") from error
        self.data_docs = str(self.docs_dir / "index.html")
        return self.data_docs


def validate_candidates(
    candidates: list[dict], *, today: dt.date, docs_dir: Path | None = None, suite_path: Path = settings.ARTICLES_SUITE
) -> ValidationOutcome:
    """Validate one batch of candidates on its own (its own context and Data Docs)."""
    validator = Validator(today=today, docs_dir=docs_dir, suite_path=suite_path)
    outcome = validator.validate(candidates)
    outcome.data_docs = validator.build_data_docs()
    return outcome


def failed_check_counts(quarantined: list[dict]) -> dict[str, int]:
    return dict(Counter(check for row in quarantined for check in row["failed_checks"]))
