"""jixiao 绩效: an NLP pipeline for Chinese government performance-evaluation reports.

The library lives in the ``nlp/`` folder of the repository and is imported as ``jixiao``::

    >>> import jixiao
    >>> isinstance(jixiao.__version__, str)
    True

``jixiao.load()`` builds the default pipeline (``configs/pipeline.yaml``); the pipeline is called on
report text, a file path, a ``Document`` or a list of those (README, "Use from Python / spaCy /
Hugging Face"). Importing ``jixiao`` loads nothing heavy: it only arranges for the model types
(``jixiao_char_bert``) to be registered with the transformers Auto classes when those load.
"""
from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("jixiao")
except _metadata.PackageNotFoundError:  # a checkout on sys.path without an install
    __version__ = "0.0.0+unknown"


class Text(str):
    """A string that is report text, never a file path: ``nlp(jixiao.Text(s))``.

    A plain ``str`` given to a pipeline is read as a file when it names an existing file and has no
    line break; wrap it in ``Text`` to force the text meaning (``pathlib.Path`` forces the path one).

    >>> Text("一、项目概况") == "一、项目概况", isinstance(Text("x"), str)
    (True, True)
    """

    __slots__ = ()


def load(path=None):
    """The pipeline described by a manifest or model folder (default: the shipped ``configs/pipeline.yaml``).

    The result is callable on text, a path, a ``Document`` or a list of those (→ a list of Documents), and
    ``.pipe(iterable, batch_size=…)`` yields Documents lazily; ``Document.to_dict()`` is the output
    contract that ``jixiao extract`` writes.
    """
    from jixiao.pipeline import load_pipeline

    return load_pipeline(path)


def _register_with_transformers() -> None:
    from jixiao.models.encoder import register_auto_classes

    register_auto_classes()


_register_with_transformers()

__all__ = ["__version__", "Text", "load"]
