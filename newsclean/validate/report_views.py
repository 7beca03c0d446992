"""The run report's Data Docs views, with Jinja's bytecode cache: Great Expectations compiles its page templates
anew in every process, once for each of the report's three sections, most of the time of building a run's report.
Named in the Data Docs site's config (validate.py); Great Expectations imports this module only when it
builds the report."""
from __future__ import annotations

import pickle
from functools import lru_cache

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket


class TemplateCache(FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates (used only if the template's source is unchanged and by the same
    Python version; written to a temporary file and renamed), where a cache that cannot be read or written is no cache:
    Great Expectations would log the error and leave the page out of the report."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):  # unreadable or damaged: compile it
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full or read-only disk: the next report compiles it again
            pass


@lru_cache(maxsize=1)
def bytecode_cache() -> TemplateCache | None:
    """The cache in Jinja's folder of the temporary directory, which only this user may use (Jinja checks it)."""
    try:
        return TemplateCache()
    except (OSError, RuntimeError):  # no usable temporary folder: templates are compiled, as without the cache
        return None


class _CachedTemplates:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = bytecode_cache()


class PageView(_CachedTemplates, DefaultJinjaPageView):
    """A validation result's page (and the suites' pages), as Great Expectations renders it."""


class IndexPageView(_CachedTemplates, DefaultJinjaIndexPageView):
    """The report's index page, as Great Expectations renders it."""
