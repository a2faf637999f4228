"""The embedded local runner: runs a topology jar on this machine, playing Storm's worker.

One subprocess per task, started as a Storm worker starts it; one event loop over all task
pipes (``runner``); Storm's groupings (``groupings``), task ids and handshake (``tasks``),
the XOR acker (``acker``), framing (``wire``), task processes (``process``), statistics
(``stats``) and the ``petrel submit`` entry point (``command.run_local``).
"""
