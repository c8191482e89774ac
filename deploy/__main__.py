"""`python -m deploy plan|apply|destroy --env ENV ...`"""

from __future__ import annotations

from deploy.cli import main

raise SystemExit(main())
