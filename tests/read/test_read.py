"""Discovery and decoding: every file becomes text or a reason, never an exception that stops the run."""
import gzip

import pytest

from newsclean import settings
from newsclean.read.decode import ReadError, decode_text
from newsclean.read.discover import SourceError, discover, read_document
from newsclean.records import SourceFile

ARTICLE = "Le café était fermé. Über 3 € pro Tasse — “quoted” text.\n"


def test_discover_sorted_skips_hidden_and_gives_stable_ids(make_source, tmp_path):
    root = make_source({"b.txt": "b", "a/c.txt": "c", ".hidden.txt": "h", "_staging/x.txt": "x"})
    found = discover(root)
    assert [source.relpath for source in found] == ["a/c.txt", "b.txt"]
    assert all(source.source_uri.endswith(source.relpath.split("/")[-1]) for source in found)
    copy = tmp_path / "elsewhere" / "source"
    copy.parent.mkdir()
    root.rename(copy)  # another machine, same folder name: same ids
    assert [s.doc_id for s in discover(copy)] == [s.doc_id for s in found]


@pytest.mark.parametrize("files, message", [(None, "does not exist"), ({}, "holds no documents")])
def test_bad_sources_are_clear_errors(make_source, tmp_path, files, message):
    root = tmp_path / "missing" if files is None else make_source(files)
    with pytest.raises(SourceError, match=message):
        discover(root)


@pytest.mark.parametrize("encoding_name, data", [
    ("utf-8", ARTICLE.encode("utf-8")),
    ("utf-8-sig", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8")),
    ("utf-16", ARTICLE.encode("utf-16")),  # with BOM
    ("utf-16", b"\xfe\xff" + ARTICLE.encode("utf-16-be")),
])
def test_decoding_with_bom_or_utf8(make_source, encoding_name, data):
    document = read_document(discover(make_source({"doc.txt": data}))[0])
    assert document.text.lstrip("\ufeff") == ARTICLE
    assert document.encoding == encoding_name


def test_undeclared_windows_1252_is_detected_not_mojibake(make_source):
    article = "Ministers said the café’s owner “refused” to pay the €300 fine, according to officials. " * 3
    document = read_document(discover(make_source({"doc.txt": article.encode("cp1252")}))[0])
    assert document.text == article
    assert document.encoding.replace("_", "").lower() in {"cp1252", "windows1252"}


def test_gzip_text_is_read(make_source):
    assert read_document(discover(make_source({"doc.txt.gz": gzip.compress(ARTICLE.encode())}))[0]).text == ARTICLE


@pytest.mark.parametrize("name, data, reason", [
    ("image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "binary"),
    ("broken.txt.gz", gzip.compress(ARTICLE.encode() * 50)[:60], "bad gzip"),
    ("not-gzip.txt.gz", b"plain text pretending", "bad gzip"),
    ("photo.jpg", b"\xff\xd8\xff", "unsupported file type '.jpg'"),
])
def test_unreadable_inputs_raise_read_error_with_reason(make_source, name, data, reason):
    with pytest.raises(ReadError, match=reason):
        read_document(discover(make_source({name: data}))[0])


def test_size_cap_bounds_decompression(make_source, monkeypatch):
    monkeypatch.setattr(settings, "MAX_DOCUMENT_BYTES", 10_000)
    bomb = gzip.compress(b"a" * 5_000_000)  # 5 MB from a few KB
    with pytest.raises(ReadError, match="larger than the 10000-byte limit"):
        read_document(discover(make_source({"bomb.txt.gz": bomb}))[0])


FRENCH = "Le café était fermé. “Déjà vu”, a dit l’élève — 5 € la tasse à Zürich, selon les habitants du quartier. " * 3


@pytest.mark.parametrize("text, codec, expected", [
    (FRENCH, "cp1252", "cp1252"),
    (FRENCH.replace("“", '"').replace("”", '"').replace("’", "'").replace("—", "-").replace("€", "EUR"), "latin-1", "cp1252"),
    ("Ministers said the café’s owner “refused” to pay the €300 fine, according to officials. " * 3, "cp1252", "cp1252"),
    ("Rada miasta zatwierdziła we wtorek plan odbudowy wałów przeciwpowodziowych wzdłuż rzeki. Źródło: Łódź. " * 3, "cp1250", "cp1250"),
    ("Městská rada v úterý schválila plán obnovy protipovodňových hrází podél řeky. Příliš žluťoučký kůň. " * 3, "cp1250", "cp1250"),
    ("El ayuntamiento aprobó el martes el plan de reconstrucción de los diques. Niños y señores, ¿qué más? " * 3, "cp1252", "cp1252"),
    ("Городской совет во вторник одобрил план восстановления дамб вдоль реки после двух зим. " * 3, "cp1251", "cp1251"),
    ("Το δημοτικό συμβούλιο ενέκρινε την Τρίτη το σχέδιο για την ανακατασκευή των αναχωμάτων. " * 3, "cp1253", "cp1253"),
    ("東京で新しい港の計画が発表された。市議会は火曜日に承認した。" * 3, "shift_jis", "cp932"),
])
def test_undeclared_single_and_multibyte_encodings_decode_without_mojibake(text, codec, expected):
    decoded, encoding = decode_text(text.encode(codec))
    assert decoded == text and encoding == expected


def test_mostly_utf8_with_broken_bytes_keeps_its_accents():
    data = FRENCH.encode("utf-8")
    decoded, encoding = decode_text(data[:30] + b"\xff\xfe" + data[30:])
    assert "“Déjà vu”" in decoded and encoding == "utf-8 (invalid bytes replaced)"


def test_nul_bytes_inside_text_are_dropped():
    text = "The council approved the flood defences on Tuesday after a long debate. " * 20
    assert decode_text(text.replace("flood", "flo\x00od", 3).encode())[0] == text


def test_a_source_file_survives_pickling_with_every_field():
    """Shards are pickled to worker processes and to the spool (SourceFile pickles as its constructor's arguments)."""
    import pickle
    from dataclasses import fields

    source = SourceFile("/in/crawl.jsonl.gz", "2024-01-01/crawl.jsonl.gz", "in", "in@0123456789ab", 10, 5, "damaged", 7, 3, "id9",
                        True)
    assert all(getattr(source, field.name) != field.default for field in fields(SourceFile))  # none left at its default
    again = pickle.loads(pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == source and again.doc_id == source.doc_id and again.source_uri == source.source_uri
