"""`newsclean`: run the flow, or clean one file without Prefect (the rule author's tool)."""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import logging
import os
import signal
import sys
from contextlib import contextmanager, nullcontext
from typing import Iterator

from newsclean.runtime import collector
from flows import log_levels
from newsclean import settings


def _iso_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def _worker_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(f"not a number of workers (0 or more): {value!r}")
    return count


def _dask_address(value: str) -> str:
    if "://" not in value or not value.split("://", 1)[1]:
        raise argparse.ArgumentTypeError(f"not a Dask scheduler address like tcp://HOST:8786: {value!r}")
    return value


def _add_execution_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--workers", type=_worker_count, default=None, metavar="N",
                         help=f"shards cleaned at once, each in its own process (default: NEWSCLEAN_WORKERS or the number of "
                              f"cores, here {settings.WORKERS}; 0: in this process, without the per-document time limit)")
    command.add_argument("--dask-address", type=_dask_address, default=None, metavar="tcp://HOST:PORT",
                         help="clean the shards on the Dask cluster whose scheduler is there (its workers need newsclean "
                              "installed and SOURCE and the warehouse on shared storage)")
    command.add_argument("--profile", choices=settings.HTML_PROFILES, default=None,
                         help=f"how HTML pages are extracted: 'quality' (trafilatura's full comparison, page types) or "
                              f"'fast' (less CPU a page, lower quality off news articles); default NEWSCLEAN_HTML_PROFILE, "
                              f"here {settings.HTML_PROFILE!r}")


def _log_level(value: str) -> str:
    if value.upper() not in log_levels.LEVELS:
        raise argparse.ArgumentTypeError(f"not a log level ({', '.join(log_levels.LEVELS)}): {value!r}")
    return value.upper()


def _add_source(command: argparse.ArgumentParser, optional: bool = True) -> None:
    what = "folder, file or s3://BUCKET/PREFIX of documents: text, HTML, WARC, JSONL"
    if optional:
        command.add_argument("source", nargs="?", default=str(settings.DEFAULT_SOURCE), help=f"{what} (default: %(default)s)")
    else:
        command.add_argument("source", help=what)


def _add_warehouse(command: argparse.ArgumentParser) -> None:
    command.add_argument("--warehouse", default=str(settings.DEFAULT_WAREHOUSE),
                         help="output root: a folder or s3://BUCKET/PREFIX (default: %(default)s)")


def _add_dry_run(command: argparse.ArgumentParser) -> None:
    command.add_argument("--dry-run", action="store_true",
                         help="print what the run would process (new, changed, unchanged documents per partition) and write nothing")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsclean", description="Clean scraped news articles into a Parquet warehouse.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--log-level", type=_log_level, default=None, metavar="LEVEL",
                        help=f"the run's log messages from this level up: {', '.join(log_levels.LEVELS)} (default: INFO)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="warnings and errors only (--log-level WARNING) and no progress display; the summary is still printed")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the clean_articles Prefect flow over SOURCE")
    _add_source(run)
    _add_warehouse(run)
    run.add_argument("--ingest-date", type=_iso_date, default=None, help="partition date, YYYY-MM-DD (default: today, UTC)")
    run.add_argument("--reprocess", action="store_true", help="process every document, not only new or changed ones")
    _add_dry_run(run)
    _add_execution_options(run)
    backfill = commands.add_parser("backfill", help="reprocess the dates [start, end) from raw and replace exactly those partitions")
    _add_source(backfill, optional=False)
    backfill.add_argument("--start", type=_iso_date, required=True, help="first date, YYYY-MM-DD (included)")
    backfill.add_argument("--end", type=_iso_date, required=True, help="end date, YYYY-MM-DD (excluded)")
    _add_warehouse(backfill)
    _add_dry_run(backfill)
    _add_execution_options(backfill)
    serve = commands.add_parser("serve", help="serve the flow as a Prefect deployment on a cron schedule (blocks); needs a "
                                              "Prefect server (PREFECT_API_URL), whose scheduler creates the runs")
    _add_source(serve)
    _add_warehouse(serve)
    serve.add_argument("--cron", default=settings.DEFAULT_CRON, help="schedule, UTC (default: %(default)r, daily 06:00)")
    serve.add_argument("--name", default=settings.DEPLOYMENT_NAME, help="deployment name (default: %(default)s)")
    stats = commands.add_parser("stats", help="rows per table and partition, quarantine reasons, top removal rules")
    _add_warehouse(stats)
    unlock = commands.add_parser("unlock", help="say whether the warehouse's writer lock is held and by whom; on S3, remove a stale one")
    _add_warehouse(unlock)
    unlock.add_argument("--force", action="store_true", help="S3: also remove a lock of another host younger than "
                        "NEWSCLEAN_LOCK_STALE_SECONDS (only when that run is known to be gone)")
    clean = commands.add_parser("clean", help="clean one file and print the record and every removed line, as JSON")
    clean.add_argument("file")
    return parser


def _version() -> str:
    from flows import __version__

    return __version__


def _require_lasting_server() -> None:
    """Scheduled runs are created by a Prefect server's scheduler service: Prefect's temporary server runs none, so a
    deployment served on it would wait forever."""
    from flows import prefect_server

    if prefect_server.needed():
        raise ValueError("serve needs a running Prefect server, whose scheduler creates the runs (Prefect's temporary "
                         "server has none): start one with `prefect server start` and set PREFECT_API_URL "
                         "(e.g. http://127.0.0.1:4200/api)")


def _dry_run_command(args: argparse.Namespace) -> int:
    """What the run would process, by partition: nothing is written (no lock, no probe) and no Prefect server starts."""
    from flows.api import plan

    backfill = args.command == "backfill"
    planned = plan(args.source, args.warehouse, mode="backfill" if backfill else "reprocess" if args.reprocess else "incremental",
                   ingest_date=None if backfill else args.ingest_date, start=args.start if backfill else None,
                   end=args.end if backfill else None)
    print(f"dry run ({planned['mode']}) of {planned['source']} into {planned['warehouse']}: {planned['documents']} documents, "
          f"{planned['new']} new, {planned['changed']} changed, {planned['unchanged']} unchanged -> {planned['to_process']} to process")
    if planned["replaced_partitions"]:
        print(f"partitions replaced whole: {', '.join(planned['replaced_partitions'])}")
    columns = ("new", "changed", "unchanged", "to_process")
    print(f"{'ingest_date':<12}" + "".join(f"{name.replace('_', ' '):>12}" for name in columns))
    for date, counts in planned["partitions"].items():
        print(f"{date:<12}" + "".join(f"{counts[name]:>12}" for name in columns))
    print("nothing was written")
    return 0


def _clean_command(path: str) -> int:
    from newsclean.clean.text import clean_text
    from newsclean.read.discover import discover, read_document

    source = discover(path)[0]
    document = read_document(source)
    cleaned = clean_text(document.text)
    record = {
        "source_uri": source.source_uri,
        "encoding": document.encoding,
        "title": cleaned.title,
        "dek": cleaned.dek,
        "section": cleaned.section,
        "published_date": cleaned.published_date.isoformat() if cleaned.published_date else None,
        "authors": cleaned.authors,
        "site_name": cleaned.site_name,
        "body": cleaned.paragraphs,
        "removed_lines": [{"line_no": r.line_no, "rule": r.kind, "text": r.text} for r in cleaned.removed_lines],
        "metadata_lines": [{"line_no": r.line_no, "field": r.kind, "text": r.text} for r in cleaned.metadata_lines],
    }
    json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def _whole_run_errors() -> tuple[type[BaseException], ...]:
    """Errors about a whole run (a source, a warehouse, a setting, a parameter): one line on stderr and exit 2."""
    from newsclean.read.decode import ReadError
    from newsclean.read.discover import SourceError
    from newsclean.validate.checks import ReportError
    from newsclean.write.commit import WarehouseError

    return SourceError, ReadError, ReportError, WarehouseError, ValueError


class _ReportedByTheCli(logging.Filter):
    """On Prefect's console handler, for one run: drops Prefect's records of an error the CLI reports itself in one
    line (the failed task's and flow's tracebacks, and their "Finished in state Failed(...)" lines that repeat it).
    Every other record is shown, and the API's log keeps them all."""

    def __init__(self) -> None:
        super().__init__()
        self.errors, self.reported = _whole_run_errors(), []

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, self.errors):
            self.reported.append(str(error))
            return False
        return not any(text in record.getMessage() for text in self.reported)


@contextmanager
def _prefect_console_quiet_about_reported_errors() -> Iterator[None]:
    from prefect.logging.handlers import PrefectConsoleHandler

    quiet = _ReportedByTheCli()
    handlers = [handler for handler in logging.getLogger().handlers if isinstance(handler, PrefectConsoleHandler)]
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)


def _run_command(args: argparse.Namespace, own_process: bool) -> int:
    from newsclean.read.discover import check_source
    from newsclean.write.commit import ensure_writable

    if args.command == "backfill" and args.start >= args.end:
        raise ValueError(f"--start {args.start} must be before --end {args.end} (the range is [start, end))")
    if args.dry_run:
        return _dry_run_command(args)
    check_source(args.source)  # a missing or empty source, or an unreachable bucket, fails here, before the Prefect server starts
    ensure_writable(args.warehouse)  # before the Prefect server starts: a bad warehouse fails at once (also s3://)
    from flows import prefect_server

    server = prefect_server.start()  # its start runs on the other core while this process imports
    if args.dask_address is None:
        from newsclean.runtime import workers

        workers.start_workers(settings.WORKERS if args.workers is None else args.workers)
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

    server = prefect_server.confirm(server)

    from newsclean.runtime import progress
    from flows.flow import clean_articles
    from newsclean.validate.checks import import_great_expectations

    import_great_expectations()  # a once-per-run cost, paid while the server starts (docs/benchmarks.md)
    if own_process:  # the process runs this one flow: what it has imported lives until it exits
        collector.freeze_imported()
    api = nullcontext()
    if server is not None:
        if server.wait_until_healthy(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()):
            # No flow-run heartbeats: they tell a lasting server that a run's process died, and this server dies with
            # the process. The flow's end would wait for the heartbeat thread's sleep.
            api = temporary_settings(updates={PREFECT_API_URL: server.api_url, "flows.heartbeat_frequency": None})
        else:
            server.stop()  # not left running; the flow starts Prefect's own server, whose error says what is wrong
    execution = {"workers": args.workers, "dask_address": args.dask_address, "html_profile": args.profile}
    shown = nullcontext() if args.quiet else progress.shown_on(sys.stderr)  # a bar on a terminal, else a plain line now and then
    with api, shown, _prefect_console_quiet_about_reported_errors():
        if args.command == "backfill":
            summary = clean_articles(source=args.source, warehouse=args.warehouse, mode="backfill", start=args.start,
                                     end=args.end, **execution)
        else:
            summary = clean_articles(source=args.source, warehouse=args.warehouse, ingest_date=args.ingest_date,
                                     mode="reprocess" if args.reprocess else "incremental", **execution)
    print(
        f"run {summary['run_id']} ({summary['mode']}): {summary['documents_in']} documents, "
        f"{summary['documents_skipped']} unchanged -> {summary['articles_out']} articles, "
        f"{summary['quarantine_out']} quarantine, {summary['rejected_out']} rejected "
        f"({summary['removed_lines_out']} lines removed)\n"
        f"warehouse: {summary['warehouse']} (ingest_date={summary['ingest_date']})\n"
        f"validation report: {summary['data_docs'] or 'none (no rows to validate)'}"
    )
    return 0


def main(argv: list[str] | None = None, *, own_process: bool = False) -> int:
    """The CLI's commands. `own_process`: the process is the command's alone (entry()), not a caller's or a test
    session's, whose objects a run must leave as it found them."""
    from newsclean.read.discover import check_source
    from newsclean.write.commit import ensure_writable

    args = _parser().parse_args(argv)
    log_levels.apply("WARNING" if args.quiet else args.log_level)
    try:
        settings.check()  # a NEWSCLEAN_* variable the run cannot use: one line, before any work
        if args.command == "clean":
            return _clean_command(args.file)
        if args.command == "stats":
            from newsclean.write.stats import format_stats, warehouse_stats

            print(format_stats(warehouse_stats(args.warehouse)))
            return 0
        if args.command == "unlock":
            from newsclean.write.lock import unlock

            print(unlock(args.warehouse, force=args.force))
            return 0
        if args.command == "serve":
            from flows.deploy import serve

            _require_lasting_server()
            check_source(args.source)
            ensure_writable(args.warehouse)
            serve(source=args.source, warehouse=args.warehouse, cron=args.cron, name=args.name)
            return 0
        return _run_command(args, own_process)
    except _whole_run_errors() as error:
        print(f"newsclean: error: {error}", file=sys.stderr)
        return 2


_exit_code = 1  # what the process exits with if main() does not return (an uncaught error)


def _exit_without_teardown() -> None:
    """The last exit handler of the `newsclean` process: after every other one has run (Prefect's log and event
    workers have sent what they held, its server has stopped, worker processes are gone), flush and leave, skipping
    the interpreter's teardown of every imported module and object (Prefect, pandas, Great Expectations: slow, and
    of no use to a process that is ending)."""
    from newsclean.runtime import workers

    workers.stop_idle_workers()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(_exit_code)


def _terminated(signum: int, _frame) -> None:
    """SIGTERM (a service manager's stop, a scheduler's cancel, `kill`) unwinds the run as Ctrl-C does: its spool
    and the warehouse's lock are released on the way out and the exit handlers stop the Prefect server and the worker
    processes. Python's default would end the process on the spot and leave the server running. Prefect's flow engine
    hands the signal on to this handler once it has marked the flow run crashed."""
    global _exit_code
    _exit_code = 128 + signum  # what a shell reports for a process ended by the signal
    raise SystemExit(_exit_code)


def entry() -> None:
    """The `newsclean` command and `python -m flows` (main() itself stays a plain function for callers and tests)."""
    global _exit_code
    atexit.register(_exit_without_teardown)  # first registered, so it runs last
    signal.signal(signal.SIGTERM, _terminated)
    try:
        _exit_code = main(own_process=True)
    except SystemExit as stop:  # --help, --version, a usage error (argparse), SIGTERM: the exit handler exits with its code
        _exit_code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        if _exit_code == 128 + signal.SIGTERM:
            _silence_after_stop()
        raise
    except KeyboardInterrupt:  # Ctrl-C: the run has unwound (see _terminated); no traceback for the user's own stop
        print("newsclean: interrupted", file=sys.stderr)
        _exit_code = 128 + signal.SIGINT
        _silence_after_stop()
    sys.exit(_exit_code)


def _silence_after_stop() -> None:
    """A stop can unwind the flow while a shard's task thread is still finishing its shard (whose output is dropped).
    Its last log records and events would then reach Prefect's logging and event services during the interpreter's
    shutdown, which cannot start them and prints tracebacks. The stopped run has nothing left to say."""
    logging.disable(logging.CRITICAL)
