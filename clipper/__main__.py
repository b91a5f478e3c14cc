"""`python -m clipper` runs the command line."""

from clipper.cli import main

raise SystemExit(main())
