"""The run's steps as plain functions over plain records: read + clean a batch, then assemble the tables.

The Prefect flow (flow.py) calls these; so do the CLI's `clean` command and the tests, without Prefect.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from newsclean import settings
from newsclean.clean import site_templates
from newsclean.clean.html import PROFILES, HtmlExtraction, extract_html
from newsclean.clean.text import CleanedText, StrippedText, finish, strip_boilerplate
from newsclean.read.decode import ReadError
from newsclean.read.discover import read_document
from newsclean.records import PARTITION, Document, RunContext, SourceFile, rejected_row

# Han and kana are written without spaces: each such word character counts as one word (a Chinese word is one or
# two characters), every other run of word characters as one.
_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


_WORD = re.compile(rf"(?=\w)[{_CJK_RANGES}]|(?:(?![{_CJK_RANGES}])\w)+")


_CJK_CHARACTER = re.compile(rf"[{_CJK_RANGES}]")


TEXT_EXTRACTOR = "text_rules"  # `extractor` of plain-text documents: the line rules of newsclean/clean


# What a pending document costs in memory besides its text (approximate_bytes): its objects, and per line a tuple,
# a string's header and its 8-byte key in hex (measured with tracemalloc over synthetic text and the aeb pages).
_DOCUMENT_BYTES = 2000


_LINE_BYTES = 300


@dataclass(frozen=True)
class PendingDocument:
    """A document after per-document cleaning, waiting for the site-level pass that needs the whole run."""

    source: SourceFile
    document: Document  # what reading gave (its text is not needed any more and is left out)
    stripped: StrippedText
    page: HtmlExtraction | None = None  # what trafilatura found, for HTML pages

    @cached_property
    def lines(self) -> site_templates.SiteDocument:
        """The kept lines as the site-level pass sees them (hashed once, in the worker: it is pickled along)."""
        return site_templates.SiteDocument(self.site, [line for _, line in self.stripped.content])

    def approximate_bytes(self) -> int:
        """Roughly what the document takes in memory: its lines' text and a fixed cost per line and per document
        (an estimate, checked against tracemalloc's count for text documents and HTML pages)."""
        content, removed = self.stripped.content, self.stripped.removed_lines
        characters = sum(len(line) for _, line in content) + sum(len(line.text) for line in removed)
        if self.page is not None:  # its paragraphs are a second copy of the article's text
            characters += sum(len(paragraph) for paragraph in self.page.paragraphs)
        return _DOCUMENT_BYTES + _LINE_BYTES * (len(content) + len(removed)) + characters

    @property
    def url(self) -> str | None:
        """The URL the input names (a WARC record's target URI, a JSONL url), else the page's canonical URL."""
        return self.document.url or (self.page.url if self.page else None)

    @property
    def site(self) -> str:
        """The registered domain of the document's URL where there is one, else the source folder."""
        domain = registered_domain(self.url) if self.url else None
        return domain or self.source.site


@dataclass
class BatchOutput:
    """What a batch of documents turned into. `pending` become `candidates` (+ removed lines) in finish_documents;
    validation then splits candidates into articles and quarantine."""

    pending: list[PendingDocument] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)
    removed_lines: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    raw_hashes: dict[str, str | None] = field(default_factory=dict)  # source_uri -> SHA-256 of its bytes

    def extend(self, other: "BatchOutput") -> None:
        self.pending += other.pending
        self.candidates += other.candidates
        self.removed_lines += other.removed_lines
        self.rejected += other.rejected
        self.raw_hashes.update(other.raw_hashes)


def registered_domain(url: str) -> str | None:
    from courlan import (
        extract_domain,  # trafilatura's URL library, with a bundled public-suffix list
    )

    return extract_domain(url) or None


@lru_cache(maxsize=1)
def _word_characters():
    """For each UTF-16 code unit, 2 if it is a CJK word character (a word on its own), 1 if re's \\w matches it
    otherwise, else 0 (a lone surrogate is no word character)."""
    import numpy as np  # imported by the flow's process already (pandas), not by the shard workers: they count no words

    word = re.compile(r"\w")
    return np.fromiter(((word.match(chr(unit)) is not None) * (1 + (_CJK_CHARACTER.match(chr(unit)) is not None))
                        for unit in range(0x10000)), dtype=np.int8, count=0x10000)


def word_count(text: str) -> int:
    """The number of words in `text` as len(_WORD.findall(text)) counts them: a run of word characters (\\w+) is one
    word, except that each Han or kana character is a word of its own. Looked up in a table (numpy), faster than the
    regex on news bodies. Text with a character outside the Basic Multilingual Plane (two UTF-16 units) is counted by
    the regex."""
    import numpy as np

    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(units) != len(text):
        return len(_WORD.findall(text))
    if not len(units):
        return 0
    classes = _word_characters()[units]
    runs = classes == 1
    return int(np.count_nonzero(classes == 2)) + int(runs[0]) + int(np.count_nonzero(runs[1:] > runs[:-1]))


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def article_row(pending: PendingDocument, cleaned: CleanedText, context: RunContext) -> dict:
    source, page, body = pending.source, pending.page, cleaned.body
    return {
        "doc_id": source.doc_id,
        "source_uri": source.source_uri,
        "url": pending.url,
        "fetched_at": pending.document.fetched_at,
        "format": pending.document.format,
        "encoding": pending.document.encoding,
        "title": cleaned.title,
        "dek": page.dek if page else cleaned.dek,
        "section": page.section if page else cleaned.section,
        "site_name": (page.site_name if page else None) or cleaned.site_name,
        "authors": list(page.authors if page else cleaned.authors),
        "published_date": _iso_date(page.published_date) if page else cleaned.published_date,
        "language": pending.stripped.language.code,
        "language_confidence": pending.stripped.language.confidence,
        "extractor": page.extractor if page else TEXT_EXTRACTOR,
        "page_type": page.page_type if page else None,
        "page_type_confidence": page.page_type_confidence if page else None,
        "body": body,
        "word_count": word_count(body),
        "content_hash": hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest(),
        "run_id": context.run_id,
        "processed_at": context.processed_at,
        PARTITION: context.ingest_date_of(source),
    }


def process_document(source: SourceFile, context: RunContext) -> BatchOutput:
    """One document to a pending document, or to a rejected row: never an exception."""
    output = BatchOutput()
    try:
        document = read_document(source)
        page = extract_html(document.text, profile=context.html_profile or None) if document.format == "html" else None
        if page:  # trafilatura has removed the page by its structure; the line detector is for plain text.
            stripped = strip_boilerplate("\n".join(page.paragraphs), page_noise=False, declared_language=page.language)
        else:
            stripped = strip_boilerplate(document.text)
        pending = PendingDocument(source, replace(document, text=""), stripped, page)
        pending.lines  # noqa: B018  (computed here, in the worker process)
        output.pending.append(pending)
    except ReadError as error:
        output.rejected.append(rejected_row(source, str(error), context))
    except Exception as error:  # a bug or a pathological input must cost this document only, with the reason kept
        output.rejected.append(rejected_row(source, f"cleaning failed: {type(error).__name__}: {error}", context))
    return output


def finish_pending(pending_documents: list[PendingDocument], memory: dict, context: RunContext,
                   site_stories: dict[str, int] | None = None) -> BatchOutput:
    """Each pending document to a candidate row and its removed lines, with its site's template lines (`memory`,
    learnt from the whole run) removed; `site_stories` is site_templates.site_story_counts(memory), computed once."""
    output = BatchOutput()
    if site_stories is None:
        site_stories = site_templates.site_story_counts(memory)
    for pending in pending_documents:
        document = pending.lines
        try:
            # Rule off: learn nothing, remove nothing, and hand back what earlier runs learnt untouched.
            positions = (
                site_templates.template_lines(document, memory, site_stories.get(document.site, 0))
                if settings.SITE_TEMPLATES else []
            )
            site_templates.fill_examples(memory, document)
            template_removals = {pending.stripped.content[i][0]: site_templates.RULE for i in positions}
            page = pending.page
            cleaned = finish(pending.stripped, template_removals, title=page.title if page else None,
                             standfirst=page.standfirst if page else None,
                             read_header=PROFILES[page.profile].read_header if page else True)
        except Exception as error:  # costs this document only
            output.rejected.append(rejected_row(pending.source, f"cleaning failed: {type(error).__name__}: {error}", context))
            continue
        output.candidates.append(article_row(pending, cleaned, context))
        doc_id, run_id, partition = pending.source.doc_id, context.run_id, context.ingest_date_of(pending.source)  # once, not per line
        output.removed_lines += [
            {"doc_id": doc_id, "line_no": line.line_no, "text": line.text, "rule": line.kind, "run_id": run_id, PARTITION: partition}
            for line in cleaned.removed_lines
        ]
        output.raw_hashes[pending.source.source_uri] = pending.document.raw_sha256
    return output
