"""Articles in: read and checked the same way for the CLI, batch runs and the Python API.

Every problem is an ``InputError`` whose one-line message names the source and says how to fix it.
"""

from __future__ import annotations

from pathlib import Path

from summarizer.errors import InputError


def check_article(text: object) -> str:
    """The article as text, or ``InputError`` saying what is wrong with it."""
    if isinstance(text, bytes):
        raise InputError("the article must be text (str), not bytes: decode it first, e.g. as UTF-8")
    if not isinstance(text, str):
        raise InputError(f"the article must be a str, got {type(text).__name__}")
    if not text.strip():
        raise InputError("the article is empty: there is nothing to summarise")
    if "\x00" in text:
        raise InputError("the article contains NUL bytes: it looks like a binary file, not text")
    return text


def decode_article(data: bytes, name: str) -> str:
    """Bytes from a file or a stream as a checked article; ``name`` says where they came from."""
    if b"\x00" in data:
        raise InputError(f"{name}: contains NUL bytes; this looks like a binary file, not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None
    if not text.strip():
        raise InputError(f"{name}: is empty; there is nothing to summarise")
    return check_article(text)


def read_file(path: Path | str, what: str = "an article file") -> bytes:
    """The bytes of ``path``; ``InputError`` naming it when it is missing, a folder, or unreadable."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not {what}") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from error


def read_article_file(path: Path | str) -> str:
    """The article in the file ``path``, decoded and checked."""
    return decode_article(read_file(path), str(path))
