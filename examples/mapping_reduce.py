"""Mapping with a reduce.

`.map()` runs one child task run per element; `unmapped()` passes a value whole to every child;
a task that takes the mapped task's output unmapped is the reduce step and receives the list of
all children's results. Mapping twice in a row keeps the children aligned (word[i] -> score[i]),
and `flatten()` maps over the concatenation of lists of lists.

    python examples/mapping_reduce.py
    prefect-classic run examples/mapping_reduce.py
"""

import sys

from prefect_classic import Flow, Parameter, flatten, task, unmapped


@task
def split_lines(text: str) -> list:
    return [line.split() for line in text.strip().splitlines()]


@task
def normalize(word: str, stopwords: set) -> str:
    word = word.lower().strip(".,;:!?")
    return "" if word in stopwords else word


@task
def score(word: str) -> int:
    return len(word)


@task
def total(scores: list) -> int:
    return sum(scores)


@task
def longest(words: list, scores: list) -> str:
    return max(zip(scores, words))[1]


TEXT = """
The quick brown fox
jumps over the lazy dog.
"""

with Flow("mapping-reduce") as flow:
    text = Parameter("text", default=TEXT)
    lines = split_lines(text)
    words = normalize.map(flatten(lines), stopwords=unmapped({"the", "over"}))
    scores = score.map(words)
    grand_total = total(scores)
    winner = longest(words, scores)

if __name__ == "__main__":
    state = flow.run()
    children = state.result[scores].map_states
    print(f"{len(children)} mapped children of 'score':", [s.result for s in children])
    print(
        "total:", state.result[grand_total].result, "| longest word:", state.result[winner].result
    )
    ok = state.is_successful() and state.result[grand_total].result == 25 and len(children) == 9
    sys.exit(0 if ok else 1)
