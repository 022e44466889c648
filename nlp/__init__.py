"""jixiao 绩效: an NLP pipeline for Chinese government performance-evaluation reports.

The library lives in the ``nlp/`` folder of the repository and is imported as ``jixiao``::

    >>> import jixiao
    >>> isinstance(jixiao.__version__, str)
    True

``jixiao.load()`` builds the default pipeline (``configs/pipeline.yaml``); see the README's
"Use from Python" section. Importing ``jixiao`` itself loads nothing heavy.
"""
from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("jixiao")
except _metadata.PackageNotFoundError:  # a checkout on sys.path without an install
    __version__ = "0.0.0+unknown"


def load(path=None):
    """The pipeline described by a manifest or model folder (default: the shipped ``configs/pipeline.yaml``)."""
    from jixiao.pipeline import load_pipeline

    return load_pipeline(path)


__all__ = ["__version__", "load"]
