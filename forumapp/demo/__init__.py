"""Demo content: ``forumapp demo`` fills an empty database with a realistic forum.

:mod:`~forumapp.demo.layout` names the categories, forums and cast,
:mod:`~forumapp.demo.plan` plans topics and the posts moderators deal with,
:mod:`~forumapp.demo.text` writes the words, :mod:`~forumapp.demo.posts` renders and
inserts posts in batches, :mod:`~forumapp.demo.builder` puts it all together and
:mod:`~forumapp.demo.cli` is the command.
"""
