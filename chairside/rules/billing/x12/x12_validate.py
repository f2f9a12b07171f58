"""Validate an X12 5010 document (837P, 835) against its implementation guide with pyx12.

pyx12 (https://github.com/azoner/pyx12) walks the document against the TR3 maps it ships
(837.5010.X222.A1, 835.5010.X221.A1): loops, segment order and repeats, required elements,
element types and lengths, and code values (including external code lists such as
place of service, states and remark codes). ``pyx12.x12n_document.x12n_document`` is the
function its ``x12valid`` command runs; it reports errors through its error handler, which
we read back through its JSON visitor so each problem names its segment and line.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from typing import Any

import pyx12.map_if
import pyx12.params
import pyx12.x12n_document

# Parsing an implementation-guide map (the 837P one is large) takes most of a validation's
# time, and x12n_document parses it again on every call. The parsed map is not changed by a
# walk (the walker keeps its own counters: checked by validating valid and invalid documents
# in either order with and without the cache, same errors), so validate_x12 lends
# x12n_document a loader that keeps each parsed map.
_MAPS: dict[tuple[str, str | None], Any] = {}
_load_map_file = pyx12.map_if.load_map_file


def _cached_map(map_file: str, param: Any, map_path: str | None = None) -> Any:
    key = (map_file, map_path)
    if key not in _MAPS:
        _MAPS[key] = _load_map_file(map_file, param, map_path)
    return _MAPS[key]


@dataclass(frozen=True)
class X12Problem:
    """One error pyx12 found: the segment (id and line) and what is wrong with it."""

    segment: str
    line: int | None
    code: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = f"segment {self.segment}" + (f" (line {self.line})" if self.line else "")
        detail = f" [{self.value}]" if self.value else ""
        return f"{where}: {self.message}{detail}"


def validate_x12(text: str) -> list[X12Problem]:
    """Return every error pyx12 finds in ``text``; an empty list means it is valid.

    Text that is not X12 at all (no ISA header) gives one problem for segment ISA.
    """
    if not isinstance(text, str) or not text.lstrip().startswith("ISA"):
        return [X12Problem("ISA", 1, "not_x12", "The file does not start with an ISA segment.")]
    param = pyx12.params.params()
    param.set("exclude_external_codes", "")
    out_json = io.StringIO()
    logger = logging.getLogger("pyx12")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)  # pyx12 logs every error too; we return them instead
    pyx12.map_if.load_map_file = _cached_map
    try:
        valid = pyx12.x12n_document.x12n_document(
            param=param,
            src_file=io.StringIO(text),
            fd_997=None,
            fd_html=None,
            fd_json=out_json,
        )
    except Exception as exc:  # pyx12 raises its own EngineError and others on garbage input
        return [X12Problem("?", None, "engine", f"pyx12 could not read the file: {exc}")]
    finally:
        logger.setLevel(previous)
        pyx12.map_if.load_map_file = _load_map_file
    problems = _problems(json.loads(out_json.getvalue() or '{"interchanges": []}'))
    if not valid and not problems:
        problems.append(X12Problem("?", None, "invalid", "pyx12 reported the file invalid."))
    return problems


def _problems(doc: dict[str, Any]) -> list[X12Problem]:
    problems: list[X12Problem] = []
    for isa in doc.get("interchanges", []):
        problems += _envelope("ISA", isa)
        for gs in isa.get("groups", []):
            problems += _envelope("GS", gs)
            for st in gs.get("transactions", []):
                problems += _envelope("ST", st)
                for seg in st.get("segments", []):
                    problems += _segment(seg)
    return problems


def _envelope(segment: str, node: dict[str, Any]) -> list[X12Problem]:
    return [
        X12Problem(segment, node.get("cur_line"), str(e["err_cde"]), str(e["err_str"]))
        for e in node.get("errors", [])
    ]


def _segment(seg: dict[str, Any]) -> list[X12Problem]:
    seg_id = str(seg.get("seg_id") or "?")
    line = seg.get("cur_line")
    problems = [
        X12Problem(seg_id, line, str(e["err_cde"]), str(e["err_str"]), str(e.get("err_val") or ""))
        for e in seg.get("errors", [])
    ]
    for element in seg.get("elements", []):
        position = f"{seg_id}{int(element.get('ele_pos') or 0):02d}"
        problems += [
            X12Problem(
                position,
                line,
                str(e["err_cde"]),
                str(e["err_str"]),
                str(e.get("err_val") or ""),
            )
            for e in element.get("errors", [])
        ]
    return problems
