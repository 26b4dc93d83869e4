"""Lessons: a guided answer to the seed question, step by step (issue 11).

A lesson is a TOML file in app/lessons/content/ (a teacher adds one by adding a file):

    title, summary, level (beginner | intermediate | advanced), minutes
    (the file name gives the order and the slug: 01-seed-question.toml -> 1, "seed-question")
    [[steps]]
      title, text (Markdown)                 the step's words
      view = "explorer" | "lab"              which page draws it
      link = "<query string>"                the state (explorer, vs. fields for compare mode)
                                             or the lab query, exactly as a link carries it
      focus = "<target>"                     the figure or panel brought forward (targets.py)
      highlight = "<kind>:<name>"            what to mark in it: gate:i, mask:embedding, curve:both...
      claims = ["<claim id>", ...]           the tested facts the text states (claims.py)
      reveal (Markdown)                      with a question: the words that answer it, shown once
                                             it is answered (text is what is shown before)
      hides = ["<target>", ...]              with a question: the page's panels that give its answer
                                             away (focus targets), hidden until it is answered
      [[steps.questions]]                    optional "predict, then reveal"
        prompt, choices = [...], answer = <index>, explanations = [... one per choice ...]
        reveals = ["phrase", ...]            the key phrases of its answer: the loader refuses a
                                             step whose visible text (text, prompt) holds one, and
                                             one found neither in reveal nor in the right explanation
    {recorded:seed} in a text               the recorded answer of the lab's seed study, with its
                                             interval (app/studies/recorded.py answer())

``load()`` reads and validates every file at start-up: every link parses as its view's state,
every focus and highlight names something the page has, every claim has its test, every
question has an explanation for each wrong choice and comes before its answer. Markdown is rendered by markdown-it-py
(CommonMark, raw HTML off).
"""

from app.lessons.model import Lesson, Question, Step, lesson_by_slug, load

__all__ = ["Lesson", "Question", "Step", "lesson_by_slug", "load"]
