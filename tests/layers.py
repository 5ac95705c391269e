#!/usr/bin/python3
"""The layer rule of docs/ARCHITECTURE.md: a file of sim/ includes only from its own layer
and the layers below it. Prints each offending include (file:line) and exits 1.

    /usr/bin/python3 tests/layers.py [SIM_DIR]
"""
import pathlib
import re
import sys

# Each layer and the layers it may include from (besides itself).
ALLOWED = {
    "core": set(),
    "network": {"core"},
    "scenario": {"core"},
    "model": {"core", "network", "scenario"},
    "output": {"core", "network", "scenario", "model"},
    "sweep": {"core", "network", "scenario", "model", "output"},
    "cli": {"core", "network", "scenario", "model", "output", "sweep"},
    "python": {"core", "network", "scenario", "model", "output", "sweep"},  # a peer of cli
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def problems(sim: pathlib.Path):
    for path in sorted(sim.rglob("*")):
        if not path.is_file() or path.suffix not in {".hpp", ".cpp", ".in", ".h"}:
            continue
        rel = path.relative_to(sim)
        layer = rel.parts[0]
        if len(rel.parts) == 1 or layer not in ALLOWED:
            yield f"{path}: not in a layer folder ({', '.join(ALLOWED)})"
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1)
            top = target.split("/")[0]
            if "/" not in target or top not in ALLOWED:
                yield f"{path}:{number}: include \"{target}\" names no layer (write \"LAYER/FILE\")"
            elif top != layer and top not in ALLOWED[layer]:
                yield f"{path}:{number}: {layer} includes \"{target}\" from the layer above it ({top})"


def main() -> int:
    sim = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "sim")
    found = list(problems(sim))
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} include(s) break the layer rule of docs/ARCHITECTURE.md")
        return 1
    print(f"layers ok: {sum(1 for p in sim.rglob('*') if p.is_file())} files under {sim}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
