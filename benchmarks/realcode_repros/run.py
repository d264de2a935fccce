"""Run each minimal repro plainly (its @desync lines removed) and under desync; show both.

    python benchmarks/realcode_repros/run.py            # all of them
    python benchmarks/realcode_repros/run.py 03 07      # the ones whose name starts so

Each repro is a tiny module that prints what it computes; a difference between
the two runs (or a hang: 20 s) is a desync bug found by benchmarks/realcode.py.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def run(path: Path, plain: bool, timeout: float = 20) -> str:
    source = path.read_text()
    if plain:
        source = re.sub(r"(?m)^[ \t]*@desync.*$", "", source)  # blank: line numbers stay
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / path.name
        target.write_text(source)
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="0")
        try:
            proc = subprocess.run([sys.executable, str(target)], capture_output=True, text=True,
                                  timeout=timeout, env=env, cwd=tmp)
        except subprocess.TimeoutExpired:
            return f"HANG (no result after {timeout:.0f} s)"
    out = proc.stdout.strip()
    if proc.returncode:
        last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
        out = (out + "\n" if out else "") + "raised " + last
    return out


def main(argv):
    files = sorted(p for p in HERE.glob("[0-9]*.py")
                   if not argv or any(p.name.startswith(a) for a in argv))
    differ = 0
    for path in files:
        plain, under = run(path, True), run(path, False)
        same = plain == under
        differ += not same
        print(f"{'same' if same else 'DIFF'}  {path.name}")
        if not same:
            print("    plain : " + plain.replace("\n", "\n            "))
            print("    desync: " + under.replace("\n", "\n            "))
    print(f"{differ} of {len(files)} repros differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
