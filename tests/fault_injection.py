"""A document processor that misbehaves on purpose, for the worker supervision tests (importable by child processes)."""
import os
import signal
import time

from newsclean.clean.document import process_document


def process_with_faults(source, context):
    name = source.relpath.rsplit("/", 1)[-1]
    if "-hang" in name:
        time.sleep(3600)  # as a parser stuck on a pathological page
    if "-kill" in name:
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer, or an operator
    if "-crash" in name:
        os._exit(3)  # as a crash in a C extension
    return process_document(source, context)


def process_recording_pid(source, context):
    """Which process cleaned the document, in its rejected row's reason (for the worker reuse test)."""
    output = process_with_faults(source, context)
    output.rejected.append({"source_uri": source.source_uri, "reason": f"pid {os.getpid()}"})
    return output


def process_recording_memo(source, context):
    """The process and how many lines its memos held before this document, in its rejected row's reason (for the
    test that each shard starts with empty memos)."""
    from newsclean.clean import memo

    held = memo.lines_held()
    output = process_document(source, context)
    output.rejected.append({"source_uri": source.source_uri, "reason": f"pid {os.getpid()} memo {held}"})
    return output
