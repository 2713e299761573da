"""Notebook display and tables: HTML views, pandas frames and displayable figures of results.

Result classes keep their data and text (``summary()``, ``to_dict()``); this package
renders them for Jupyter (``_repr_html_``), pandas (``to_frame()``) and matplotlib:

* :mod:`.html` — the HTML of each result (verdicts, labels, tables);
* :mod:`.frames` — labelled DataFrames of mechanisms, equilibria and designs;
* :mod:`.figures` — figures that a notebook shows inline and that save with ``savefig``;
* :mod:`.interim` — interim allocation and expected payment by type (``md.plot_interim``).
* :mod:`.combinatorial` — winners, payments and LLG equilibria of combinatorial auctions.

Everything here reads results through their public attributes and imports pandas and
matplotlib only when called.
"""
