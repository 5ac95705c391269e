#!/usr/bin/python3
"""The layer rule of docs/ARCHITECTURE.md: a file of sim/ includes only from its own layer
and the layers below it, and a layer's library links only libraries of the layers below it.
Prints each offending include (file:line) or link (CMakeLists.txt:line) and exits 1.

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
# Project headers are included as "LAYER/FILE"; <LAYER/FILE> would compile too (sim/ is on
# the include path), so that form is checked as well.
INCLUDE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)')
LINK = re.compile(r"target_link_libraries\s*\(\s*(\S+)([^)]*)\)", re.S)
LIBRARY = re.compile(r"\bxsector_([a-z]+)\b")


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
            target = match.group(1) or match.group(2)
            top = target.split("/")[0]
            if match.group(2) is not None:
                if top in ALLOWED:
                    yield f"{path}:{number}: include <{target}> of a project header (write \"{target}\")"
                continue
            if "/" not in target or top not in ALLOWED:
                yield f"{path}:{number}: include \"{target}\" names no layer (write \"LAYER/FILE\")"
            elif top != layer and top not in ALLOWED[layer]:
                yield f"{path}:{number}: {layer} includes \"{target}\" from the layer above it ({top})"

    for cmake in sorted(sim.glob("*/CMakeLists.txt")):
        layer = cmake.parent.name
        text = cmake.read_text()
        for match in LINK.finditer(text):
            number = text.count("\n", 0, match.start()) + 1
            for library in LIBRARY.findall(match.group(2)):
                if library in ALLOWED and library != layer and library not in ALLOWED.get(layer, set()):
                    yield f"{cmake}:{number}: {layer} links xsector_{library}, a layer above it"


def main() -> int:
    sim = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "sim")
    found = list(problems(sim))
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} include(s) or link(s) break the layer rule of docs/ARCHITECTURE.md")
        return 1
    print(f"layers ok: {sum(1 for p in sim.rglob('*') if p.is_file())} files under {sim}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
