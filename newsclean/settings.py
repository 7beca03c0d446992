"""Every tunable of a run in one place, with the reason for its default."""
from __future__ import annotations

import math
import os
from pathlib import Path


class SettingError(ValueError):
    """A NEWSCLEAN_* variable holds a value its setting does not take."""


_INVALID: list[str] = []  # one sentence per variable that holds a value its setting does not take


def _number(name: str, default: float, *, whole: bool = False, minimum: float = 0, above: bool = False,
            scale: float = 1) -> float:
    """The numeric setting `name` from the environment (its default if unset), times `scale`. A value it does not take
    is noted for check() and the default used meanwhile: importing this module never fails."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value < minimum or (above and value == minimum):
        kind = "a whole number" if whole else "a number"
        bound = f"above {minimum:g}" if above else f"{minimum:g} or more"
        _INVALID.append(f"{name}={text!r}: it takes {kind}, {bound}")
        return default
    return int(value * scale) if scale != 1 else value


def check() -> None:
    """Every numeric NEWSCLEAN_* variable holds a value its setting takes, or SettingError names the first that does
    not: the CLI and the flow call it before any work."""
    if _INVALID:
        raise SettingError(_INVALID[0])

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = PROJECT_ROOT / "seeds"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
ARTICLES_SUITE = EXPECTATIONS_DIR / "articles.json"

# The most documents in one shard (one Prefect task). A shard costs a Prefect task's overhead, and the first shard of
# each worker a process start (imports, trafilatura's warm-up; later shards reuse the warm process, newsclean/runtime/workers.py):
# both small against this many documents' cleaning. Costs measured: docs/benchmarks.md, "Component costs".
BATCH_SIZE = _number("NEWSCLEAN_BATCH_SIZE", 2000, whole=True, minimum=1)
# Per-line results of the plain-text cleaners (normalised text, rule match, line features, site-template keys) are memoised
# (newsclean/clean/memo.py) for the last LINE_CACHE_SIZE distinct lines of at most LINE_CACHE_MAX_CHARS characters: a site's
# furniture and syndicated copy recur across its pages. Each shard starts with empty memos (in a worker too). A memo
# holds lines and small results (no token lists; the normalised text's memo a second copy of its lines): at most
# SIZE x MAX_CHARS characters, far less on news text, whose lines are short.
LINE_CACHE_SIZE = _number("NEWSCLEAN_LINE_CACHE_SIZE", 16384, whole=True)
LINE_CACHE_MAX_CHARS = 2000
# A run's cleaned documents wait for the site-level pass, which needs the whole run (newsclean/runtime/spool.py): the first ones
# in memory, up to about this many bytes, the rest pickled to the spool's files. A document held skips the round trip
# through pickle and a file; the budget bounds what that adds to a run's peak memory (a larger one brought a big
# run's memory growth to its target's limit: docs/benchmarks.md). 0: all in files.
PENDING_MEMORY_BYTES = _number("NEWSCLEAN_PENDING_MEMORY_MB", 64 * 1024 * 1024, scale=1024 * 1024)
# The second pass validates candidates in chunks of up to this many rows or bytes of body text, across shards: each
# Great Expectations validation has a fixed cost whatever its size, and each chunk is a page of the run's report, so
# chunks are large; the rows and their frame are held for it, so not too large: 10,000 raised a big run's peak memory
# for little time (docs/benchmarks.md). The budget of body text, in characters, bounds a chunk of long articles.
VALIDATION_CHUNK_ROWS = _number("NEWSCLEAN_VALIDATION_CHUNK_ROWS", 5000, whole=True, minimum=1)
VALIDATION_CHUNK_BYTES = _number("NEWSCLEAN_VALIDATION_CHUNK_MB", 32 * 1024 * 1024, above=True, scale=1024 * 1024)
# Larger inputs (after decompression) are rejected, not read: bounded memory per document.
MAX_DOCUMENT_BYTES = _number("NEWSCLEAN_MAX_DOCUMENT_BYTES", 64 * 1024 * 1024, whole=True, minimum=1)
# A document whose reading and cleaning takes longer is stopped and rejected (a pathological page can hang a parser).
DOCUMENT_TIMEOUT_SECONDS = _number("NEWSCLEAN_DOCUMENT_TIMEOUT", 60.0, above=True)
# Shards processed at once, each in its own worker process (trafilatura is CPU-bound: threads would share one core).
# 0 processes shards inside the flow's own process, without supervision (for debugging).
# `newsclean run --workers N` overrides it for one run.
WORKERS = _number("NEWSCLEAN_WORKERS", os.cpu_count() or 1, whole=True)
# Shard sizing (newsclean/runtime/execution.py): enough shards to keep every worker busy, SHARDS_PER_WORKER each on a big run
# (a worker that finishes early picks up another), never more than BATCH_SIZE documents and never fewer than
# MIN_SHARD_DOCUMENTS: each shard costs a Prefect task (its overhead plus server events) and a round trip to its worker.
SHARDS_PER_WORKER = 3
MIN_SHARD_DOCUMENTS = _number("NEWSCLEAN_MIN_SHARD_DOCUMENTS", 50, whole=True, minimum=1)
# Progress of a CLI run when its stderr is not a terminal: one plain line this often (a bar on a terminal).
PROGRESS_SECONDS = _number("NEWSCLEAN_PROGRESS_SECONDS", 10.0)
# HTML pages: "quality" (trafilatura with its full comparison of extraction methods, the best by bench.quality on
# pages never tuned on) or "fast" (trafilatura's fast mode with newsclean's checks: less CPU a page, lower quality on
# pages unlike news articles). `newsclean run --profile` overrides it for one run.
HTML_PROFILE = os.environ.get("NEWSCLEAN_HTML_PROFILE", "quality")
HTML_PROFILES = ("quality", "fast")
# HTML, fast profile: a second (precision) extraction, kept where it agrees with the default one. It halves throughput,
# and since the fast pass redoes pages that look like navigation and takes the standfirst out, it adds nothing
# measurable on the aeb pages (docs/benchmarks.md): off by default; NEWSCLEAN_HTML_PRECISION=1 turns it on.
HTML_PRECISION_PASS = os.environ.get("NEWSCLEAN_HTML_PRECISION", "0") == "1"
# The writer lock (newsclean/write/lock.py): a lock older than this is a killed or hung run's, taken over (longer than any
# commit); a second writer waits this long for its turn.
LOCK_STALE_SECONDS = _number("NEWSCLEAN_LOCK_STALE_SECONDS", 6 * 3600.0, above=True)
LOCK_WAIT_SECONDS = _number("NEWSCLEAN_LOCK_WAIT_SECONDS", 600.0)
# Earliest plausible publication date of a news article in the warehouse.
MIN_PUBLISHED_DATE = "1990-01-01"

# The site_template rule (newsclean/clean/site_templates.py); off: nothing learnt, nothing removed by it.
SITE_TEMPLATES = os.environ.get("NEWSCLEAN_SITE_TEMPLATES", "1") != "0"

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
COMPRESSED_SUFFIX = ".gz"
# Container files: many documents each (newsclean/read/containers.py). A WARC's response records with an HTML payload are
# documents; a JSONL file's lines are ({"html" or "text", "url", "id", "fetched_at"}).
WARC_SUFFIXES = (".warc",)
JSONL_SUFFIXES = (".jsonl",)
WARC_HTML_TYPES = ("text/html", "application/xhtml+xml")

# Folders under the warehouse that readers' globs and pyarrow's discovery skip (leading underscore).
STAGING_DIR = "_staging"
REPORTS_DIR = "_reports"
STATE_DIR = "_state"  # the incremental memory: which files were processed, with their size, time and hash
NEAR_DUPLICATES_DIR = "_near_duplicates"  # the near-duplicate index (MinHash signatures), apart from _state: another schema
PARQUET_COMPRESSION = "zstd"

# An object-store warehouse or source (s3://): an unreachable endpoint fails in seconds, not after minutes of retries.
S3_CONNECT_TIMEOUT_SECONDS = _number("NEWSCLEAN_S3_CONNECT_TIMEOUT", 10.0, above=True)
S3_REQUEST_TIMEOUT_SECONDS = _number("NEWSCLEAN_S3_REQUEST_TIMEOUT", 120.0, above=True)  # one partition's PUT fits
S3_MAX_ATTEMPTS = _number("NEWSCLEAN_S3_MAX_ATTEMPTS", 3, whole=True, minimum=1)  # transient 5xx/throttling are retried

# Scheduled runs: `newsclean serve` and prefect.yaml.
DEFAULT_CRON = "0 6 * * *"  # daily 06:00 UTC, after a crawler's nightly drop
DEPLOYMENT_NAME = "daily"
# A flow run is tagged with each data partition it writes (ingest_date:YYYY-MM-DD), up to this many; a longer range
# (a month's backfill) gets one tag, ingest_date:FIRST..LAST.
MAX_DATE_TAGS = 7
# Where the warehouse's files are served for people (an HTTP server over the warehouse folder, an S3 website or CDN):
# the run's artifact links its report at this URL + _reports/RUN_ID/index.html. Unset: a file:// or s3:// link.
REPORTS_BASE_URL = os.environ.get("NEWSCLEAN_REPORTS_BASE_URL", "").rstrip("/")


def prefect_environment() -> dict[str, str]:
    """Prefect settings this machine needs; applied before prefect is imported, never overriding the user's."""
    return {
        # The first start of the temporary local server migrates its database, which can outlast Prefect's default.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # no network here
    }


def apply_prefect_environment() -> None:
    for key, value in prefect_environment().items():
        os.environ.setdefault(key, value)


def absolute_location(location: str) -> str:
    """A local path made absolute (against the current folder); a URI (s3://...) as it is."""
    if "://" in location:
        return location
    return str(Path(location).expanduser().resolve())


def report_link(data_docs: str | None, warehouse: str, base_url: str | None = None) -> str | None:
    """The link to a run's report (`data_docs`, under `warehouse`) for people: below the reports' base URL when one is
    set (NEWSCLEAN_REPORTS_BASE_URL), else a file:// URL for a local warehouse or the s3:// URI."""
    if not data_docs:
        return None
    base_url = REPORTS_BASE_URL if base_url is None else base_url.rstrip("/")
    root = warehouse.rstrip("/")
    if base_url and data_docs.startswith(root + "/"):
        return f"{base_url}/{data_docs[len(root) + 1:]}"
    if "://" in data_docs:
        return data_docs
    return Path(data_docs).resolve().as_uri()
# Third-party patches (newsclean/patches.py), each active only for the versions it was tested against: "all", "none"
# (or 0), or a comma-separated list of the patches' names to apply.
PATCHES = os.environ.get("NEWSCLEAN_PATCHES", "all").strip().lower()
