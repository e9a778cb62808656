"""coachbot's own date phrases (English and Chinese), each with the day it means: checked by
tests/dates, timed by bench/dates_corpus.py."""
