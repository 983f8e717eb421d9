"""Dependency graphs of ids: loops, an order that puts dependencies first, and depth."""

from __future__ import annotations

from collections.abc import Mapping


def cycles(graph: Mapping[str, tuple[str, ...]]) -> list[list[str]]:
    """Each cycle of a dependency graph once, as a path that ends where it starts."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []
    found: list[list[str]] = []
    for start in graph:
        if start in state:
            continue
        # Depth-first without recursion: a long chain of ids must not exhaust the stack.
        stack = [(start, iter(graph[start]))]
        state[start] = 1
        path.append(start)
        while stack:
            node, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif dep not in graph:
                continue
            elif state.get(dep) == 1:
                found.append(path[path.index(dep) :] + [dep])
            elif dep not in state:
                state[dep] = 1
                path.append(dep)
                stack.append((dep, iter(graph[dep])))
    return found


def topological(graph: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every node after the nodes it depends on (nodes on a loop in some order)."""
    done: dict[str, None] = {}
    for start in graph:
        if start in done:
            continue
        stack = [(start, iter(graph[start]))]
        visiting = {start}
        while stack:
            node, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                done[node] = None
            elif dep in graph and dep not in done and dep not in visiting:
                visiting.add(dep)
                stack.append((dep, iter(graph[dep])))
    return list(done)


def depths(graph: Mapping[str, tuple[str, ...]], order: list[str]) -> dict[str, tuple[int, str | None]]:
    """For each node (in dependency order), how many nodes deep it sits and the dependency it is deepest through."""
    out: dict[str, tuple[int, str | None]] = {}
    for node in order:
        deepest: tuple[int, str | None] = (0, None)
        for dep in graph[node]:
            if dep in out and out[dep][0] + 1 > deepest[0]:
                deepest = (out[dep][0] + 1, dep)
        out[node] = deepest
    return out
