"""Benchmark the walkers on deep trees: time against depth (1,250 / 2,500 / 5,000).

Run ``python benchmarks/bench_walk_deep.py`` (``--runs N``: the best of N
runs is reported). Trees: a document whose root holds a list nested ``d``
lists deep, and a modular content value whose blocks nest ``d`` blocks deep.
Each walker runs with a callback that takes no path (``(node)``, the linear
case) and, for some, one that takes ``(node, parent, path)`` (every call gets
its whole path, so that case is quadratic by nature). The last column is the
5,000 / 1,250 ratio: about 4 for linear work, 16 for quadratic.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dast.cma import field_blocks as fb  # noqa: E402
from dast.cma.schema import FieldSchema, ItemTypeSchema, SchemaRepository  # noqa: E402
from dast.nodes import Document, List, ListItem, Paragraph, Root, Span  # noqa: E402
from dast.walk import (  # noqa: E402
    collect_nodes,
    filter_nodes,
    for_each_node,
    map_nodes,
    reduce_nodes,
    some_node,
)

DEPTHS = (1250, 2500, 5000)

SCHEMA = SchemaRepository(
    [ItemTypeSchema("B", "box", modular_block=True)],
    {"B": [FieldSchema("f1", "inner", "rich_text", False, "B")]},
)


def nested_lists(depth: int) -> Document:
    """``depth`` lists nested in each other, one span at the bottom."""
    node = List(
        style="bulleted",
        children=(ListItem(children=(Paragraph(children=(Span(value="x"),)),)),),
    )
    for _ in range(depth - 1):
        node = List(style="bulleted", children=(ListItem(children=(node,)),))
    return Document(document=Root(children=(node,)))


def nested_blocks(depth: int) -> list[Any]:
    """A modular content value: ``depth`` blocks, each holding the next."""
    rel = {"item_type": {"data": {"type": "item_type", "id": "B"}}}
    block: dict[str, Any] = {"type": "item", "id": "b", "attributes": {"inner": []}}
    block["relationships"] = rel
    for _ in range(depth - 1):
        block = {"type": "item", "id": "b", "attributes": {"inner": [block]}, "relationships": rel}
    return [block]


NODE_WALKS: dict[str, Callable[[Document], object]] = {
    "for_each_node (node)": lambda d: for_each_node(d, lambda node: None),
    "for_each_node (node, parent, path)": lambda d: for_each_node(d, lambda n, p, path: None),
    "collect_nodes (node)": lambda d: collect_nodes(d, lambda node: node.type == "span"),
    "some_node (node)": lambda d: some_node(d, lambda node: False),
    "reduce_nodes (acc, node)": lambda d: reduce_nodes(d, lambda acc, node: acc + 1, 0),
    "map_nodes (node)": lambda d: map_nodes(d, lambda node: node),
    "map_nodes (node, parent, path)": lambda d: map_nodes(d, lambda n, p, path: n),
    "filter_nodes (node)": lambda d: filter_nodes(d, lambda node: node.type != "span"),
}

BLOCK_WALKS: dict[str, Callable[[list[Any]], object]] = {
    "visit_blocks (block)": lambda v: fb.visit_blocks(v, "rich_text", SCHEMA, lambda b: None),
    "visit_blocks (block, path)": lambda v: fb.visit_blocks(
        v, "rich_text", SCHEMA, lambda b, path: None
    ),
    "map_blocks (block)": lambda v: fb.map_blocks(v, "rich_text", SCHEMA, lambda b: b),
    "filter_blocks (block)": lambda v: fb.filter_blocks(v, "rich_text", SCHEMA, lambda b: True),
}


def _best(func: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _row(name: str, make: Callable[[int], Any], walk: Callable[[Any], object], runs: int) -> None:
    times: list[float] = []
    for depth in DEPTHS:
        tree = make(depth)
        try:
            times.append(_best(lambda tree=tree: walk(tree), runs))
        except TypeError as exc:  # e.g. a (block) callback where only (block, path) is supported
            print(f"  {name:38} unsupported: {exc}")
            return
    cells = "".join(f"{t * 1000:9.1f} ms" for t in times)
    print(f"  {name:38}{cells}   x{times[-1] / times[0]:5.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs (best reported)")
    args = parser.parse_args(argv)
    header = "".join(f"{d:>12,}" for d in DEPTHS)
    print(f"  {'depth':38}{header}   5000/1250")
    for name, walk in NODE_WALKS.items():
        _row(name, nested_lists, walk, args.runs)
    for name, walk in BLOCK_WALKS.items():
        _row(name, nested_blocks, walk, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
