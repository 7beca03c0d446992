"""Deferred imports: Great Expectations validates and builds its report without importing scipy.stats or altair,
which load at their first use; fresh interpreters, since the test process may have imported them already."""
import subprocess
import sys
import textwrap

from ..conftest import ROOT


def run_python(code: str, tmp_path) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": f"{ROOT}:{tmp_path}", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_run_validates_and_reports_without_scipy_stats_which_loads_at_its_first_use(tmp_path):
    out = run_python(f"""
        import datetime as dt, sys
        from pathlib import Path
        from newsclean.validate.checks import Validator
        validator = Validator(today=dt.date(2026, 11, 22), docs_dir=Path({str(tmp_path / "docs")!r}))
        rows = [{{"doc_id": str(n), "body": "A long enough body of text for the checks to pass. " * 10, "word_count": 100 if n else 1,
                 "published_date": None, "language": None}} for n in range(50)]
        outcome = validator.validate(rows)
        validator.build_data_docs()
        print(len(outcome.quarantined), "scipy.stats._stats_py" in sys.modules, "altair.vegalite" in sys.modules)
        from scipy import stats  # as Great Expectations' KL-divergence expectation does
        print(round(float(stats.entropy([0.5, 0.5], [0.9, 0.1])), 4), "scipy.stats._stats_py" in sys.modules)
        import scipy, scipy.stats.mstats
        print(type(sys.modules["scipy.stats"]).__name__, scipy.stats is sys.modules["scipy.stats"], scipy.stats.mstats.__name__)
    """, tmp_path)
    assert out.split("\n")[:3] == ["1 False False", "0.5108 True", "module True scipy.stats.mstats"]


def test_a_module_imported_already_or_absent_is_left_alone_and_a_failing_import_fails_at_each_use(tmp_path):
    (tmp_path / "broken_module.py").write_text("raise ImportError('broken on purpose')\n")
    out = run_python("""
        import json, sys
        from newsclean.validate.deferred_import import DeferredModule, defer
        defer("json"); defer("no_such_module_here")
        print(sys.modules["json"] is json, "no_such_module_here" in sys.modules)
        defer("broken_module")
        import broken_module  # the stand-in: nothing runs yet
        for attempt in range(2):
            try:
                broken_module.anything
            except ImportError as error:
                print(error, isinstance(sys.modules["broken_module"], DeferredModule))
    """, tmp_path)
    assert out.split("\n")[:3] == ["True False", "broken on purpose True", "broken on purpose True"]
