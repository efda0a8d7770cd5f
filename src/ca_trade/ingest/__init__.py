"""``ca-trade import``: an official download (UN Comtrade, IMF IMTS, Eurostat Comext, CEPII BACI)
to ca-trade's data file.

Modules, each importing only those below it:

- ``spec``: the format description, the options, shared codes;
- ``comtrade``, ``imf``, ``comext``, ``baci``: one module per source format;
- ``formats``: the formats by name, the header, sniffing;
- ``countries``: raw codes to ca-trade's (built-in tables or a country file);
- ``guards``: the rules every format shares (totals, levels, codes, signs, the data rules);
- ``blocks``: the block pipeline, from the file to partial aggregates;
- ``command``: the command's work, from the file to checked CSV chunks.
"""

from __future__ import annotations

from ca_trade.ingest.command import Result, convert
from ca_trade.ingest.formats import FORMATS, read_header, sniff
from ca_trade.ingest.spec import Options, Spec

__all__ = ["FORMATS", "Options", "Result", "Spec", "convert", "read_header", "sniff"]
