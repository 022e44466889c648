"""The examples in docstrings are part of the documentation: they must stay true."""
import doctest
import importlib

import pytest

MODULES = ["nlp.text", "nlp.clean", "nlp.structure", "nlp.normalize", "nlp.rules.entities", "nlp.rules.labels",
           "nlp.tokenize", "nlp.labels.draft", "nlp.link", "nlp.models.ner", "nlp.summarize.aggregate", "training.ner"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
