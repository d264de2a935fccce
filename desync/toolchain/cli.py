"""``python -m desync``: show, explain, build, check, lock, run, watch, trace, cache."""
from __future__ import annotations

import argparse
import os
import sys
import time

from ..errors import DesyncError


def _read_target(target: str, command: str):
    """``FILE[:FUNCTION]`` -> (path, function name, source); source None (said on
    stderr) when the file cannot be read."""
    path, _, name = target.partition(":")
    return path, name, _read_source(path, command)


def _read_source(path: str, command: str):
    """A source's text as Python reads it (a BOM or a coding cookie names its
    encoding), or None, said on stderr."""
    import tokenize
    try:
        with tokenize.open(path) as handle:
            return handle.read()
    except OSError as error:
        print(f"desync {command}: cannot read {path}: {error.strerror}", file=sys.stderr)
    except (SyntaxError, UnicodeDecodeError) as error:
        print(f"desync {command}: cannot decode {path}: {error}", file=sys.stderr)
    return None


def _show(args) -> int:
    from ..compiler import Module
    from ..compiler.emit import built_source, source_of
    path, name, source = _read_target(args.target, "show")
    if source is None:
        return 2
    if args.graph or args.format:
        from ..compiler.graph import render
        try:
            print(render(source, path, name or None, args.format or "dot"), end="")
        except LookupError as error:
            print(f"desync show: {error.args[0]}", file=sys.stderr)
            return 2
        return 0
    module = Module(source, path)
    if not name:   # the module as the build writes it: line for line with the source
        print(built_source(source, module.transpile()), end="")
        return 0
    found = module.find(name)
    if found is None:
        known = ", ".join(q for _, q, _ in module.functions()) or "none"
        print(f"desync show: no function {name!r} in {path} (desync functions: {known})",
              file=sys.stderr)
        return 2
    print(source_of(module.transpile_def(found[0]), source.splitlines()))   # for reading
    return 0


def _explain(args) -> int:
    from ..compiler.explain import explain_source, use_color
    path, name, source = _read_target(args.target, "explain")
    if source is None:
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
    if not os.path.isdir(directory):
        where = "--dir" if args.dir else f"[tool.desync] cache-dir in {config.pyproject}"
        print(f"desync cache: no cache folder at {directory} (from {where})", file=sys.stderr)
        return 1
    try:
        size = parse_size(args.max_size) if args.max_size else (config.cache_size or None)
    except ValueError as error:
        print(f"desync cache: --max-size: {error}", file=sys.stderr)
        return 2
    store = DiskStore(directory, size) if size else DiskStore(directory)
    if args.action == "info":
        info = store.info()
        print(f"{info['directory']}: {info['entries']} entries, {info['bytes']:,} bytes "
              f"(bound {info['max_bytes']:,})")
        names = _function_names(config, args.paths)
        rows = sorted(((names.get(code), code, count, info["code_bytes"][code])
                       for code, count in info["code_hashes"].items()),
                      key=lambda row: (row[0] is None, row[0] or "", row[1]))
        for name, code, count, size in rows:
            label = name or f"{code} (no function of the current sources; prune removes it)"
            print(f"  {label}: {count} entries, {size:,} bytes")
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


def _function_names(config, paths) -> dict:
    """{code hash hex: "module.function"} of the project's functions now."""
    from .build import live_code_hashes
    try:
        return {f"{code:016x}": name
                for code, name in live_code_hashes(config, paths or None).items()}
    except DesyncError as error:
        print(f"desync cache: cannot name functions: {error}", file=sys.stderr)
        return {}


def _builder(args):
    from .build import Builder
    from .config import load_config
    config = load_config()
    return Builder(config, args.paths or None, getattr(args, "out", None),
                   getattr(args, "lockfile", None))


def _build(args) -> int:
    from .build import terminal_progress
    builder = _builder(args)
    builder.check_output()   # before any work: an output that must not be replaced
    started = time.perf_counter()
    staged, entries, changes = builder.run(progress=None if args.quiet else terminal_progress())
    # The lockfile first, beside the old one: if it cannot be written, the previous
    # output and lockfile both stay as they were.
    pending = builder.stage_lockfile(entries)
    try:
        builder.write_tree(staged)
    except BaseException:
        builder.discard_lockfile(pending)
        raise
    wrote_lock = builder.commit_lockfile(pending)
    if not args.quiet:
        elapsed = time.perf_counter() - started
        print(f"desync build: {len(staged)} files -> {builder.out} "
              f"({builder.transpiled_count} transpiled, {_count(entries, 'desync function')}) "
              f"in {elapsed:.2f} s")
        for line in changes:
            print(f"  {line}")
        print(f"  lockfile {builder.lockfile} " + ("updated" if wrote_lock else "unchanged"))
    if getattr(args, "explain", False):
        _explain_built(builder)
    return 0


def _explain_built(builder) -> None:
    """``build --explain``: the account of every desync function just built."""
    from ..compiler.explain import explain_source, use_color
    sources = {}
    for given in builder.paths:
        root = builder.config.resolve(given)
        root = root if os.path.isdir(root) else os.path.dirname(root)
        for rel in sorted(builder.transpiled):
            path = os.path.join(root, rel)
            if os.path.isfile(path) and rel not in sources:
                sources[rel] = path
    color = use_color(sys.stdout)
    for rel, path in sorted(sources.items()):
        text = _read_source(path, "build --explain")
        if text is not None:
            try:
                print(explain_source(text, path, color=color), end="")
            except LookupError:
                pass   # (a module built for another reason: no desync function to tell of)


def _lock(args) -> int:
    """Write the lockfile from the sources (no build output); ``--merge`` resolves a
    lockfile that holds merge conflict markers."""
    from ..hashing import lockfile
    builder = _builder(args)
    builder.merge = args.merge
    text = lockfile.read_text(builder.lockfile)
    conflicted = lockfile.conflict_lines(text) if text is not None else []
    _, entries, changes = builder.run()
    wrote = builder.write_lockfile(entries)
    if conflicted:
        print(f"desync lock: resolved the merge conflict in {builder.lockfile} "
              "from the merged sources")
    for line in changes:
        print(f"  {line}")
    print(f"desync lock: {builder.lockfile} " + ("updated" if wrote else "unchanged")
          + f" ({_count(entries, 'function')})")
    return 0


def _check(args) -> int:
    from ..hashing import lockfile
    builder = _builder(args)
    text = lockfile.read_text(builder.lockfile)
    if text is None:
        builder.run()   # the sources must still parse
        print(f"desync check: {builder.lockfile} does not exist; run `python -m desync build`")
        return 1
    conflicts = lockfile.conflict_lines(text)
    if conflicts:
        builder.merge = True
        _, entries, _ = builder.run()
        base, _ = builder.baselines()
        print(f"desync check: {builder.lockfile} has merge conflict markers (line(s) "
              f"{', '.join(map(str, conflicts))}); run `python -m desync lock --merge`:")
        ours, theirs = (lockfile.loads(side, builder.lockfile) for side in lockfile.sides(text))
        for name in sorted(set(ours) | set(theirs) | set(entries)):
            new = entries.get(name)
            if ours.get(name) == new and theirs.get(name) == new:
                continue
            sides = f"ours {_version(ours.get(name))}, theirs {_version(theirs.get(name))}"
            line = lockfile.explain(ours.get(name), new, base.get(name))
            print(f"  {line} [{sides}]")
        return 1
    _, entries, changes = builder.run()
    if changes or builder.read_lockfile() != entries:
        print(f"desync check: {builder.lockfile} is stale; `python -m desync build` would change:")
        for line in changes:
            print(f"  {line}")
        return 1
    print(f"desync check: {builder.lockfile} is up to date ({_count(entries, 'function')})")
    return 0


def _count(items, noun) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _version(entry) -> str:
    return entry.version if entry is not None else "none"


def _run(args) -> int:
    from .importhook import ScriptError, run_script
    if not os.path.isfile(args.script):
        print(f"desync run: no such file: {args.script}", file=sys.stderr)
        return 2
    if not args.trace:
        try:
            run_script(args.script, args.args)
        except ScriptError as error:   # (its own code's errors stay its own, below)
            print(f"desync run: {error}", file=sys.stderr)
            return 1
        return 0
    from ..runtime import trace
    trace.start(os.path.abspath(args.trace))
    try:
        run_script(args.script, args.args)
    finally:
        recorder = trace.stop(write=True)
        if recorder is not None:
            count = sum(1 for r in recorder.records if r[0] in (trace.TASK, trace.REMOTE))
            print(f"desync run: {count} task(s) traced to {args.trace} (draw it: desync trace "
                  f"{args.trace} --html timeline.html)", file=sys.stderr)
    return 0


def _trace(args) -> int:
    from .timeline import load, render_html, render_svg, summary
    try:
        document = load(args.trace)
    except (OSError, ValueError) as error:
        print(f"desync trace: cannot read {args.trace}: {error}", file=sys.stderr)
        return 2
    title = args.title or f"desync timeline: {os.path.basename(args.trace)}"
    if args.html:
        with open(args.html, "w", encoding="utf-8") as handle:
            handle.write(render_html(document, title=title, width=args.width))
        print(f"desync trace: wrote {args.html}")
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as handle:
            handle.write(render_svg(document, width=args.width, title=args.title))
        print(f"desync trace: wrote {args.svg}")
    if not (args.html or args.svg):
        for line in summary(document) or ["no desync calls in this trace"]:
            print(line)
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
    show.add_argument("--graph", action="store_true",
                      help="print the body's dependency graph (Graphviz DOT) instead")
    show.add_argument("--format", choices=("dot", "mermaid"),
                      help="the graph's format: dot (default) or mermaid (for Markdown)")
    show.set_defaults(handler=_show)
    explain = commands.add_parser("explain", help="say, statement by statement, what runs "
                                                  "together and what waits, and why")
    explain.add_argument("target", metavar="FILE[:FUNCTION]")
    explain.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    explain.set_defaults(handler=_explain)
    for name, handler, text in (("build", _build, "transpile sources and write the lockfile"),
                                ("check", _check, "exit 1 if the lockfile is stale"),
                                ("lock", _lock, "write the lockfile only (--merge: resolve "
                                                "a merge conflict in it)"),
                                ("watch", _watch, "rebuild whenever a source changes")):
        command = commands.add_parser(name, help=text)
        command.add_argument("paths", nargs="*", help="sources (default: [tool.desync] paths)")
        command.add_argument("--out", help="output folder (default: build/desync)")
        command.add_argument("--lockfile", help="lockfile path (default: desync.lock)")
        command.add_argument("--quiet", "-q", action="store_true")
        if name == "lock":
            command.add_argument("--merge", action="store_true",
                                 help="the lockfile holds merge conflict markers: recompute it")
        if name == "watch":
            command.add_argument("--debounce", type=float, default=0.2, help="seconds")
        if name == "build":
            command.add_argument("--explain", action="store_true",
                                 help="also say, per desync function, what runs together")
        command.set_defaults(handler=handler)
    run = commands.add_parser("run", help="run a script with the import hook on")
    run.add_argument("--trace", metavar="TRACE.json",
                     help="record every task of every desync call (Trace Event Format)")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    run.set_defaults(handler=_run)
    trace = commands.add_parser("trace", help="summarise or draw a trace that DESYNC_TRACE "
                                              "or `run --trace` recorded")
    trace.add_argument("trace", metavar="TRACE.json")
    trace.add_argument("--html", metavar="OUT.html", help="a self-contained page of the timeline")
    trace.add_argument("--svg", metavar="OUT.svg", help="the timeline as an SVG picture")
    trace.add_argument("--width", type=int, default=1400, help="pixels (default 1400)")
    trace.add_argument("--title", help="a title for the picture")
    trace.set_defaults(handler=_trace)
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
    if args.handler is _run:
        return args.handler(args)   # the script's own errors are its own
    try:
        return args.handler(args)
    except DesyncError as error:
        print(f"desync: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:   # an unreadable source, an unwritable output folder, ...
        print(f"desync: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
