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


def _cache(args) -> int:
    from .config import load_config, parse_size
    from .diskstore import DiskStore
    config = load_config()
    directory = args.dir or config.cache_dir
    if not directory:
        print("desync cache: no cache folder: pass --dir or set [tool.desync] cache-dir",
              file=sys.stderr)
        return 2
    size = parse_size(args.max_size) if args.max_size else (config.cache_size or None)
    store = DiskStore(directory, size) if size else DiskStore(directory)
    if args.action == "info":
        info = store.info()
        print(f"{info['directory']}: {info['entries']} entries, {info['bytes']:,} bytes "
              f"(bound {info['max_bytes']:,}), {len(info['code_hashes'])} code hashes")
        for code, count in sorted(info["code_hashes"].items()):
            print(f"  {code}  {count} entries")
    elif args.action == "clear":
        print(f"removed {store.clear()} entries from {store.directory}")
    else:
        from .toolchain import live_code_hashes
        live = live_code_hashes(config, args.paths or None)
        removed = store.prune(live)
        evicted = store.evict()
        print(f"removed {removed} entries of code that no longer exists"
              f" and {evicted} over the size bound, from {store.directory}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="desync", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the transpiled source of a file or function")
    show.add_argument("target", metavar="FILE[:FUNCTION]")
    show.set_defaults(handler=_show)
    cache = commands.add_parser("cache", help="inspect or clean the on-disk cache")
    cache.add_argument("action", choices=("info", "clear", "prune"))
    cache.add_argument("paths", nargs="*", help="sources whose code is live (prune)")
    cache.add_argument("--dir", help="the cache folder (default: [tool.desync] cache-dir)")
    cache.add_argument("--max-size", help="size bound for prune, e.g. 500MB")
    cache.set_defaults(handler=_cache)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except DesyncError as error:
        print(f"desync: error: {error}", file=sys.stderr)
        return 1
