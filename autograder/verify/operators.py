"""AST mutation operators that mirror the slips students make, applied to a solution.

Each operator looks at one node of a function's syntax tree and offers replacements for
it; `mutate` applies every offer to a fresh copy of the tree, one at a time, and gives
back the mutated sources. Operators (name: what it does):

- `drop_term`: `a + b` / `a - b` becomes `a` or `b` (a term of a sum forgotten);
- `swap_operands`: `a @ b`, `a - b`, `a / b` become `b @ a`, ...;
- `drop_transpose`: `W.T` becomes `W`;
- `reduction_axis`: `axis=k` becomes another axis, or is dropped (reduce everything);
- `sum_mean`: a sum becomes a mean and a mean a sum (normalisation slips);
- `off_by_one`: `range(T)` stops one early, a slice bound moves by one;
- `activation`: tanh and sigmoid swapped, `1 - y**2` and `y * (1 - y)` swapped;
- `gate_slice`: a slice of width H (one gate block) moves to the neighbouring block;
- `swap_elements`: two neighbouring elements of a tuple or list literal swapped (the
  order of gates, of returned gradients, of a cache);
- `drop_copy`: `x.copy()` / `np.copy(x)` becomes `x`;
- `initial_value`: `np.zeros` becomes `np.ones`, an initial constant 0 becomes 1;
- `drop_dtype`: a `dtype=` argument or an `.astype(...)` is dropped.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Offer = tuple[str, ast.AST]  # (what changed, the replacement node)


@dataclass(frozen=True)
class MachineMutant:
    """One mutated version of a graded function's solution."""

    function: str
    operator: str
    line: int  # in the function's source
    change: str  # e.g. "a + b -> a"
    source: str

    @property
    def key(self) -> str:
        return f"{self.function}/{self.operator}@{self.line}:{self.change}"


def _text(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _name(node: ast.AST) -> str:
    """`np.tanh` -> "np.tanh", `sigmoid` -> "sigmoid", else ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return ""


def _drop_term(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        yield "keep the left term", node.left
        yield "keep the right term", node.right


def _swap_operands(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.MatMult, ast.Sub, ast.Div)):
        yield "operands swapped", ast.BinOp(node.right, node.op, node.left)


def _drop_transpose(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose dropped", node.value


AXES = {0: [1], 1: [0, 2], 2: [1], -1: [0]}


def _reduction_axis(node: ast.AST) -> Iterator[Offer]:
    if not isinstance(node, ast.Call):
        return
    for index, keyword in enumerate(node.keywords):
        if keyword.arg != "axis":
            continue
        dropped = copy.copy(node)
        dropped.keywords = node.keywords[:index] + node.keywords[index + 1:]
        yield "axis dropped", dropped
        value = keyword.value
        others: list[ast.expr] = []
        if isinstance(value, ast.Constant) and isinstance(value.value, int):
            others = [ast.Constant(k) for k in AXES.get(value.value, [0])]
        elif isinstance(value, ast.Tuple):
            others = [element for element in value.elts]
        for other in others:
            changed = copy.copy(node)
            changed.keywords = [*node.keywords[:index], ast.keyword("axis", other),
                                *node.keywords[index + 1:]]
            yield f"axis={ast.unparse(other)}", changed


def _sum_mean(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, ast.Attribute) and node.attr in ("sum", "mean"):
        other = "mean" if node.attr == "sum" else "sum"
        yield f"{node.attr} -> {other}", ast.Attribute(node.value, other, node.ctx)


def _off_by_one(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, ast.Call) and _name(node.func) == "range" and node.args:
        stop = 0 if len(node.args) == 1 else 1
        changed = copy.copy(node)
        changed.args = list(node.args)
        changed.args[stop] = ast.BinOp(node.args[stop], ast.Sub(), ast.Constant(1))
        yield "range stops one early", changed
        if len(node.args) == 1:
            yield "range starts at 1", ast.Call(node.func, [ast.Constant(1), node.args[0]], [])
    if isinstance(node, ast.Subscript):
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        for index, part in enumerate(parts):
            if isinstance(part, ast.Constant) and type(part.value) is int:
                number = int(part.value)
                moved = ast.Constant(number - 1 if number < 0 else number + 1)
                elts = [moved if i == index else p for i, p in enumerate(parts)]
                index_node = ast.Tuple(elts, ast.Load()) if len(parts) > 1 else moved
                yield f"index {number} -> {moved.value!r}", ast.Subscript(
                    node.value, index_node, node.ctx)
    if isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = getattr(node, bound)
            if value is not None:
                shifted = copy.copy(node)
                setattr(shifted, bound, ast.BinOp(value, ast.Add(), ast.Constant(1)))
                yield f"slice {bound} bound + 1", shifted


def _activation(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, ast.Call) and _name(node.func) in ("np.tanh", "sigmoid"):
        other = "sigmoid" if _name(node.func) == "np.tanh" else "np.tanh"
        yield f"{_name(node.func)} -> {other}", ast.Call(
            ast.parse(other, mode="eval").body, node.args, node.keywords)
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)
            and isinstance(node.left, ast.Constant) and isinstance(node.right, ast.BinOp)
            and isinstance(node.right.op, ast.Pow)):
        y = node.right.left
        yield "tanh' -> sigmoid'", ast.BinOp(y, ast.Mult(), ast.BinOp(
            ast.Constant(1), ast.Sub(), y))
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
            and isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.Sub)
            and isinstance(node.right.left, ast.Constant)
            and ast.dump(node.right.right) == ast.dump(node.left)):
        yield "sigmoid' -> tanh'", ast.BinOp(ast.Constant(1), ast.Sub(), ast.BinOp(
            node.left, ast.Pow(), ast.Constant(2)))


def _mentions_h(node: ast.AST | None) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and n.id == "H"
                                    for n in ast.walk(node))


def _gate_slice(node: ast.AST) -> Iterator[Offer]:
    if not isinstance(node, ast.Slice) or node.step is not None:
        return
    if not (_mentions_h(node.lower) or _mentions_h(node.upper)):
        return
    h = ast.Name("H", ast.Load())
    if node.upper is not None:
        lower = ast.BinOp(node.lower, ast.Add(), h) if node.lower is not None else h
        yield "next gate block", ast.Slice(lower, ast.BinOp(node.upper, ast.Add(), h))
    elif node.lower is not None:
        yield "previous gate block", ast.Slice(ast.BinOp(node.lower, ast.Sub(), h), node.lower)


def _swap_elements(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, (ast.Tuple, ast.List)) and isinstance(node.ctx, ast.Load):
        for i in range(len(node.elts) - 1):
            if isinstance(node.elts[i], ast.Starred) or isinstance(node.elts[i + 1], ast.Starred):
                continue
            elts = list(node.elts)
            elts[i], elts[i + 1] = elts[i + 1], elts[i]
            yield f"elements {i} and {i + 1} swapped", type(node)(elts, node.ctx)


def _drop_copy(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, ast.Call) and not node.args and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "copy":
        yield ".copy() dropped", node.func.value
    if isinstance(node, ast.Call) and _name(node.func) == "np.copy" and node.args:
        yield "np.copy dropped", node.args[0]


ONES = {"np.zeros": "np.ones", "np.zeros_like": "np.ones_like", "np.empty": "np.ones"}


def _initial_value(node: ast.AST) -> Iterator[Offer]:
    if isinstance(node, ast.Call) and _name(node.func) in ONES:
        replaced = ast.parse(ONES[_name(node.func)], mode="eval").body
        yield f"{_name(node.func)} -> {ONES[_name(node.func)]}", ast.Call(
            replaced, node.args, node.keywords)
    if isinstance(node, ast.Assign):
        values = node.value.elts if isinstance(node.value, (ast.Tuple, ast.List)) else [
            node.value]
        for index, value in enumerate(values):
            if isinstance(value, ast.Constant) and type(value.value) in (int, float) \
                    and value.value == 0:
                changed = copy.deepcopy(node)
                target = changed.value.elts if isinstance(
                    changed.value, (ast.Tuple, ast.List)) else None
                if target is None:
                    changed.value = ast.Constant(type(value.value)(1))
                else:
                    target[index] = ast.Constant(type(value.value)(1))
                yield "initial 0 -> 1", changed


def _drop_dtype(node: ast.AST) -> Iterator[Offer]:
    if not isinstance(node, ast.Call):
        return
    for index, keyword in enumerate(node.keywords):
        if keyword.arg == "dtype":
            changed = copy.copy(node)
            changed.keywords = node.keywords[:index] + node.keywords[index + 1:]
            yield "dtype= dropped", changed
    if isinstance(node.func, ast.Attribute) and node.func.attr == "astype":
        yield ".astype dropped", node.func.value


OPERATORS: dict[str, Callable[[ast.AST], Iterator[Offer]]] = {
    "drop_term": _drop_term, "swap_operands": _swap_operands,
    "drop_transpose": _drop_transpose, "reduction_axis": _reduction_axis,
    "sum_mean": _sum_mean, "off_by_one": _off_by_one, "activation": _activation,
    "gate_slice": _gate_slice, "swap_elements": _swap_elements, "drop_copy": _drop_copy,
    "initial_value": _initial_value, "drop_dtype": _drop_dtype,
}


class _Replace(ast.NodeTransformer):
    """Replace the node that is number `target` in `ast.walk` order."""

    def __init__(self, target: int, replacement: ast.AST) -> None:
        self.target, self.replacement, self.index = target, replacement, -1
        self.order: dict[int, int] = {}

    def run(self, tree: ast.AST) -> ast.AST:
        self.order = {id(node): i for i, node in enumerate(ast.walk(tree))}
        return self.visit(tree)

    def visit(self, node: ast.AST) -> ast.AST:
        if self.order.get(id(node)) == self.target:
            return self.replacement
        return self.generic_visit(node)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the nodes of docstrings and type annotations: nothing there is mutated."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            found.update(id(n) for n in ast.walk(node.annotation))
        if isinstance(node, ast.FunctionDef) and node.returns is not None:
            found.update(id(n) for n in ast.walk(node.returns))
        if isinstance(node, (ast.FunctionDef, ast.Module)) and node.body and isinstance(
                node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            found.update(id(n) for n in ast.walk(node.body[0]))
    return found


def mutate(function: str, source: str) -> list[MachineMutant]:
    """Every mutant the operators make of `source` (the solution of `function`), each
    valid Python and different from the solution; in a fixed order."""
    tree = ast.parse(source)
    original = ast.unparse(tree)
    skip = _docstrings(tree)
    found: dict[str, MachineMutant] = {}
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip or isinstance(node, ast.FunctionDef) and index == 1:
            continue
        for operator, offers in OPERATORS.items():
            for change, replacement in offers(node):
                fresh = copy.deepcopy(tree)
                mutated = ast.fix_missing_locations(_Replace(index, replacement).run(fresh))
                try:
                    text = ast.unparse(mutated)
                    compile(text, f"<mutant of {function}>", "exec")
                except (SyntaxError, ValueError, TypeError, AttributeError, RecursionError):
                    continue
                if text == original or text in found:
                    continue
                line = getattr(node, "lineno", 0) - 1
                found[text] = MachineMutant(function, operator, line,
                                            f"{_text(node)} ({change})", text)
    return list(found.values())
