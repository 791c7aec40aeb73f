"""Paths with an optional scheme (`s3://bucket/key`, `file:///tmp/x`, `local://x`, `/tmp/x`)."""

import io
import os
from typing import NamedTuple
from urllib.parse import urlparse

__all__ = ["ParsedPath", "parse_path", "read_bytes_from_path"]


class ParsedPath(NamedTuple):
    """A path split into scheme, network location and path.

    Args:
        - scheme (str): `"file"` for local paths (no scheme, `file://` or `local://`)
        - netloc (str): e.g. the bucket of `s3://bucket/key`
        - path (str): the rest
    """

    scheme: str
    netloc: str
    path: str


def parse_path(path: str) -> ParsedPath:
    """Split `[scheme://][netloc]path` into its parts. A path without a scheme, or with the
    `local` scheme, is a local file (`scheme == "file"`); a Windows path with a drive letter
    is local too.

    Args:
        - path (str): the path

    Returns:
        - ParsedPath: its parts
    """
    drive, _ = os.path.splitdrive(path)
    if drive:
        return ParsedPath("file", "", path)
    parsed = urlparse(path)
    scheme = parsed.scheme or ""
    if scheme in ("", "local"):
        scheme = "file"
    return ParsedPath(scheme, parsed.netloc or "", parsed.path or "")


def read_bytes_from_path(path: str) -> bytes:
    """Read a file given as a local path, an `http(s)://` URL, or an `s3://` / `gcs://`
    object (boto3 / google-cloud-storage are imported only then).

    Args:
        - path (str): where to read

    Returns:
        - bytes: the contents

    Raises:
        - ValueError: for an unsupported scheme or a missing GCS object
    """
    parsed = parse_path(path)
    if parsed.scheme in ("file", "agent"):
        with open(parsed.path, "rb") as f:
            return f.read()
    if parsed.scheme in ("http", "https"):
        from urllib.request import urlopen

        with urlopen(path) as response:  # noqa: S310 (the scheme is checked above)
            return response.read()
    if parsed.scheme in ("gcs", "gs"):
        from google.cloud import storage

        blob = storage.Client().bucket(parsed.netloc).get_blob(parsed.path.lstrip("/"))
        if blob is None:
            raise ValueError(f"No object at {path}")
        return blob.download_as_bytes()
    if parsed.scheme == "s3":
        import boto3

        stream = io.BytesIO()
        boto3.client("s3").download_fileobj(
            Bucket=parsed.netloc, Key=parsed.path.lstrip("/"), Fileobj=stream
        )
        return stream.getvalue()
    raise ValueError(f"Unsupported file scheme {path}")
