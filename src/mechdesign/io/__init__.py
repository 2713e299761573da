"""Reading specs (YAML/JSON) safely and turning them into library objects.

Modules, for anyone adding a spec section or a command:

* :mod:`mechdesign.io.loader` — ``load_data(path)``: the one safe reader (YAML 1.2 core schema,
  bounded size/depth/aliases, clear errors; records the file as an input of the running command).
* :mod:`mechdesign.io.spec` — the pydantic model of a spec, ``load_spec``, ``build_mechanism``.
* :mod:`mechdesign.io.game_spec`, :mod:`mechdesign.io.design_spec`, :mod:`mechdesign.io.auction_spec`
  — the ``game:``, ``design:`` and ``auction:`` sections.
* :mod:`mechdesign.io.options` — ``check_options(options, ALLOW_LIST, name)``: solver options a
  spec or the CLI may set (never file-writing ones).
* :mod:`mechdesign.io.memory` — ``require_memory(estimate, ...)`` and estimators: refuse a problem
  that cannot fit before allocating it.

Output files are written by :func:`mechdesign._files.write_output` (atomic, never an input); the
CLI's shared wrapper and options are in :mod:`mechdesign.cli.common`.
"""
