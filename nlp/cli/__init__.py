"""The ``jixiao`` command: thin subcommands over library functions, one module per command group.

=================  ===========================================================
module             commands
=================  ===========================================================
``extract``        ``jixiao extract``
``labels``         ``jixiao labels draft|validate|stats|export|import|config``
``evaluate``       ``jixiao eval``
``summarize``      ``jixiao summarize``
``audit``          ``jixiao audit`` (check a report's own arithmetic)
``train``          ``jixiao train ner|cls|roles``, ``jixiao cv …``, ``jixiao pretrain``
``models``         ``jixiao ner tag|export``, ``jixiao bench``
``show``           ``jixiao show`` (displaCy page of one report; spaCy)
=================  ===========================================================

Training code (``training/``) is imported inside the training commands only. User errors are
handled once, in :mod:`jixiao.cli.app`.
"""
from jixiao.cli import audit, evaluate, extract, labels, models, show, summarize, train  # noqa: F401  (register commands)
from jixiao.cli.app import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    main()
