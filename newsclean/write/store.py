"""The warehouse's files on a local disk or on S3: the few operations newsclean/write/commit.py, newsclean/write/stats.py and the
validation report need, with the commit each medium allows.

Files are named by keys relative to the warehouse root ("articles/ingest_date=2024-01-01/part-0.parquet"). A run's
validation report (its Data Docs folder) is staged and committed with its tables, under `_reports/<run_id>/`, first:
a run that does not reach its commit, even one killed outright, leaves no report behind (one killed inside its commit,
after its report and before its runs row, leaves one that the next writer removes: newsclean/write/commit.py).

Local disk (LocalWarehouse): a new file is staged under `<warehouse>/_staging/`, fsync'd, then renamed over its target
(atomic on one filesystem) and the folder fsync'd.

S3 (S3Warehouse): there is no rename. A new file is staged in a local temporary folder (nothing partial ever reaches
the bucket), then published with ONE PutObject to its final key (no multipart upload): S3 replaces an object
atomically, so a reader sees the old object or the new one, never a part. S3 is strongly consistent (read after
write, list after write). The writer lock is an object created with a conditional PUT (newsclean/write/lock.py), so
ensure_writable() checks that the store really honours `If-None-Match: *` and refuses to write where it does not.
"""
from __future__ import annotations

import contextlib
import mimetypes
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Union

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from newsclean.runtime import scratch
from newsclean import settings
from newsclean.schema import PARTITION_COLUMN
from newsclean.storage import filesystem_for, is_object_store, s3_client, split_s3_uri

PARTITION_FILE = "part-0.parquet"


def report_key(run_id: str) -> str:
    """The key of a run's validation report: a folder (index.html and what it links to)."""
    return f"{settings.REPORTS_DIR}/{run_id}"


def _report_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def _staged_report(staging: Path, folder: Path, run_id: str) -> Staged:
    """A copy of the run's report folder in `staging`, committed like a file (its key is the folder's)."""
    staged = Staged(staging / f"report-{uuid.uuid4().hex}", report_key(run_id))
    shutil.copytree(folder, staged.path)
    return staged


class WarehouseError(Exception):
    """The warehouse cannot be written (missing permissions, not a folder, disk full, unreachable bucket)."""


@dataclass(frozen=True)
class Staged:
    """A complete new version of the file at `key`, waiting at `path` to be committed."""
    path: Path
    key: str


Parts = Union[pa.Table, Iterable[Union[pa.Table, pa.RecordBatch]]]


def _write_parquet(parts: Parts, path: Path, *, durable: bool, schema: pa.Schema | None = None) -> None:
    """One Parquet file from a table, or from a stream of tables or batches of `schema` (written as they come)."""
    if isinstance(parts, pa.Table):
        parts, schema = [parts], parts.schema
    try:
        with open(path, "wb") as handle:
            with pq.ParquetWriter(handle, schema, compression=settings.PARQUET_COMPRESSION) as writer:
                written = 0
                for part in parts:
                    writer.write(part)
                    written += 1
                if not written:  # an empty partition still gets a row group, as pq.write_table gives it
                    writer.write_table(schema.empty_table())
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _partition_of(key: str, table: str) -> str | None:
    """"articles/ingest_date=2024-01-01/part-0.parquet" -> "2024-01-01" (None for any other key)."""
    parts = key.split("/")
    if len(parts) == 3 and parts[0] == table and parts[2] == PARTITION_FILE and parts[1].startswith(f"{PARTITION_COLUMN}="):
        return parts[1].split("=", 1)[1]
    return None


class LocalWarehouse:
    """A warehouse folder on a local (or mounted) filesystem: rename-based commits, fsync'd."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @property
    def uri(self) -> str:
        return str(self.root.resolve())

    def __str__(self) -> str:
        return str(self.root)

    def path(self, key: str) -> Path:
        return self.root / key

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def has_table(self, table: str) -> bool:
        return (self.root / table).exists()

    def read_table(self, key: str, **options) -> pa.Table:
        return pq.read_table(self.path(key), **options)

    def num_rows(self, key: str) -> int:
        return pq.ParquetFile(self.path(key)).metadata.num_rows

    def partitions(self, table: str) -> dict[str, str]:
        """ingest_date -> key of every partition file of `table`, by date."""
        found = {}
        for path in sorted((self.root / table).glob(f"{PARTITION_COLUMN}=*/{PARTITION_FILE}")):
            key = path.relative_to(self.root).as_posix()
            found[_partition_of(key, table)] = key
        return found

    def check_readable(self) -> None:
        """A missing folder is an empty warehouse."""

    def ensure_writable(self) -> None:
        try:
            probe = self._staging() / f".probe-{uuid.uuid4().hex}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise WarehouseError(f"warehouse {str(self.root)!r} is not writable: {error.strerror or error}") from error

    def clear_staging(self) -> None:
        """Files a killed run staged and never committed; under the lock nobody else is staging."""
        staging = self.root / settings.STAGING_DIR
        if staging.exists():
            for leftover in staging.iterdir():
                if leftover.is_dir():  # a staged report
                    shutil.rmtree(leftover, ignore_errors=True)
                elif not leftover.name.startswith(".probe-"):
                    leftover.unlink(missing_ok=True)

    def _staging(self) -> Path:
        staging = self.root / settings.STAGING_DIR
        staging.mkdir(parents=True, exist_ok=True)
        return staging

    def stage(self, parts: Parts, key: str, schema: pa.Schema | None = None) -> Staged:
        staged = Staged(self._staging() / f"{uuid.uuid4().hex}.parquet", key)
        _write_parquet(parts, staged.path, durable=True, schema=schema)
        return staged

    def stage_report(self, folder: Path, run_id: str) -> Staged:
        """Renamed into `_reports/` at commit."""
        return _staged_report(self._staging(), folder, run_id)

    def publish(self, staged: Staged) -> None:
        """Renames need no space: a full disk fails while staging, before this. A staged report folder is renamed
        whole (its run_id is new: no folder is there)."""
        target = self.path(staged.key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, target)  # atomic on one filesystem: readers see the old file or the new one

    def finish_commit(self, staged_files: list[Staged]) -> None:
        for folder in {self.path(staged.key).parent for staged in staged_files}:
            descriptor = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(descriptor)  # the renames themselves survive a power cut
            finally:
                os.close(descriptor)

    def discard(self, staged_files: list[Staged]) -> None:
        """Every file in staging is this run's (the writer holds the lock), the listed ones and one a stop interrupted
        while it was being written (before its name was returned): all go."""
        self.clear_staging()

    def report_location(self, run_id: str) -> str:
        return str(self.path(report_key(run_id)) / "index.html")

    def remove_report(self, run_id: str) -> None:
        """Best effort: a failing removal must not hide why the run failed."""
        shutil.rmtree(self.path(report_key(run_id)), ignore_errors=True)


def _s3_error_text(error: Exception) -> str:
    """One line for any boto3 error: the S3 error code and message, or botocore's own sentence."""
    response = getattr(error, "response", None)
    if response:
        details = response.get("Error", {})
        code = details.get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{code}: {details.get('Message') or 'no message'}"
    return str(error)


@contextlib.contextmanager
def s3_errors_as_oserror(action: str) -> Iterator[None]:
    """boto3's exceptions become OSError, like pyarrow's and the local disk's: one kind of error for callers."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise OSError(f"{action}: {_s3_error_text(error)}") from error


def s3_error_code(error: BaseException) -> str | None:
    """The S3 error code (e.g. "PreconditionFailed", "NoSuchKey") behind an OSError from s3_errors_as_oserror."""
    cause = error.__cause__ if isinstance(error, OSError) else error
    response = getattr(cause, "response", None) or {}
    return response.get("Error", {}).get("Code")


class S3Warehouse:
    """A warehouse under `s3://bucket/prefix`: single-PUT commits, reads through pyarrow's S3 filesystem."""

    def __init__(self, uri: str):
        self.bucket, self.prefix = split_s3_uri(uri)
        self.uri = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        self.filesystem, self.base = filesystem_for(self.uri)
        self._staging_dir: Path | None = None

    def __str__(self) -> str:
        return self.uri

    def key(self, key: str) -> str:
        """The object key of a warehouse-relative key."""
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fs_path(self, key: str) -> str:
        return f"{self.base}/{key}"

    def exists(self, key: str) -> bool:
        return self.filesystem.get_file_info(self._fs_path(key)).type == pafs.FileType.File

    def has_table(self, table: str) -> bool:
        return self.filesystem.get_file_info(self._fs_path(table)).type != pafs.FileType.NotFound

    def read_table(self, key: str, **options) -> pa.Table:
        return pq.read_table(self._fs_path(key), filesystem=self.filesystem, **options)

    def num_rows(self, key: str) -> int:
        with self.filesystem.open_input_file(self._fs_path(key)) as handle:  # reads the footer only
            return pq.ParquetFile(handle).metadata.num_rows

    def partitions(self, table: str) -> dict[str, str]:
        selector = pafs.FileSelector(self._fs_path(table), recursive=True, allow_not_found=True)
        found = {}
        for info in self.filesystem.get_file_info(selector):
            key = info.path[len(self.base) + 1:]
            partition = _partition_of(key, table) if info.type == pafs.FileType.File else None
            if partition is not None:
                found[partition] = key
        return dict(sorted(found.items()))

    def _put(self, key: str, body, **conditions) -> dict:
        """ONE PutObject: the object appears whole or not at all."""
        with s3_errors_as_oserror(f"cannot write s3://{self.bucket}/{self.key(key)}"):
            return s3_client().put_object(Bucket=self.bucket, Key=self.key(key), Body=body, **conditions)

    def ensure_writable(self) -> None:
        """Reach the bucket, write and delete a probe object, and check that conditional writes are honoured (the
        lock needs them). Any failure is one line, before any work is done."""
        probe = f"{settings.STAGING_DIR}/.probe-{uuid.uuid4().hex}"
        try:
            self._put(probe, b"", IfNoneMatch="*")
            try:
                self._put(probe, b"", IfNoneMatch="*")
            except OSError as error:
                if s3_error_code(error) not in ("PreconditionFailed", "ConditionalRequestConflict"):
                    raise
            else:
                raise WarehouseError(
                    f"warehouse {self.uri!r}: this object store ignores conditional writes (If-None-Match: *), so the "
                    f"writer lock cannot keep two runs apart; newsclean will not write there")
            finally:
                with s3_errors_as_oserror(f"cannot delete s3://{self.bucket}/{self.key(probe)}"):
                    s3_client().delete_object(Bucket=self.bucket, Key=self.key(probe))
        except OSError as error:
            code = s3_error_code(error)
            hint = {"NotImplemented": " (the store does not support conditional writes, which the writer lock needs)",
                    "InvalidAccessKeyId": " (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)",
                    "SignatureDoesNotMatch": " (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)",
                    "AccessDenied": " (check the credentials and the bucket's policy)"}.get(code or "", "")
            raise WarehouseError(f"warehouse {self.uri!r} is not writable: {error}{hint}") from error

    def check_readable(self) -> None:
        """The bucket exists and these credentials may use it: one HEAD, a one-line error."""
        try:
            with s3_errors_as_oserror(f"cannot reach the bucket {self.bucket!r}"):
                s3_client().head_bucket(Bucket=self.bucket)
        except OSError as error:
            code = s3_error_code(error)
            reason = {"404": "the bucket does not exist", "403": "access denied (check the credentials and the bucket's policy)"}
            raise WarehouseError(f"warehouse {self.uri!r} cannot be read: {reason.get(code or '', error)}") from error

    def clear_staging(self) -> None:
        """Nothing to clear in the bucket: staging is local and private to this process."""

    def stage(self, parts: Parts, key: str, schema: pa.Schema | None = None) -> Staged:
        staged = Staged(self._staging() / f"{uuid.uuid4().hex}.parquet", key)
        _write_parquet(parts, staged.path, durable=False, schema=schema)  # a local scratch copy: the PUT is what must last
        return staged

    def stage_report(self, folder: Path, run_id: str) -> Staged:
        """In the local staging folder, uploaded at commit."""
        return _staged_report(self._staging(), folder, run_id)

    def _staging(self) -> Path:
        """This process's own local staging folder (a private scratch folder: nothing partial reaches the bucket)."""
        if self._staging_dir is None or not self._staging_dir.exists():
            self._staging_dir = scratch.private_folder("staging")
        return self._staging_dir

    def publish(self, staged: Staged) -> None:
        """One PUT; a report folder, one PUT per file (S3 acknowledges a PUT only once the object is durably stored)."""
        if staged.path.is_dir():
            for path in _report_files(staged.path):
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"  # browsable as served
                with open(path, "rb") as body:
                    self._put(f"{staged.key}/{path.relative_to(staged.path).as_posix()}", body, ContentType=content_type)
            shutil.rmtree(staged.path, ignore_errors=True)
            return
        with open(staged.path, "rb") as body:
            self._put(staged.key, body)
        staged.path.unlink(missing_ok=True)

    def finish_commit(self, staged_files: list[Staged]) -> None:
        self.discard(staged_files)

    def discard(self, staged_files: list[Staged]) -> None:
        """Every staged path is in this process's own staging folder: it goes whole."""
        if self._staging_dir is not None:
            shutil.rmtree(self._staging_dir, ignore_errors=True)
            self._staging_dir = None

    def report_location(self, run_id: str) -> str:
        return f"{self.uri}/{report_key(run_id)}/index.html"

    def remove_report(self, run_id: str) -> None:
        """Best effort: a failing removal must not hide why the run failed."""
        prefix = self.key(f"{report_key(run_id)}/")
        try:  # boto3, not pyarrow's delete_dir: that leaves a folder marker object behind
            with s3_errors_as_oserror(f"cannot remove the report s3://{self.bucket}/{prefix}"):
                for page in s3_client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                    keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                    if keys:
                        s3_client().delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
        except OSError:
            pass


WarehouseStore = LocalWarehouse | S3Warehouse


def open_warehouse(location: "str | Path | WarehouseStore") -> WarehouseStore:
    """The store for a local path or an `s3://bucket/prefix` URI (a store is returned as it is)."""
    if isinstance(location, (LocalWarehouse, S3Warehouse)):
        return location
    if is_object_store(location):
        return S3Warehouse(str(location))
    return LocalWarehouse(Path(location))
