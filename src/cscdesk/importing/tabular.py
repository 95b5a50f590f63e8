"""One reader for every table people send us: rosters, insurer batch extracts, forecasts.

Files come from HR departments and insurers as their PCs save them: CSV in UTF-8 (with or without
a BOM) or in GBK/GB18030 (what Excel writes on a Chinese Windows PC), Excel "Unicode text"
(UTF-16, tab-separated), ``.xlsx`` and old ``.xls`` workbooks (read by python-calamine, which is
fast and reads both). The header is often not on row 1: a merged title row (``XX公司2026年度
被保险人清单``) sits above it, or it spans two rows (a group title above the column names), and
required columns are marked ``姓名*``. This module finds the header, streams the rows with their
spreadsheet row numbers, and offers the cell conversions every importer needs (dates in Excel
serial or Chinese form, digits in any script to ASCII, numbers Excel has mangled).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")
HEADER_SEARCH_ROWS = 10  # title rows above the header in the files we have seen: 1 to 3
_SNIFF_BYTES = 64 * 1024
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
_SERIAL_RANGE = (1, 2_958_465)  # 1900-01-01 .. 9999-12-31
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[(（]\s*(必填|必须|选填|可选)\s*[)）]")
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?[eE][+-]?\d+")
MANGLED_NUMBER_HELP = (
    "Excel stored it as a number and dropped digits: format the column as Text"
    " (设置单元格格式 → 文本), type or paste the numbers again, and save"
)


class TableError(ValueError):
    """The file cannot be read as a table; the message names the file and what to do."""


@dataclass(frozen=True, slots=True)
class Header:
    """Where the header is and which canonical column sits at which position."""

    row: int  # spreadsheet row number of the (last) header row
    positions: dict[str, int]
    missing: tuple[str, ...]  # required columns not found


def normalise_header(title: object) -> str:
    """``' 姓名* '``, ``'姓名（必填）'``, ``'Name'`` → ``'姓名'``, ``'name'``."""
    text = unicodedata.normalize("NFKC", "" if title is None else str(title))
    return _HEADER_NOISE.sub("", text).lower()


# ---------------------------------------------------------------------------------- cells
def to_text(value: Any) -> str:
    """A cell as trimmed text: whole floats lose their ``.0``, dates are ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets turn 13812345678 into 13812345678.0
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def ascii_digits(text: str) -> str:
    """NFKC, then every decimal digit of any script as ASCII: ``１３８``, ``١٣٨`` → ``138``."""
    normal = unicodedata.normalize("NFKC", text)
    if normal.isascii():
        return normal
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.decimal(c, None) is not None
        else c
        for c in normal
    )  # fmt: skip


def number_text(value: Any) -> str:
    """A number-like cell (ID, mobile, employee number) as ASCII text for validation."""
    return ascii_digits(to_text(value))


def mangled_number(value: Any) -> bool:
    """An ID or account number Excel turned into a float: ``1.10105E+17`` or 110105194912310000.0
    (more than 15 significant digits cannot survive a float)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return abs(value) >= 1e15 or not value.is_integer()
    if isinstance(value, int):
        return abs(value) >= 10**15
    return bool(_SCIENTIFIC.fullmatch(ascii_digits(to_text(value))))


def parse_date(value: Any) -> date | None:
    """A date from a date cell, an Excel serial number, ``1990-01-05``, ``1990/1/5``,
    ``1990.1.5``, ``19900105`` or ``1990年1月5日`` (any digits); None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _serial(value)
    text = ascii_digits(to_text(value))
    match = _DATE_TEXT.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    if text.isdigit() and len(text) == 5:  # a serial date that went through a CSV
        return _serial(int(text))
    return None


def _serial(number: float) -> date | None:
    if not float(number).is_integer() or not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(number))


def control_character(value: Any) -> str | None:
    """The name of the first control character in a text cell (NUL, a line break...)."""
    if not isinstance(value, str):
        return None
    for c in value:
        if unicodedata.category(c) == "Cc":
            return f"U+{ord(c):04X}" + (" (NUL)" if c == "\0" else "")
    return None


# ---------------------------------------------------------------------------------- files
def read_rows(path: Path, content: bytes | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(spreadsheet row number, cells) of the first sheet or of a delimited text file."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _delimited(path, content)
    if suffix in SHEET_SUFFIXES:
        return _sheet(path, content)
    raise TableError(f"{path.name}: unsupported file type {suffix!r} (use .xlsx, .xls or .csv)")


def _decodes(chunks: Iterator[bytes], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _encoding(path: Path, head: bytes, content: bytes | None) -> str:
    """UTF-8 (BOM or not), UTF-16 (Excel "Unicode text", BOM or NUL-heavy) or GB18030, the
    first that decodes the whole file; anything else (a binary file renamed .csv, a truncated
    UTF-16 file) is a TableError, never a UnicodeDecodeError halfway through the rows."""
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif head and head.count(0) * 4 >= len(head):
        odd = head[1::2].count(0) >= head[0::2].count(0)
        candidates = ["utf-16-le" if odd else "utf-16-be"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        if _decodes(_chunks(path, content), encoding):
            return encoding
    raise TableError(
        f"{path.name}: not text in UTF-8, UTF-16 or GBK/GB18030 (save it from Excel as"
        " 'CSV UTF-8' or as a workbook)"
    )


def _chunks(path: Path, content: bytes | None, size: int = 1 << 20) -> Iterator[bytes]:
    if content is not None:
        yield from (content[i : i + size] for i in range(0, len(content), size))
        return
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def _delimited(path: Path, content: bytes | None) -> Iterator[tuple[int, list[Any]]]:
    if content is None and not path.is_file():
        raise TableError(f"{path}: no such file")
    head = content[:_SNIFF_BYTES] if content is not None else _head(path)
    encoding = _encoding(path, head, content)
    sample = head.decode(encoding, errors="ignore")
    first = next((line for line in sample.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    raw = io.BytesIO(content) if content is not None else path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    return _csv_rows(path, text, delimiter)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_SNIFF_BYTES)


def _csv_rows(
    path: Path, text: io.TextIOWrapper, delimiter: str
) -> Iterator[tuple[int, list[Any]]]:
    with text:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for number, row in enumerate(reader, start=1):
                yield number, list(row)
        except csv.Error as exc:  # a NUL byte or stray quote the csv module refuses
            raise TableError(
                f"{path.name}, row {reader.line_num}: not a readable CSV line ({exc})"
            ) from None
        except UnicodeDecodeError:  # the file changed after its encoding was checked
            raise TableError(
                f"{path.name}, row {reader.line_num + 1}: bytes that are not {text.encoding}"
                " text (was the file changed while it was read? save it again and retry)"
            ) from None


def _sheet(path: Path, content: bytes | None) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineWorkbook  # only when a workbook is read

    if content is None and not path.is_file():
        raise TableError(f"{path}: no such file")
    try:
        book = (
            CalamineWorkbook.from_filelike(io.BytesIO(content))
            if content is not None
            else CalamineWorkbook.from_path(str(path))
        )
        if not book.sheet_names:
            raise TableError(f"{path.name}: the workbook has no sheet")
        sheet = book.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except TableError:
        raise
    except Exception as exc:  # calamine raises its own kinds for a damaged file
        raise TableError(
            f"{path.name}: cannot be read as a spreadsheet ({type(exc).__name__}); open it in"
            " Excel and save it again as .xlsx"
        ) from None
    start = getattr(sheet, "start", None) or (0, 0)
    first_row, first_column = int(start[0]), int(start[1])
    return _sheet_rows(rows, first_row, first_column)


def _sheet_rows(
    rows: Iterator[list[Any]], first_row: int, first_column: int
) -> Iterator[tuple[int, list[Any]]]:
    pad = [None] * first_column
    for offset, row in enumerate(rows):
        yield first_row + offset + 1, pad + [None if v == "" else v for v in row]


def find_header(
    rows: Iterator[tuple[int, list[Any]]],
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
) -> tuple[Header, list[tuple[int, list[Any]]]]:
    """Find the header among the first rows, over one row or two (a group title above the
    column names). Returns the header and the rows after it that were already read (the rest
    stay in ``rows``). When no row holds every required column, the best candidate is returned
    with the missing ones listed."""
    lookup = {normalise_header(a): key for key, names in columns.items() for a in names}
    head: list[tuple[int, list[Any]]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    best: tuple[int, Header, int] | None = None
    for i, (number, cells) in enumerate(head):
        candidates = [(_positions(cells, lookup), 1)]
        if i + 1 < len(head):
            below = head[i + 1][1]
            merged = [
                b if to_text(b) else a
                for a, b in zip(_padded(cells, len(below)), _padded(below, len(cells)), strict=True)
            ]
            candidates.append((_positions(merged, lookup), 2))
        for positions, span in candidates:
            missing = tuple(k for k in required if k not in positions)
            header = Header(number + span - 1, positions, missing)
            score = len(positions) - 100 * len(missing)
            if best is None or score > best[0]:
                best = (score, header, i + span)
        if best is not None and not best[1].missing:
            break
    if best is None:
        return Header(1, {}, tuple(required)), []
    _, header, used = best
    return header, head[used:]


def _padded(cells: list[Any], length: int) -> list[Any]:
    return cells + [None] * (max(length, len(cells)) - len(cells))


def _positions(cells: list[Any], lookup: Mapping[str, str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, title in enumerate(cells):
        key = lookup.get(normalise_header(title))
        if key is not None and key not in positions:
            positions[key] = index
    return positions
