"""Forum-like text for ``forumapp demo``: titles, usernames and Markdown posts from word lists."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from forumapp.forum.markdown import quote_markdown


@dataclass(frozen=True)
class Theme:
    """What the people in one forum talk about."""

    #: Things a title or a sentence can be about.
    things: tuple[str, ...]
    #: Fenced code blocks that fit the forum; empty where nobody posts code.
    snippets: tuple[str, ...] = ()
    #: Title templates of its own, used instead of the general ones.
    titles: tuple[str, ...] = ()


_PYTHON = (
    "```python\nfrom dataclasses import dataclass\n\n@dataclass(frozen=True)\nclass Point:\n"
    "    x: float\n    y: float\n```",
    "```python\nasync def fetch_all(urls):\n    async with httpx.AsyncClient() as client:\n"
    "        return await asyncio.gather(*(client.get(url) for url in urls))\n```",
    "```console\n$ python -m venv .venv\n$ .venv/bin/pip install -e '.[test]'\n"
    "$ .venv/bin/pytest -q\n```",
    "```python\nwith open(path, encoding='utf-8') as handle:\n"
    "    rows = [line.split(',') for line in handle]\n```",
)
_SHELL = (
    "```console\n$ sudo systemctl status nginx\n● nginx.service - A high performance web server\n"
    "     Active: failed (Result: exit-code)\n```",
    "```ini\n[Unit]\nDescription=Backup job\n\n[Timer]\nOnCalendar=daily\nPersistent=true\n```",
    "```console\n$ zpool status tank\n  pool: tank\n state: ONLINE\n```",
    "```nginx\nlocation /static/ {\n    alias /srv/app/static/;\n    expires 30d;\n}\n```",
)
_ELECTRONICS = (
    "```cpp\nvoid setup() {\n  pinMode(LED_BUILTIN, OUTPUT);\n}\n\nvoid loop() {\n"
    "  digitalWrite(LED_BUILTIN, HIGH);\n  delay(500);\n}\n```",
    "```text\nVin = 12 V, Vout = 3.3 V, Iout = 800 mA\nL = 22 uH, Cout = 2 x 22 uF\n```",
)
_WEB = (
    "```css\n.grid {\n  display: grid;\n"
    "  grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));\n  gap: 1rem;\n}\n```",
    '```html\n<button hx-post="/like" hx-swap="outerHTML">Like</button>\n```',
    "```js\nconst response = await fetch('/api/v1/topics/', {credentials: 'same-origin'});\n```",
)

THEMES: dict[str, Theme] = {
    "announcements": Theme(
        ("the new search page", "dark mode", "email notifications", "the forum rules",
         "scheduled maintenance", "private messages", "the mobile layout", "two-step login"),
        titles=("New: {thing}", "Changes to {thing}", "Heads-up: {thing} this weekend",
                "{Thing} is live"),
    ),
    "introductions": Theme(
        ("woodworking", "home automation", "retro computers", "electronics",
         "learning to code", "3D printing", "ham radio", "self-hosting"),
        titles=("Hello from a {thing} fan!", "New here, mostly into {thing}",
                "Long-time lurker, finally joined", "Hi all! {Thing} and {other} here",
                "Just found this place via a {thing} search"),
    ),
    "feedback": Theme(
        ("the editor", "notifications", "the topic list", "search", "quoting",
         "the mobile layout", "page load times", "unread markers"),
        titles=("Bug: {thing} on my phone", "Feature request: better {thing}",
                "Feedback on {thing}", "Is {thing} broken for anyone else?",
                "Small idea about {thing}"),
    ),
    "electronics": Theme(
        ("ESP32", "Arduino Nano", "oscilloscope", "soldering iron", "buck converter",
         "MOSFET driver", "LiPo charger", "logic analyzer", "I2C sensor", "KiCad"),
        _ELECTRONICS,
    ),
    "printing": Theme(
        ("Prusa MK4", "Ender 3", "PETG", "first layer", "bed adhesion", "Klipper",
         "OrcaSlicer", "stringing", "enclosure", "resin printer", "hardened nozzle"),
    ),
    "woodworking": Theme(
        ("dovetails", "table saw", "hand plane", "walnut slab", "oil finish",
         "workbench", "chisels", "router table", "glue-up", "shellac", "mortise and tenon"),
    ),
    "python": Theme(
        ("asyncio", "type hints", "pytest", "virtualenvs", "SQLAlchemy", "Flask",
         "dataclasses", "pandas", "packaging", "mypy", "generators", "the GIL"),
        _PYTHON,
    ),
    "web": Theme(
        ("CSS grid", "htmx", "service workers", "CORS", "cookies", "web fonts",
         "caching headers", "accessibility", "dark mode", "form validation"),
        _WEB,
    ),
    "linux": Theme(
        ("systemd timers", "nginx", "ZFS", "Debian upgrades", "SSH keys", "WireGuard",
         "a Raspberry Pi", "backups", "Let's Encrypt", "Docker", "cron"),
        _SHELL,
    ),
    "offtopic": Theme(
        ("coffee", "sourdough", "cycling", "board games", "podcasts", "houseplants",
         "hiking boots", "mechanical keyboards", "sci-fi books", "desk setups"),
    ),
    "staff": Theme(
        ("the spam wave", "the report queue", "a ban appeal", "signature links",
         "the new rules draft", "moderator guidelines", "duplicate accounts"),
        titles=("About {thing}", "How do we handle {thing}?", "Notes on {thing}"),
    ),
}  # fmt: skip

_TITLES = (
    "How do I get started with {thing}?",
    "{Thing} or {other}: which one would you pick?",
    "Problem with {thing} after the last update",
    "Best resources for learning about {thing}?",
    "Finally finished my {thing} project",
    "Is {thing} still worth it?",
    "Weird issue with {thing}, any ideas?",
    "Tips for {thing}?",
    "Show us your {thing}",
    "{Thing} keeps failing and I'm out of ideas",
    "Beginner question about {thing}",
    "Anyone else using {thing}?",
    "Six months with {thing}: a review",
    "{Thing} and {other} together?",
    "Quick question on {thing}",
    "Thoughts on {thing}?",
)
_OPENERS = (
    "I've been spending a lot of time with {thing} for about {n} {unit} now.",
    "Long-time lurker, first real post, so be gentle.",
    "This has been bugging me all {when}.",
    "I finally got around to trying {thing} last {day}.",
    "So I've been reading older threads about {thing} and still can't decide.",
    "Quick background: I mostly work with {other}, so {thing} is new to me.",
)
_MIDDLES = (
    "Everything works fine until I add {other} to the mix, then it falls apart.",
    "I followed the usual guides, but the results are all over the place.",
    "It's probably something obvious, but I've checked the basics twice.",
    "The documentation says one thing and the forums say another.",
    "I tried swapping out {other} and it made no difference at all.",
    "It worked for a week and then, without any change on my side, it stopped.",
    "Budget is limited, so I'd rather get it right the first time.",
    "I'm happy to share more details if that helps.",
)
_QUESTIONS = (
    "Has anyone here combined {thing} with {other}?",
    "What would you check next?",
    "Any pointers would be much appreciated.",
    "Am I missing something obvious?",
    "Would you do it differently?",
    "What worked for you?",
)
_REPLIES = (
    "I had the same problem with {thing}. In the end it was {cause}.",
    "Have you tried {fix}? That fixed it for me.",
    "Thanks, that did the trick!",
    "Not sure about {thing}, but {other} has been rock solid for me.",
    "Seconding this. {Thing} is worth the effort once it clicks.",
    "I would start with {fix} and go from there.",
    "That's a great result, well done!",
    "Interesting, I never thought of using {other} for that.",
    "Same here. Following this thread.",
    "Careful with {thing}: it looks simple but the details matter.",
    "This comes up every few weeks; the pinned topic has most of the answers.",
    "Could you post a photo or the full error? Hard to tell from here.",
    "After {n} {unit} with {thing} I wouldn't go back.",
    "Good point about {other}, I'd forgotten about that.",
)
_CAUSES = (
    "a loose cable",
    "a typo in the config",
    "an old firmware",
    "the power supply",
    "a cache I forgot about",
    "the wrong default",
    "humidity, of all things",
)
_FIXES = (
    "reading the logs line by line",
    "updating everything first",
    "a clean reinstall",
    "swapping one part at a time",
    "asking the manufacturer",
    "the steps in the wiki",
)
_CHECKS = (
    "Check the obvious: cables, versions, permissions.",
    "Change one thing at a time.",
    "Write down what you changed.",
    "Keep a known-good setup to compare with.",
    "Read the changelog before upgrading.",
    "Take photos before taking anything apart.",
)
_LINKS = (
    "https://docs.example.org/guide/getting-started",
    "https://wiki.example.org/Troubleshooting",
    "https://blog.example.com/2023/lessons-learned",
    "https://example.net/reviews/long-term",
)
_UNITS = ("weeks", "months", "years")
_WHEN = ("week", "weekend", "month", "evening")
_DAYS = ("Monday", "weekend", "Friday", "night", "month")
_FIRST_NAMES = (
    "ada",
    "ben",
    "chloe",
    "dev",
    "elena",
    "farid",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "kai",
    "lena",
    "marco",
    "nadia",
    "olek",
    "priya",
    "quinn",
    "rosa",
    "sam",
    "tomas",
    "uma",
    "vik",
    "wren",
    "xavi",
    "yara",
    "zoe",
)
_HANDLE_WORDS = (
    "maker", "fox", "tinker", "circuit", "oak", "pixel", "solder", "byte", "lathe",
    "spark", "kernel", "fern", "cedar", "volt", "loop", "quill",
)  # fmt: skip


class TextGenerator:
    """Titles and posts in the voice of a hobby forum, reproducible from the ``rng`` seed."""

    def __init__(self, rng: random.Random, names: Sequence[str]) -> None:
        self._rng = rng
        self._names = names

    def username(self) -> str:
        """A plausible member handle (may repeat: the caller keeps them unique)."""
        rng = self._rng
        first, word = rng.choice(_FIRST_NAMES), rng.choice(_HANDLE_WORDS)
        return rng.choice(
            (f"{first}_{word}", f"{first}.{word}", f"{word}{first}", f"{first}{rng.randint(7, 99)}")
        )

    def title(self, theme: str) -> str:
        """A topic title about something the forum discusses."""
        spec = THEMES[theme]
        return self._fill(self._rng.choice(spec.titles or _TITLES), spec)

    def opening_post(self, theme: str) -> str:
        """The first post of a topic: context, the problem, maybe code or a list, a question."""
        spec = THEMES[theme]
        blocks = [self._paragraph(spec, _OPENERS, _MIDDLES, 1, 3)]
        extra = self._rng.random()
        if spec.snippets and extra < 0.45:
            blocks += ["Here is what I have so far:", self._rng.choice(spec.snippets)]
        elif extra < 0.7:
            blocks += ["What I tried so far:", self._list(_FIXES, ordered=True)]
        blocks.append(self._paragraph(spec, _MIDDLES, _QUESTIONS, 0, 1))
        return "\n\n".join(blocks)

    def reply(self, theme: str) -> str:
        """A reply: short agreement, an answer with a list, a link or code, or a quote."""
        spec, rng = THEMES[theme], self._rng
        blocks: list[str] = []
        if self._names and rng.random() < 0.2:
            quoted = self._fill(rng.choice(_REPLIES), spec)
            blocks.append(quote_markdown(rng.choice(self._names), quoted).rstrip())
        blocks.append(self._paragraph(spec, _REPLIES, _REPLIES, 0, 2))
        extra = rng.random()
        if extra < 0.15:
            blocks += ["A few things that helped me:", self._list(_CHECKS, ordered=False)]
        elif extra < 0.3:
            blocks.append(f"There's a good write-up here: {rng.choice(_LINKS)}")
        elif extra < 0.38:
            blocks.append(f"See [this guide]({rng.choice(_LINKS)}) for the **long** version.")
        elif spec.snippets and extra < 0.5:
            blocks += ["This is what I use:", rng.choice(spec.snippets)]
        return "\n\n".join(blocks)

    def _paragraph(
        self,
        spec: Theme,
        first: Sequence[str],
        rest: Sequence[str],
        low: int,
        high: int,
    ) -> str:
        opening = self._rng.choice(first)
        others = [line for line in rest if line != opening]
        sentences = [opening, *self._rng.sample(others, self._rng.randint(low, high))]
        return " ".join(self._fill(sentence, spec) for sentence in sentences)

    def _list(self, items: Sequence[str], *, ordered: bool) -> str:
        chosen = self._rng.sample(items, self._rng.randint(2, 4))
        return "\n".join(
            f"{index}. {item}" if ordered else f"- {item}"
            for index, item in enumerate(chosen, start=1)
        )

    def _fill(self, template: str, spec: Theme) -> str:
        rng = self._rng
        thing, other = rng.sample(spec.things, 2)
        text = template.format(
            thing=thing,
            Thing=thing[:1].upper() + thing[1:],
            other=other,
            n=rng.randint(2, 11),
            unit=rng.choice(_UNITS),
            when=rng.choice(_WHEN),
            day=rng.choice(_DAYS),
            cause=rng.choice(_CAUSES),
            fix=rng.choice(_FIXES),
        )
        return text[:1].upper() + text[1:]
