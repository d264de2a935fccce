"""``python -m desync``: show, build, check, run, watch, cache."""
from __future__ import annotations

import argparse
import os
import sys
import time

from ..errors import DesyncError


def _show(args) -> int:
    from ..compiler import Module
    from ..compiler.emit import source_of
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


def _explain(args) -> int:
    from ..compiler.explain import explain_source, use_color
    path, _, name = args.target.partition(":")
    try:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
    except OSError as error:
        print(f"desync explain: cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        text = explain_source(source, path, name or None,
                              color=use_color(sys.stdout) and not args.no_color)
    except LookupError as error:
        print(f"desync explain: {error.args[0]}", file=sys.stderr)
        return 2
    print(text, end="")
    return 0


def _cache(args) -> int:
    from .config import load_config, parse_size
    from ..runtime.diskstore import DiskStore
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
        from .build import live_code_hashes
        live = live_code_hashes(config, args.paths or None)
        removed = store.prune(live)
        evicted = store.evict()
        print(f"removed {removed} entries of code that no longer exists"
              f" and {evicted} over the size bound, from {store.directory}")
    return 0


def _builder(args):
    from .build import Builder
    from .config import load_config
    config = load_config()
    return Builder(config, args.paths or None, getattr(args, "out", None),
                   getattr(args, "lockfile", None))


def _build(args) -> int:
    from .build import terminal_progress
    builder = _builder(args)
    started = time.perf_counter()
    staged, entries, changes = builder.run(progress=None if args.quiet else terminal_progress())
    builder.write_tree(staged)
    wrote_lock = builder.write_lockfile(entries)
    if not args.quiet:
        elapsed = time.perf_counter() - started
        print(f"desync build: {len(staged)} files -> {builder.out} "
              f"({builder.transpiled_count} transpiled, {len(entries)} desync functions) "
              f"in {elapsed:.2f} s")
        for line in changes:
            print(f"  {line}")
        print(f"  lockfile {builder.lockfile} " + ("updated" if wrote_lock else "unchanged"))
    return 0


def _check(args) -> int:
    builder = _builder(args)
    _, entries, changes = builder.run()
    stale = changes or builder.read_lockfile() != entries
    if not os.path.exists(builder.lockfile):
        print(f"desync check: {builder.lockfile} does not exist; run `python -m desync build`")
        return 1
    if stale:
        print(f"desync check: {builder.lockfile} is stale; `python -m desync build` would change:")
        for line in changes:
            print(f"  {line}")
        return 1
    print(f"desync check: {builder.lockfile} is up to date ({len(entries)} functions)")
    return 0


def _run(args) -> int:
    from .importhook import run_script
    run_script(args.script, args.args)
    return 0


def _watch(args) -> int:
    from .watch import watch
    return watch(_builder(args), out=lambda line: print(line, flush=True),
                 debounce=args.debounce)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="desync", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the transpiled source of a file or function")
    show.add_argument("target", metavar="FILE[:FUNCTION]")
    show.set_defaults(handler=_show)
    explain = commands.add_parser("explain", help="say, statement by statement, what runs "
                                                  "together and what waits, and why")
    explain.add_argument("target", metavar="FILE[:FUNCTION]")
    explain.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    explain.set_defaults(handler=_explain)
    for name, handler, text in (("build", _build, "transpile sources and write the lockfile"),
                                ("check", _check, "exit 1 if the lockfile is stale"),
                                ("watch", _watch, "rebuild whenever a source changes")):
        command = commands.add_parser(name, help=text)
        command.add_argument("paths", nargs="*", help="sources (default: [tool.desync] paths)")
        command.add_argument("--out", help="output folder (default: build/desync)")
        command.add_argument("--lockfile", help="lockfile path (default: desync.lock)")
        command.add_argument("--quiet", "-q", action="store_true")
        if name == "watch":
            command.add_argument("--debounce", type=float, default=0.2, help="seconds")
        command.set_defaults(handler=handler)
    run = commands.add_parser("run", help="run a script with the import hook on")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    run.set_defaults(handler=_run)
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
