"""A plugin that cannot even be imported."""

raise RuntimeError("this plugin needs a module that is not installed")
