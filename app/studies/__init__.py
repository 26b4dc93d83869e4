"""Recorded lab studies: trainings over seeds, shipped with the package and replayed at once."""
