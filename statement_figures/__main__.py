"""`python -m statement_figures`: the `figures` command line."""

import sys

from statement_figures.cli import main

sys.exit(main())
