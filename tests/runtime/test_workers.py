"""Worker supervision with real child processes: a hanging document is stopped, a killed worker costs one document."""
import datetime as dt
import time

from newsclean.records import RunContext
from newsclean.runtime.passes import process_batch
from newsclean.read.discover import discover
from newsclean.runtime.workers import run_supervised

from ..conftest import SEEDS
from ..fault_injection import process_recording_memo, process_recording_pid, process_with_faults

CONTEXT = RunContext("test", dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc))
ARTICLE = (SEEDS / "004_e1c98838b61b2032.txt").read_text(encoding="utf-8")


def test_supervised_result_equals_in_process_result(make_source):
    sources = discover(make_source({f"doc{i:03d}.txt": ARTICLE.replace("Asif", f"Asif{i}") for i in range(150)}))
    supervised, direct = run_supervised(sources, CONTEXT), process_batch(sources, CONTEXT)
    assert [p.stripped for p in supervised.pending] == [p.stripped for p in direct.pending]
    assert supervised.rejected == direct.rejected == []


def test_hang_kill_and_crash_cost_only_their_document(make_source):
    files = {f"{name}.txt": ARTICLE for name in ("a-ok", "b-hang", "c-ok", "d-kill", "e-ok", "f-crash", "g-ok")}
    sources = discover(make_source(files))
    started = time.monotonic()
    output = run_supervised(sources, CONTEXT, timeout_seconds=2, process=process_with_faults)
    assert time.monotonic() - started < 60
    assert [p.source.relpath for p in output.pending] == ["a-ok.txt", "c-ok.txt", "e-ok.txt", "g-ok.txt"]
    reasons = {row["source_uri"].rsplit("/", 1)[-1]: row["reason"] for row in output.rejected}
    assert reasons == {
        "b-hang.txt": "timed out after 2 s (NEWSCLEAN_DOCUMENT_TIMEOUT)",
        "d-kill.txt": "worker process died (signal 9, SIGKILL) while processing",
        "f-crash.txt": "worker process died (exit code 3) while processing",
    }


def _pids(output) -> list[int]:
    return [int(row["reason"].split()[1]) for row in output.rejected if row["reason"].startswith("pid ")]


def test_a_worker_takes_the_next_shard_and_a_dead_one_is_replaced(make_source, monkeypatch):
    import newsclean.runtime.workers as workers

    sources = discover(make_source({"a-ok.txt": ARTICLE, "b-kill.txt": ARTICLE, "c-ok.txt": ARTICLE}))
    first = _pids(run_supervised(sources[:1], CONTEXT, process=process_recording_pid))
    second = _pids(run_supervised(sources[:1], CONTEXT, process=process_recording_pid))
    assert first == second  # the same warm process, not a new one
    faulty = run_supervised(sources, CONTEXT, process=process_recording_pid)
    assert [p.source.relpath for p in faulty.pending] == ["a-ok.txt", "c-ok.txt"]
    # The warm process was killed on b; a new one did the shard again from a (a's result had not been sent yet).
    (successor,) = set(_pids(faulty))
    assert successor != first[0]
    assert _pids(run_supervised(sources[:1], CONTEXT, process=process_recording_pid)) == [successor]
    monkeypatch.setattr(workers, "WORKER_IDLE_SECONDS", 0.2)
    workers.stop_idle_workers()  # the kept ones would wait 30 s; the next ones wait 0.2 s
    quick = _pids(run_supervised(sources[:1], CONTEXT, process=process_recording_pid))
    time.sleep(1.5)
    assert _pids(run_supervised(sources[:1], CONTEXT, process=process_recording_pid)) != quick  # it had exited: a new one


def test_a_worker_started_with_another_environment_is_not_reused(make_source, monkeypatch):
    sources = discover(make_source({"a-ok.txt": ARTICLE}))
    before = _pids(run_supervised(sources, CONTEXT, process=process_recording_pid))
    monkeypatch.setenv("NEWSCLEAN_TEST_MARKER", "changed")  # as new object-store credentials would be
    assert _pids(run_supervised(sources, CONTEXT, process=process_recording_pid)) != before


def test_workers_started_ahead_take_the_first_shards(make_source):
    import newsclean.runtime.workers as workers

    workers.stop_idle_workers()
    workers.start_workers(2)
    ahead = {worker.process.pid for worker in workers._idle_workers}
    sources = discover(make_source({"a-ok.txt": ARTICLE}))
    assert set(_pids(run_supervised(sources, CONTEXT, process=process_recording_pid))) <= ahead
    workers.stop_idle_workers()
    assert not workers._idle_workers


def test_each_shard_starts_with_empty_line_memos(make_source):
    import newsclean.runtime.workers as workers

    workers.stop_idle_workers()
    sources = discover(make_source({"a.txt": ARTICLE, "b.txt": ARTICLE}))

    def pids_and_memo_lines(output) -> list[tuple[int, int]]:
        return [(int(reason[1]), int(reason[3])) for row in output.rejected if (reason := row["reason"].split())[0] == "pid"]

    first = pids_and_memo_lines(run_supervised(sources, CONTEXT, process=process_recording_memo))
    second = pids_and_memo_lines(run_supervised(sources, CONTEXT, process=process_recording_memo))
    assert first[0][1] == 0 and first[1][1] > 0  # the first document filled the memos for the second
    assert second[0][0] == first[0][0]  # the same warm process took the next shard ...
    assert second[0][1] == 0  # ... with its memos emptied, as process_batch starts a batch
