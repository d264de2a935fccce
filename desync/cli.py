"""``python -m desync``: show, build, check, run, watch, cache."""
from __future__ import annotations

import argparse
import sys

from .errors import DesyncError


def _show(args) -> int:
    from .compiler import Module
    from .compiler.emit import source_of
    path, _, name = args.target.partition(":")
    try:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
    except OSError as error:
        print(f"desync show: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    module = Module(source, path)
    if not name:
        print(source_of(module.transpile()))
        return 0
    found = module.find(name)
    if found is None:
        known = ", ".join(q for _, q, _ in module.functions()) or "none"
        print(f"desync show: no function {name!r} in {path} (desync functions: {known})",
              file=sys.stderr)
        return 2
    print(source_of(module.transpile_def(found[0])))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="desync", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the transpiled source of a file or function")
    show.add_argument("target", metavar="FILE[:FUNCTION]")
    show.set_defaults(handler=_show)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except DesyncError as error:
        print(f"desync: error: {error}", file=sys.stderr)
        return 1
