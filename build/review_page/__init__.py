"""The curator's review page of one article: render.py renders it from the article's rows, with
review_page.html and review_page.css. The site serves it at /-/review/<source_id> (from the served
database) and `rucas check --html` writes it to a file (from the validated rows): the same code, so the
same page. render.py uses only the standard library, Jinja and MarkupSafe (Datasette's own), because the
Datasette configuration directory carries a copy of this folder (copy_renderer)."""
