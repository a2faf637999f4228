"""Developer tools of the ``petrel`` command: ``petrel graph`` (draw a topology) and
``petrel init`` (start a new topology directory from the word-count template)."""
