"""Bring a test story to a status along the lifecycle table, one real transition at a time."""

from __future__ import annotations

from collections import deque

from stories.models import Story
from stories.transitions import TRANSITIONS, story_transition


def lifecycle_path(source: str, target: str) -> list[str]:
    """The shortest list of statuses after ``source`` that the table allows to ``target``."""
    previous: dict[str, str | None] = {source: None}
    queue = deque([source])
    while queue:
        status = queue.popleft()
        if status == target:
            break
        for following in sorted(TRANSITIONS[status]):
            if following not in previous:
                previous[following] = status
                queue.append(following)
    if target not in previous:
        raise ValueError(f"the lifecycle has no way from {source} to {target}")
    path: list[str] = []
    step: str | None = target
    while step is not None and step != source:
        path.append(step)
        step = previous[step]
    return path[::-1]


def story_move_to(story: Story | int, status: str, *, action: str = "test") -> Story:
    """Move a story to ``status`` through ``story_transition`` (each step audited)."""
    story_id = story if isinstance(story, int) else story.pk
    current = Story.objects.values_list("status", flat=True).get(pk=story_id)
    moved = Story.objects.get(pk=story_id)
    for step in lifecycle_path(current, status):
        moved = story_transition(story_id=story_id, to=step, action=f"{action}.{step}")
    return moved
