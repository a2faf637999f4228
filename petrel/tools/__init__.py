"""Developer tools of the ``petrel`` command: ``petrel graph`` (draw a topology),
``petrel init`` (start a new topology directory from the word-count template) and
``petrel pipe`` (``pipe*.py``: run one component between stdin and stdout, Unix-pipe style)."""
