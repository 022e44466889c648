"""Input and output layers: read report files into text, write the output contract and tables.

Error codes of input, output and the batch (E100–E169; defined in :mod:`jixiao.errors`):

====  =====================================================================
E100  unsupported format (.doc, .wps, ...; the message says how to convert)
E101  file not found
E102  file cannot be read (permissions, not a regular file, I/O error)
E103  file larger than the size limit (default 200 MB)
E104  empty file
E105  no text (whitespace only; a docx/pdf without text)
E106  binary content in a text file (NUL/control bytes, a PDF/zip/.doc renamed to .txt)
E107  text in no encoding we can decode
E108  more characters than --max-chars (document) or --max-paragraph-chars (one line)
E110  .docx that is not a zip (truncated, a renamed .doc, password-protected)
E111  .docx zip without word/document.xml, or broken document XML
E112  .docx that unpacks to more than --max-unpacked-mb (a zip bomb)
E120  corrupt PDF
E121  encrypted / password-protected PDF
E122  PDF without extractable text (a scan: run OCR)
E130  (usage) an input spec that matches nothing
E131  (usage) '-' given more than once
E132  (usage) a limit option (--max-chars ...) that is not a positive number
E140  (usage) output JSONL that is not a jixiao output (resume/tables)
E141  (usage) unknown table format
E142  output cannot be written (disk full, permissions)
E143  JSONL that does not follow the output contract / is missing
E144  (usage) the output folder is a file, or -o ""
E145  too many rows for an Excel sheet
E146  (usage) unknown table language
E147  (usage) --workers below 1, an unknown --engine, --address without --engine ray
E148  ray missing or the Ray cluster cannot be reached
E149  unexpected error while processing a file (logged by ErrorLog; a worker's internal error)
E150  duplicate: same content as an earlier input of the run (logged, not a failure)
E151  file name not valid UTF-8 (warning; named with \\xNN escapes)
E152  the output folder is locked by another run (exit status 3)
E153  the run was interrupted (exit status 130; finish with --resume)
E160  does not look like a performance-evaluation report (warning; meta.report_likeness)
====  =====================================================================
"""
from jixiao.io.readers import (
    DEFAULT_MAX_BYTES,
    STDIN,
    SUPPORTED_SUFFIXES,
    RawDocument,
    decode_text,
    iter_inputs,
    join_cell_lines,
    read_document,
    read_stdin,
)
from jixiao.io.errorlog import ErrorLog
from jixiao.io.jsonl import JsonlWriter
from jixiao.io.tables import (
    COLUMNS,
    MONEY_SCALE,
    TABLE_NAMES,
    TableFormat,
    TablesResult,
    parse_formats,
    write_tables,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "ErrorLog",
    "JsonlWriter",
    "MONEY_SCALE",
    "RawDocument",
    "STDIN",
    "SUPPORTED_SUFFIXES",
    "TABLE_NAMES",
    "TableFormat",
    "TablesResult",
    "decode_text",
    "iter_inputs",
    "join_cell_lines",
    "parse_formats",
    "read_document",
    "read_stdin",
    "write_tables",
]
