"""``python -m mockgenesys``."""

from __future__ import annotations

import sys

from mockgenesys.cli import main

sys.exit(main())
