"""How long the page-noise detector takes over huge lines (1-10 MB), each before a short article: a line judged by a
regex that backtracks took minutes once.

    .venv/bin/python -m bench.huge_lines

Prints the seconds per line and in all, and the machine."""
from __future__ import annotations

import os
import platform
import sys
import time

from newsclean.clean.page_noise import find_page_noise
from tests.test_page_noise import ARTICLE, HUGE_LINES


def main() -> None:
    total = 0.0
    for line in HUGE_LINES:
        started = time.perf_counter()
        find_page_noise([line, *ARTICLE])
        seconds = time.perf_counter() - started
        total += seconds
        print(f"{len(line):>9,} characters ({line[:12]!r}...): {seconds:.3f} s")
    print(f"all: {total:.3f} s; {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
