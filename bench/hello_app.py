"""The floor: bare Flask apps served by the same gunicorn settings as forumapp.

``hello``: a plain-text "Hello, World!". ``template``: a small Jinja page (a title, a loop
over ten items, one filter), rendered from a template loader like a real app's.
"""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

SMALL_TEMPLATE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
  <h1>{{ title }}</h1>
  <ul>
  {% for item in items %}
    <li><a href="/item/{{ item.id }}">{{ item.name | title }}</a> ({{ item.count }})</li>
  {% endfor %}
  </ul>
</body>
</html>
"""

ITEMS = [{"id": n, "name": f"item number {n}", "count": n * 7} for n in range(1, 11)]

hello = Flask("hello")


@hello.get("/")
def hello_world() -> str:
    return "Hello, World!"


template = Flask("template")
template.jinja_loader = DictLoader({"small.html": SMALL_TEMPLATE})


@template.get("/")
def small_template() -> str:
    return render_template("small.html", title="A small template", items=ITEMS)
