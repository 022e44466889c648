"""Label records (ANNOTATION.md §6) and the labelling round trip with doccano and Label Studio.

>>> from jixiao.labels import PARAGRAPH_LABELS, validate_records
>>> PARAGRAPH_LABELS
('经验做法', '存在问题', '建议')
"""
from jixiao.labels.convert.base import AnnotationVersion, ImportMessage, ImportResult, OffsetUnit, ToolFormat
from jixiao.labels.convert.configs import doccano_label_config, labelstudio_config
from jixiao.labels.convert.doccano import from_doccano, to_doccano
from jixiao.labels.convert.files import export_records, import_file
from jixiao.labels.convert.labelstudio import from_labelstudio, to_labelstudio
from jixiao.labels.schema import (
    ENTITY_TYPES, OTHER_LABEL, PARAGRAPH_LABELS, RECORD_KEYS, ROLES, Problem, read_label_file,
    validate_file, validate_files, validate_records, write_label_file,
)
from jixiao.labels.stats import label_stats

__all__ = [
    "AnnotationVersion", "ENTITY_TYPES", "ImportMessage", "ImportResult", "OTHER_LABEL",
    "OffsetUnit", "PARAGRAPH_LABELS", "Problem", "RECORD_KEYS", "ROLES", "ToolFormat",
    "doccano_label_config", "export_records", "from_doccano", "from_labelstudio", "import_file",
    "label_stats", "labelstudio_config", "read_label_file", "to_doccano", "to_labelstudio",
    "validate_file", "validate_files", "validate_records", "write_label_file",
]
