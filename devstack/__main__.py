"""`python -m devstack`: the whole platform on this machine (`make up`)."""

import sys

from devstack.cli import main

sys.exit(main())
