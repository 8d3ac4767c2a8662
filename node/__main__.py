"""``python -m node``: the same as the ibax-node console script."""

import sys

from node.cli import main

sys.exit(main())
