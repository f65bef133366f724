"""nbgrader's exchange, for a shared server or JupyterHub: release an assignment, collect submissions.

    python -m tools.exchange release ASSIGNMENT [--exchange DIR]   # `make exchange-release ASSIGNMENT=...`
    python -m tools.exchange collect ASSIGNMENT [--exchange DIR]   # `make collect ASSIGNMENT=...`

Thin wrappers over nbgrader's own ``release_assignment`` and ``collect``, with this course's
nbgrader_config.py. The exchange folder is ``--exchange``, else ``$NBGRADER_EXCHANGE``, else nbgrader's
default. Students fetch and submit with nbgrader's Assignments list (or ``nbgrader fetch_assignment`` /
``nbgrader submit``); ``collect`` puts their submissions into submitted/<student>/<assignment>/ for
``make autograde``.
"""

import argparse
import logging
import os
import sys
from pathlib import Path

from tools.course import COURSE_ROOT, assignments, load_config

DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"  # nbgrader's own default (Exchange.root)


def exchange_root(explicit=None):
    return str(explicit or os.environ.get("NBGRADER_EXCHANGE") or DEFAULT_EXCHANGE)


def _api(root, exchange):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    exchange = Path(exchange_root(exchange))
    if not exchange.is_dir():
        raise SystemExit(f"The exchange folder {exchange} does not exist. Create it once, writable by every "
                         f"student:\n  sudo mkdir -p {exchange} && sudo chmod 777 {exchange}\n"
                         "or point NBGRADER_EXCHANGE (make: EXCHANGE=...) at another one.")
    config = load_config(root, Exchange={"root": str(exchange)})
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.WARNING)
    return api


def _checked(result, what):
    if not result or not result.get("success"):
        raise RuntimeError(f"nbgrader {what} failed:\n{(result or {}).get('error', '')}\n{(result or {}).get('log', '')}")
    return result


def release(assignment, root=COURSE_ROOT, exchange=None):
    """Copy release/<assignment> into the exchange's outbound folder (students can then fetch it)."""
    return _checked(_api(root, exchange).release_assignment(assignment), f"release_assignment {assignment}")


def collect(assignment, root=COURSE_ROOT, exchange=None):
    """Copy every student's latest submission from the exchange into submitted/<student>/<assignment>/."""
    return _checked(_api(root, exchange).collect(assignment, update=True), f"collect {assignment}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["release", "collect"])
    parser.add_argument("assignment", choices=assignments())
    parser.add_argument("--exchange", help=f"exchange folder (default: $NBGRADER_EXCHANGE or {DEFAULT_EXCHANGE})")
    args = parser.parse_args(argv)
    where = exchange_root(args.exchange)
    if args.command == "release":
        release(args.assignment, exchange=args.exchange)
        print(f"released {args.assignment} to {where}; students fetch it from nbgrader's Assignments list")
    else:
        collect(args.assignment, exchange=args.exchange)
        found = sorted(p.parent.name for p in (COURSE_ROOT / "submitted").glob(f"*/{args.assignment}"))
        print(f"collected {args.assignment} from {where}: submitted/ holds {len(found)} submission(s); "
              f"now `make autograde ASSIGNMENT={args.assignment}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
