"""Entry point of a Lemke worker process (``python -m mechdesign.games.lemke_worker``).

A separate module, not imported by the package, so that running it does not
execute :mod:`.lemke_paths` twice. Replies go to a private copy of stdout;
anything printed by imported code goes to stderr.
"""

import os
import sys

if __name__ == "__main__":
    from mechdesign.games.lemke_paths import _serve

    _replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, _replies)
